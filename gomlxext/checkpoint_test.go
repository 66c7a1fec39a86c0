package gomlxext

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// loopState is a custom loop's state, saved with its variables.
type loopState struct {
	Losses []float64
	Name   string
}

// saveSteps opens dir for a fresh context, then, for each step, sets the variable "w" and the
// global step to that step and saves.
func saveSteps(t *testing.T, dir string, steps ...int) {
	t.Helper()
	ctx := context.New()
	ck, err := Checkpoints(ctx, dir).Immediate().Done()
	if err != nil {
		t.Fatal(err)
	}
	v := ctx.Reuse().Checked(false).VariableWithShape("w", shapes.Make(dtypes.Float32, 2))
	for _, s := range steps {
		v.MustSetValue(tensors.FromValue([]float32{float32(s), -float32(s)}))
		optimizers.GetGlobalStepVar(ctx).MustSetValue(tensors.FromValue(int64(s)))
		if err := ck.Save(loopState{Losses: []float64{float64(s), 0.5}, Name: "run"}); err != nil {
			t.Fatal(err)
		}
	}
}

// open reopens dir in a fresh context and returns the step, the variable and the state loaded.
func open(t *testing.T, dir string) (int64, []float32, loopState) {
	t.Helper()
	ctx := context.New()
	var st loopState
	ck, err := Checkpoints(ctx, dir).Immediate().LoadState(&st).Done()
	if err != nil {
		t.Fatal(err)
	}
	v := ctx.GetVariableByScopeAndName("/", "w")
	if v == nil {
		return ck.Step(), nil, st
	}
	return ck.Step(), tensors.MustCopyFlatData[float32](v.MustValue()), st
}

func TestCheckpointStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	saveSteps(t, dir, 3, 7)
	step, w, st := open(t, dir)
	if step != 7 || len(w) != 2 || w[0] != 7 || st.Name != "run" || st.Losses[0] != 7 {
		t.Fatalf("reopened: step %d, w %v, state %+v; want step 7, w [7 -7], the state saved at 7", step, w, st)
	}
	// Keep(2): three saves leave two checkpoints, and no state file without its checkpoint.
	saveSteps(t, dir, 9)
	bases, _ := checkpointBases(dir)
	states, _ := filepath.Glob(filepath.Join(dir, "*"+stateSuffix))
	if len(bases) != 2 || len(states) != 2 {
		t.Errorf("after 3 saves with Keep(2): %d checkpoints, %d state files; want 2 and 2", len(bases), len(states))
	}
}

// TestCheckpointDamagedFallsBack cuts each kind of file of the latest checkpoint short, as a save
// interrupted mid-write would leave it, and checks that the one before is used and the damaged
// one moved aside; with every checkpoint damaged, the run starts from scratch.
func TestCheckpointDamagedFallsBack(t *testing.T) {
	for _, suffix := range []string{".bin", ".json", stateSuffix, "missing" + stateSuffix} {
		t.Run(suffix, func(t *testing.T) {
			dir := t.TempDir()
			saveSteps(t, dir, 4, 8)
			bases, _ := checkpointBases(dir)
			latest := filepath.Join(dir, bases[len(bases)-1])
			if suffix == "missing"+stateSuffix {
				os.Remove(latest + stateSuffix) // the save stopped before its state was written
			} else {
				truncate(t, latest+suffix)
			}
			step, w, st := open(t, dir)
			if step != 4 || len(w) != 2 || w[0] != 4 || st.Losses[0] != 4 {
				t.Fatalf("with the latest checkpoint's %s damaged: step %d, w %v, state %+v; want step 4", suffix, step, w, st)
			}
			moved, _ := filepath.Glob(filepath.Join(dir, damagedDir, "*"))
			if len(moved) == 0 {
				t.Errorf("the damaged checkpoint was not moved to %s", damagedDir)
			}
			// Training goes on from there, and saves again.
			saveSteps(t, dir, 5)
			if step, _, _ := open(t, dir); step != 5 {
				t.Errorf("after saving again: step %d, want 5", step)
			}
		})
	}
	t.Run("all damaged", func(t *testing.T) {
		dir := t.TempDir()
		saveSteps(t, dir, 4, 8)
		bases, _ := checkpointBases(dir)
		for _, b := range bases {
			truncate(t, filepath.Join(dir, b+".bin"))
		}
		step, w, _ := open(t, dir)
		if step != 0 || w != nil {
			t.Fatalf("every checkpoint damaged: step %d, w %v; want a fresh start", step, w)
		}
	})
}

func truncate(t *testing.T, name string) {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(name, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
}

func TestInterruptRequest(t *testing.T) {
	i := WatchInterrupt()
	defer i.Release()
	if i.Requested() {
		t.Fatal("requested before any signal")
	}
	i.Request()
	i.Request()
	if !i.Requested() {
		t.Fatal("not requested after Request")
	}
	<-i.Done()
}
