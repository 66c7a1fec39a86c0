package models

import (
	"testing"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
)

// TestMLPLearnsMNIST trains the MLP for a few hundred steps on gomlxext.Backend() and checks the
// test accuracy is far above chance (10%).
func TestMLPLearnsMNIST(t *testing.T) {
	backend, err := gomlxext.Backend()
	if err != nil {
		t.Fatal(err)
	}
	trainSet, err := mnist.Load(mnist.Train)
	if err != nil {
		t.Fatal(err)
	}
	testSet, err := mnist.Load(mnist.Test)
	if err != nil {
		t.Fatal(err)
	}
	trainer, err := NewTrainer(backend, MLP, 1e-3, 1)
	if err != nil {
		t.Fatal(err)
	}
	const steps = 300
	res, err := gomlxext.Fit(trainer, trainSet.Dataset(64).Shuffle(1).Infinite(), gomlxext.FitOptions{Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	eval, err := gomlxext.Evaluate(trainer, testSet.Dataset(1000))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backend %s: %d steps, median %s/step, loss %.3f, test accuracy %.4f",
		gomlxext.Chosen().Config, steps, res.MedianStep, res.Last["loss"], eval["#acc"])
	if acc := eval["#acc"]; !(acc >= 0.85) {
		t.Errorf("test accuracy after %d steps = %.4f, want >= 0.85 (chance is 0.10)", steps, acc)
	}
}
