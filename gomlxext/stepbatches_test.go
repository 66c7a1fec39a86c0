package gomlxext

import (
	"errors"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestStepBatches(t *testing.T) {
	ds := NewStepBatches("steps", func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		if step == 5 {
			return nil, nil, errors.New("no batch 5")
		}
		return []*tensors.Tensor{tensors.FromValue(int64(step))}, []*tensors.Tensor{tensors.FromValue(-step)}, nil
	})
	next := func() (int64, int64) {
		t.Helper()
		_, in, lab, err := ds.Yield()
		if err != nil {
			t.Fatalf("Yield: %v", err)
		}
		return tensors.ToScalar[int64](in[0]), tensors.ToScalar[int64](lab[0])
	}
	if ds.Name() != "steps" {
		t.Errorf("Name() = %q, want %q", ds.Name(), "steps")
	}
	for want := int64(0); want < 3; want++ {
		if in, lab := next(); in != want || lab != -want {
			t.Fatalf("batch %d: got inputs %d, labels %d", want, in, lab)
		}
	}
	ds.SeekStep(4)
	if in, _ := next(); in != 4 {
		t.Errorf("after SeekStep(4): got batch %d, want 4", in)
	}
	if _, _, _, err := ds.Yield(); err == nil {
		t.Errorf("Yield at step 5: got no error, want the batch function's")
	}
	if _, _, _, err := ds.Yield(); err == nil {
		t.Errorf("a failed step must not be skipped: the next Yield should fail again")
	}
	ds.Reset()
	if in, _ := next(); in != 0 {
		t.Errorf("after Reset: got batch %d, want 0", in)
	}
}
