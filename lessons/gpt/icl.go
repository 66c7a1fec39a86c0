package gpt

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
)

// ICLConfig sizes the in-context learning experiment: a GPT trained on sequences that each hold
// one task — a random mapping from letters to digits, shown only by examples — and then asked,
// with 0, 1, 2, 4 or 8 examples in its prompt, to complete a query on mappings it never saw.
type ICLConfig struct {
	Keys     int // letters a task's keys are drawn from (A, B, …).
	Values   int // digits its values are drawn from (0, 1, …).
	TaskKeys int // keys per task: each is mapped to a random digit.
	Pairs    int // key→value pairs per training sequence (keys drawn from the task's, repeats included).
	// HeldOut is the share of all mappings held out: no training sequence shows one, and the test
	// asks only those.
	HeldOut float64
	Model   Model // Model.Vocab and SeqLen must be ICLVocab(Keys, Values) and 2·Pairs.
	Train   TrainConfig
	// Shots are the numbers of examples in the test prompts; TestTasks the held-out tasks asked
	// at each; ProbeTasks those of the 8-shot probe while training.
	Shots                 []int
	TestTasks, ProbeTasks int
	Seed                  uint64
}

// ICLVocab is the in-context learner's vocabulary size: [BOS], the keys, the values.
func ICLVocab(keys, values int) int { return 1 + keys + values }

const iclBOS = 0

// keyToken and valueToken are the ids of key k and value v.
func (c ICLConfig) keyToken(k int) int   { return 1 + k }
func (c ICLConfig) valueToken(v int) int { return 1 + c.Keys + v }

// Task is one mapping: Keys[i] → Values[i] (letters and digits as numbers, 0-based).
type Task struct {
	Keys, Values []int
}

// Map returns the value of key k and whether the task has it.
func (t Task) Map(k int) (int, bool) {
	for i, key := range t.Keys {
		if key == k {
			return t.Values[i], true
		}
	}
	return 0, false
}

// String writes the task as "A→3 F→7 …" in key order.
func (t Task) String() string {
	idx := make([]int, len(t.Keys))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return t.Keys[idx[a]] < t.Keys[idx[b]] })
	var parts []string
	for _, i := range idx {
		parts = append(parts, fmt.Sprintf("%c→%d", 'A'+t.Keys[i], t.Values[i]))
	}
	return strings.Join(parts, " ")
}

// heldOut reports whether task t is one of the held-out mappings (a hash of its sorted pairs).
func (c ICLConfig) heldOut(t Task) bool {
	type pair struct{ k, v int }
	ps := make([]pair, len(t.Keys))
	for i := range ps {
		ps[i] = pair{t.Keys[i], t.Values[i]}
	}
	sort.Slice(ps, func(a, b int) bool { return ps[a].k < ps[b].k })
	h := c.Seed ^ 0x9e3779b97f4a7c15
	for _, p := range ps {
		for _, x := range []int{p.k, p.v} {
			h ^= uint64(x) + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
			h *= 0xbf58476d1ce4e5b9
			h ^= h >> 31
		}
	}
	return float64(h>>11)/(1<<53) < c.HeldOut
}

// drawTask draws a task on the held-out side of the split or on the training side.
func (c ICLConfig) drawTask(rng *rand.Rand, heldOut bool) Task {
	for {
		perm := rng.Perm(c.Keys)[:c.TaskKeys]
		t := Task{Keys: append([]int(nil), perm...), Values: make([]int, c.TaskKeys)}
		for i := range t.Values {
			t.Values[i] = rng.IntN(c.Values)
		}
		if c.heldOut(t) == heldOut {
			return t
		}
	}
}

// check says what is wrong with the configuration, if anything.
func (c ICLConfig) check() error {
	switch {
	case c.Keys < 1 || c.Values < 2 || c.TaskKeys < 1 || c.TaskKeys > c.Keys || c.Keys > 26:
		return fmt.Errorf("gpt: in-context tasks: need 1 ≤ TaskKeys ≤ Keys ≤ 26 and Values ≥ 2, got %d, %d, %d", c.TaskKeys, c.Keys, c.Values)
	case c.Model.Vocab != ICLVocab(c.Keys, c.Values) || c.Model.SeqLen != 2*c.Pairs:
		return fmt.Errorf("gpt: in-context tasks: the model needs Vocab %d and SeqLen %d (2·Pairs), got %d and %d",
			ICLVocab(c.Keys, c.Values), 2*c.Pairs, c.Model.Vocab, c.Model.SeqLen)
	case c.HeldOut <= 0 || c.HeldOut >= 1:
		return fmt.Errorf("gpt: in-context tasks: HeldOut must be in (0, 1), got %g", c.HeldOut)
	}
	for _, k := range c.Shots {
		if k < 0 || k > c.TaskKeys || 2*k+2 > c.Model.SeqLen+1 {
			return fmt.Errorf("gpt: in-context tasks: %d shots: at most TaskKeys (%d) distinct examples fit the prompt", k, c.TaskKeys)
		}
	}
	return nil
}

