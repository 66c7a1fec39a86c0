package gomlxext

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/dl4go/dl4go/internal/atomicfile"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// CheckpointBuilder configures a checkpoint folder; see [Checkpoints].
type CheckpointBuilder struct {
	ctx       *context.Context
	dir       string
	keep      int
	immediate bool
	state     any
}

// Checkpoints starts configuring the checkpoint folder dir of ctx, in GoMLX's builder style:
//
//	ck, err := gomlxext.Checkpoints(ctx, dir).Immediate().LoadState(&history).Done()
//	...
//	err = ck.Save(history)
//
// It adds to GoMLX's checkpoints package what a lesson needs to never lose work and never be
// bricked by it: the caller's own state (a training history, a replay buffer's position, ...)
// saved with the variables, and saves that survive interruption — a checkpoint counts only once
// its state file has been written, atomically, after GoMLX finished writing the variables; a
// damaged checkpoint (a save cut short, a truncated or unreadable file) is moved to dir/damaged
// with a one-line warning, and the one before it is used.
func Checkpoints(ctx *context.Context, dir string) *CheckpointBuilder {
	return &CheckpointBuilder{ctx: ctx, dir: dir, keep: 2}
}

// Keep sets how many checkpoints are kept (default 2, so that a damaged latest one has a
// predecessor).
func (b *CheckpointBuilder) Keep(n int) *CheckpointBuilder {
	b.keep = n
	return b
}

// Immediate creates the loaded variables in the context at once (for loops that read variables
// directly); without it they are set when the graph that uses them is built (train.Trainer).
func (b *CheckpointBuilder) Immediate() *CheckpointBuilder {
	b.immediate = true
	return b
}

// LoadState makes Done decode the state saved with the loaded checkpoint into state (a pointer;
// gob encoding, so NaN and ±Inf survive). It is left untouched when there is no checkpoint.
func (b *CheckpointBuilder) LoadState(state any) *CheckpointBuilder {
	b.state = state
	return b
}

// Checkpoint is an open checkpoint folder; see [Checkpoints].
type Checkpoint struct {
	// Handler is GoMLX's checkpoint handler, attached to the context.
	Handler *checkpoints.Handler
	dir     string
	ctx     *context.Context
	step    int64
}

// stateSuffix names the file beside GoMLX's <base>.json and <base>.bin that holds the caller's
// state and marks the checkpoint complete.
const stateSuffix = ".state"

// damagedDir is the sub-folder damaged checkpoints are moved to.
const damagedDir = "damaged"

// savedState is a checkpoint's state file.
type savedState struct {
	Step  int64
	State []byte
}

// Done opens the folder (creating it): it loads the latest complete checkpoint into the context
// and its state, moving damaged ones aside; with none, the context is left as it is (a fresh run).
func (b *CheckpointBuilder) Done() (*Checkpoint, error) {
	if b.keep <= 0 {
		b.keep = 2
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint folder: %w", err)
	}
	damaged := 0
	for {
		bases, err := checkpointBases(b.dir)
		if err != nil {
			return nil, err
		}
		var saved savedState
		if len(bases) > 0 {
			latest := bases[len(bases)-1]
			if saved, err = b.readState(latest); err != nil {
				if err := moveDamaged(b.dir, latest, err); err != nil {
					return nil, err
				}
				damaged++
				continue
			}
		}
		cfg := checkpoints.Build(b.ctx).Dir(b.dir).Keep(b.keep)
		if b.immediate {
			cfg = cfg.Immediate()
		}
		h, err := cfg.Done()
		if err != nil {
			if len(bases) == 0 {
				return nil, fmt.Errorf("open checkpoints in %s: %w", b.dir, err)
			}
			if err := moveDamaged(b.dir, bases[len(bases)-1], err); err != nil {
				return nil, err
			}
			damaged++
			continue
		}
		if len(bases) > 0 && b.state != nil {
			// Checked by readState, so this cannot fail but for a programmer error.
			if err := gob.NewDecoder(bytes.NewReader(saved.State)).Decode(b.state); err != nil {
				return nil, fmt.Errorf("checkpoint state in %s: %w", b.dir, err)
			}
		}
		if damaged > 0 {
			if len(bases) > 0 {
				fmt.Fprintf(os.Stderr, "dl4go: resuming from the checkpoint before it, at step %d\n", saved.Step)
			} else {
				fmt.Fprintf(os.Stderr, "dl4go: no valid checkpoint left in %s: training from scratch\n", b.dir)
			}
		}
		return &Checkpoint{Handler: h, dir: b.dir, ctx: b.ctx, step: saved.Step}, nil
	}
}

