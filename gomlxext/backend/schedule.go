package backend

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gomlx/gomlx/backends"
)

// execNode is one step of an executable: a stage (a simplego executable) or
// a live Go kernel. Nodes that do not depend on each other run at the same
// time: the two branches of a convolution's gradient, a GAN discriminator's
// passes over real and fake images, the heads of a network.
type execNode struct {
	st *stagePart // a stage's group of ops, or
	c  *customOp  // a kernel
	// reads: the values the node reads (a stage's Parameters, a kernel's
	// inputs, in their order); counted: the ones among them released by
	// count, once each.
	reads, counted []*handle
	succ           []int // nodes that wait for this one
	deps           int   // how many nodes this one waits for
}

func (n *execNode) name() string {
	if n.c != nil {
		return n.c.name
	}
	return "simplego stage"
}

// plan builds the executable's node graph from the compiled stages and live
// kernels. A node waits for the nodes that compute what it reads; a stage
// that is donated a value (its last reader in build order, which simplego
// may overwrite in place) also waits for every other reader of that value.
// Every other intermediate value is released when its last reader ends.
func (e *executable) plan(lastUse map[*handle]int, donated map[*handle]bool) {
	s := e.s
	producer := make(map[*handle]int)
	ci := 0
	for i, st := range s.stages {
		for _, p := range st.parts {
			for _, h := range p.outputs {
				if h.user < 0 {
					producer[h] = len(e.nodes)
				}
			}
			e.nodes = append(e.nodes, &execNode{st: p, reads: p.params})
		}
		for ; ci < len(s.customs) && s.customs[ci].after == i; ci++ {
			if c := s.customs[ci]; c.live {
				for _, h := range c.outputs {
					producer[h] = len(e.nodes)
				}
				e.nodes = append(e.nodes, &execNode{c: c, reads: c.inputs})
			}
		}
	}
	readersOf := make(map[*handle][]int)
	e.readers = make(map[*handle]int)
	for i, n := range e.nodes {
		for _, h := range n.reads {
			if r := readersOf[h]; len(r) > 0 && r[len(r)-1] == i {
				continue // read twice by the same kernel
			}
			readersOf[h] = append(readersOf[h], i)
			if _, ok := lastUse[h]; ok && !donated[h] {
				n.counted = append(n.counted, h)
				e.readers[h]++
			}
		}
	}
	edge := func(from, to int) {
		if from == to || slices.Contains(e.nodes[from].succ, to) {
			return
		}
		e.nodes[from].succ = append(e.nodes[from].succ, to)
		e.nodes[to].deps++
	}
	for i, n := range e.nodes {
		for j, h := range n.reads {
			if p, ok := producer[h]; ok {
				edge(p, i)
			}
			if n.st != nil && n.st.donate[j] {
				for _, r := range readersOf[h] {
					edge(r, i)
				}
			}
		}
	}
}

// nodeRun is the state of one Execute's nodes.
type nodeRun struct {
	e      *executable
	device backends.DeviceNum
	mu     sync.Mutex // guards values, finalVals and readers
	// values holds the computed intermediate values (and the inputs);
	// finalVals the copies of inputs that are outputs too.
	values, finalVals map[*handle]backends.Buffer
	readers           map[*handle]int // readers still to come
}

type nodeDone struct {
	i   int
	err error
}

// runNodes runs every node, each once the nodes it waits for are done, up
// to e.par at a time (lowest build order first). After an error it starts
// no more nodes, waits for the running ones and returns the first error.
func (e *executable) runNodes(values, finalVals map[*handle]backends.Buffer, device backends.DeviceNum) error {
	r := &nodeRun{e: e, device: device, values: values, finalVals: finalVals, readers: make(map[*handle]int, len(e.readers))}
	for h, n := range e.readers {
		r.readers[h] = n
	}
	waiting := make([]int, len(e.nodes))
	var ready []int // ascending
	for i, n := range e.nodes {
		if waiting[i] = n.deps; n.deps == 0 {
			ready = append(ready, i)
		}
	}
	finish := func(i int) {
		for _, j := range e.nodes[i].succ {
			if waiting[j]--; waiting[j] == 0 {
				k, _ := slices.BinarySearch(ready, j)
				ready = slices.Insert(ready, k, j)
			}
		}
	}
	done := make(chan nodeDone, len(e.nodes))
	running, finished := 0, 0
	var firstErr error
	for {
		for firstErr == nil && len(ready) > 0 && running < max(e.par, 1) {
			i := ready[0]
			ready = ready[1:]
			if running == 0 && len(ready) == 0 {
				// Alone: run it here, without a goroutine's hand-offs.
				finished++
				if firstErr = r.run(i); firstErr == nil {
					finish(i)
				}
				continue
			}
			running++
			goPool.goRun(func() { done <- nodeDone{i, r.run(i)} })
		}
		if running == 0 {
			break
		}
		d := <-done
		running--
		finished++
		if d.err != nil && firstErr == nil {
			firstErr = d.err
		}
		if firstErr == nil {
			finish(d.i)
		}
	}
	if firstErr == nil && finished != len(e.nodes) {
		return fmt.Errorf("dl4go backend Execute: %d of %d nodes ran (bug: a dependency cycle)", finished, len(e.nodes))
	}
	return firstErr
}

// run runs node i: it takes its inputs from the values (handing the donated
// ones over), runs, stores its outputs and releases the values it was the
// last reader of.
func (r *nodeRun) run(i int) error {
	n := r.e.nodes[i]
	in := make([]backends.Buffer, len(n.reads))
	r.mu.Lock()
	for j, h := range n.reads {
		v, ok := r.values[h]
		if !ok {
			r.mu.Unlock()
			return fmt.Errorf("dl4go backend Execute: input #%d of %s (node %d) not computed (bug)", j, n.name(), i)
		}
		in[j] = v
	}
	if n.st != nil {
		for j, h := range n.reads {
			if n.st.donate[j] {
				delete(r.values, h) // simplego's now
			}
		}
	}
	r.mu.Unlock()
	var outs []backends.Buffer
	var err error
	if n.st != nil {
		labelled(n.name(), func() { outs, err = n.st.exe.Execute(in, n.st.donate, r.device) })
		if err != nil {
			return fmt.Errorf("dl4go backend Execute stage (node %d): %w", i, err)
		}
	} else {
		labelled(n.name(), func() { outs, err = r.e.runCustom(n.c, in) })
		if err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if n.st != nil {
		for j, h := range n.st.outputs {
			if h.user >= 0 {
				r.finalVals[h] = outs[j] // a copy made for the caller
				continue
			}
			r.values[h] = outs[j]
		}
	} else {
		for j, h := range n.c.outputs {
			r.values[h] = outs[j]
		}
	}
	for _, h := range n.counted {
		if r.readers[h]--; r.readers[h] == 0 {
			if b, ok := r.values[h]; ok {
				_ = r.e.s.be.BufferFinalize(b)
				delete(r.values, h)
			}
		}
	}
	return nil
}