// taskStream is the in-context learner's training stream: each sequence is [BOS] k₁ v₁ … k_P v_P
// for a fresh training-side task, keys drawn from the task's with repeats, so that a value is
// predictable exactly when its key was seen before in the sequence. The loss counts the value
// positions only (predicting a random key teaches nothing). The batch of step s depends only on s.
func taskStream(c ICLConfig) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches("tasks", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(c.Train.Seed, uint64(step)))
		l, b := c.Model.SeqLen, c.Train.Batch
		in, next, mask := make([]int32, b*l), make([]int32, b*l), make([]bool, b*l)
		for r := range b {
			t := c.drawTask(rng, false)
			seq := []int{iclBOS}
			for range c.Pairs {
				i := rng.IntN(c.TaskKeys)
				seq = append(seq, c.keyToken(t.Keys[i]), c.valueToken(t.Values[i]))
			}
			for j := range l {
				in[r*l+j], next[r*l+j] = int32(seq[j]), int32(seq[j+1])
				mask[r*l+j] = j%2 == 1 // input position 2i−1 holds key i and predicts its value
			}
		}
		return []*tensors.Tensor{tensors.FromFlatDataAndDimensions(in, b, l)},
			[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(next, b, l, 1), tensors.FromFlatDataAndDimensions(mask, b, l)}, nil
	})
}

// Prompt is one k-shot question: the examples (distinct keys of the task, in a random order) and
// the query, a key of the task drawn uniformly — among the examples or not.
type Prompt struct {
	Task     Task
	Examples []int // indexes into Task.Keys
	Query    int   // index into Task.Keys
}

// Shown reports whether the query's key is among the examples.
func (p Prompt) Shown() bool {
	for _, e := range p.Examples {
		if e == p.Query {
			return true
		}
	}
	return false
}

// String writes the prompt as the model reads it: "A→3 F→7 | C→?".
func (p Prompt) String() string {
	var parts []string
	for _, e := range p.Examples {
		parts = append(parts, fmt.Sprintf("%c→%d", 'A'+p.Task.Keys[e], p.Task.Values[e]))
	}
	return strings.TrimSpace(strings.Join(parts, " ") + fmt.Sprintf(" | %c→?", 'A'+p.Task.Keys[p.Query]))
}

// tokens returns the prompt's ids: [BOS] k v … k_query.
func (c ICLConfig) tokens(p Prompt) []int {
	ids := []int{iclBOS}
	for _, e := range p.Examples {
		ids = append(ids, c.keyToken(p.Task.Keys[e]), c.valueToken(p.Task.Values[e]))
	}
	return append(ids, c.keyToken(p.Task.Keys[p.Query]))
}

// TestPrompts draws n k-shot prompts on held-out tasks (seeded: every k gets the same tasks and
// queries, so the shot counts differ in the examples only).
func (c ICLConfig) TestPrompts(k, n int, seed uint64) []Prompt {
	rng := rand.New(rand.NewPCG(seed, 0x1c1))
	out := make([]Prompt, n)
	for i := range out {
		t := c.drawTask(rng, true)
		order := rng.Perm(c.TaskKeys)
		out[i] = Prompt{Task: t, Examples: order[:k], Query: rng.IntN(c.TaskKeys)}
	}
	return out
}

// ShotResult is the in-context learner's accuracy with one number of examples.
type ShotResult struct {
	Shots int
	// Accuracy is the share of held-out queries answered right (the most probable of the digits);
	// ShownAccuracy that of the queries whose key is among the examples (NaN when none is), and
	// Shown their share.
	Accuracy, ShownAccuracy, Shown float64
}

// Answer returns the model's answer to each prompt: the most probable value after the query.
func (t *Trained) Answer(c ICLConfig, prompts []Prompt) ([]int, error) {
	ctxs := make([][]int, len(prompts))
	for i, p := range prompts {
		ctxs[i] = c.tokens(p)
	}
	var out []int
	const batch = 128
	for b0 := 0; b0 < len(ctxs); b0 += batch {
		part := ctxs[b0:min(b0+batch, len(ctxs))]
		for len(part) < batch { // one compiled shape: pad with copies
			part = append(part, ctxs[b0])
		}
		lp, err := t.NextLogProbs(part)
		if err != nil {
			return nil, err
		}
		for i := range min(batch, len(ctxs)-b0) {
			best := 0
			for v := 1; v < c.Values; v++ {
				if lp[i][c.valueToken(v)] > lp[i][c.valueToken(best)] {
					best = v
				}
			}
			out = append(out, best)
		}
	}
	return out, nil
}

// fewShot measures the accuracy with k examples on n held-out prompts.
func (t *Trained) fewShot(c ICLConfig, k, n int, seed uint64) (ShotResult, error) {
	prompts := c.TestPrompts(k, n, seed)
	ans, err := t.Answer(c, prompts)
	if err != nil {
		return ShotResult{}, err
	}
	r := ShotResult{Shots: k}
	shown, shownRight := 0, 0
	for i, p := range prompts {
		right := ans[i] == p.Task.Values[p.Query]
		if right {
			r.Accuracy++
		}
		if p.Shown() {
			shown++
			if right {
				shownRight++
			}
		}
	}
	r.Accuracy /= float64(n)
	r.Shown = float64(shown) / float64(n)
	r.ShownAccuracy = float64(shownRight) / float64(shown) // 0/0 = NaN: no query shown
	return r, nil
}