// readState reads and checks the state file of checkpoint base.
func (b *CheckpointBuilder) readState(base string) (savedState, error) {
	var saved savedState
	data, err := os.ReadFile(filepath.Join(b.dir, base+stateSuffix))
	if errors.Is(err, fs.ErrNotExist) {
		return saved, errors.New("its save did not finish")
	} else if err != nil {
		return saved, err
	}
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&saved); err != nil {
		return saved, fmt.Errorf("state file: %w", err)
	}
	if b.state != nil {
		probe := reflect.New(reflect.TypeOf(b.state).Elem()).Interface()
		if err := gob.NewDecoder(bytes.NewReader(saved.State)).Decode(probe); err != nil {
			return saved, fmt.Errorf("state file: %w", err)
		}
	}
	return saved, nil
}

// Step is the global step of the checkpoint loaded (0 when the run starts fresh).
func (c *Checkpoint) Step() int64 { return c.step }

// Dir is the checkpoint folder.
func (c *Checkpoint) Dir() string { return c.dir }

// Save saves the context's variables (GoMLX's Save) and then state, which marks the checkpoint
// complete. state may be nil.
func (c *Checkpoint) Save(state any) error {
	if err := c.Handler.Save(); err != nil {
		return fmt.Errorf("save checkpoint in %s: %w", c.dir, err)
	}
	bases, err := checkpointBases(c.dir)
	if err != nil {
		return err
	}
	if len(bases) == 0 {
		return fmt.Errorf("save checkpoint in %s: GoMLX wrote no checkpoint", c.dir)
	}
	saved := savedState{Step: optimizers.GetGlobalStep(c.ctx)}
	if state != nil {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(state); err != nil {
			return fmt.Errorf("save checkpoint in %s: encode the state: %w", c.dir, err)
		}
		saved.State = buf.Bytes()
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(saved); err != nil {
		return fmt.Errorf("save checkpoint in %s: %w", c.dir, err)
	}
	if err := atomicfile.Write(filepath.Join(c.dir, bases[len(bases)-1]+stateSuffix), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	c.step = saved.Step
	// Drop the state files of the checkpoints GoMLX's Keep removed.
	have := map[string]bool{}
	for _, b := range bases {
		have[b] = true
	}
	stale, _ := filepath.Glob(filepath.Join(c.dir, "checkpoint-*"+stateSuffix))
	for _, f := range stale {
		if !have[strings.TrimSuffix(filepath.Base(f), stateSuffix)] {
			os.Remove(f)
		}
	}
	return nil
}

// checkpointBases lists GoMLX's checkpoints in dir, oldest first (their names start with a
// counter).
func checkpointBases(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "checkpoint-*"+checkpoints.JsonNameSuffix))
	if err != nil {
		return nil, err
	}
	bases := make([]string, len(names))
	for i, n := range names {
		bases[i] = strings.TrimSuffix(filepath.Base(n), checkpoints.JsonNameSuffix)
	}
	sort.Strings(bases)
	return bases, nil
}

// moveDamaged moves the files of checkpoint base to dir/damaged, saying why on stderr.
func moveDamaged(dir, base string, why error) error {
	to := filepath.Join(dir, damagedDir)
	if err := os.MkdirAll(to, 0o755); err != nil {
		return fmt.Errorf("move damaged checkpoint %s aside: %w (delete %s to start over)", base, err, dir)
	}
	for _, suffix := range []string{checkpoints.JsonNameSuffix, checkpoints.BinDataSuffix, stateSuffix} {
		err := os.Rename(filepath.Join(dir, base+suffix), filepath.Join(to, base+suffix))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("move damaged checkpoint %s aside: %w (delete %s to start over)", base, err, dir)
		}
	}
	msg := why.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	fmt.Fprintf(os.Stderr, "dl4go: checkpoint %s in %s is damaged (%s): moved it to %s\n", base, dir, msg, to)
	return nil
}

// Interrupt turns SIGINT and SIGTERM (a kernel interrupt, Ctrl-C) into a request that a training
// loop sees between two steps, so it can save a checkpoint and return instead of dying. Every
// loop in dl4go uses it, Fit included:
//
//	stop := gomlxext.WatchInterrupt()
//	defer stop.Release()
//	for step := start; step < steps && !stop.Requested(); step++ { ... }
type Interrupt struct {
	ch   chan os.Signal
	done chan struct{}
	once sync.Once
}

// WatchInterrupt starts watching for SIGINT/SIGTERM until Release.
func WatchInterrupt() *Interrupt {
	i := &Interrupt{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(i.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-i.ch; ok {
			i.Request()
		}
	}()
	return i
}

// Request makes Requested true, as a signal would (e.g. FitOptions.Stop, tests).
func (i *Interrupt) Request() { i.once.Do(func() { close(i.done) }) }

// Requested reports whether an interrupt arrived.
func (i *Interrupt) Requested() bool {
	select {
	case <-i.done:
		return true
	default:
		return false
	}
}

// Done is closed when an interrupt arrives.
func (i *Interrupt) Done() <-chan struct{} { return i.done }

// Release stops watching: later signals act as usual again.
func (i *Interrupt) Release() {
	signal.Stop(i.ch)
	close(i.ch)
}
