package gomlxext_test

import (
	"fmt"
	"os"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
)

// A lesson's training cell: a logistic regression on MNIST, trained with checkpoints so that an
// interrupted run resumes where it stopped.
func ExampleFit() {
	backend := gomlxext.MustBackend()
	model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		x := graph.Reshape(inputs[0], inputs[0].Shape().Dimensions[0], -1) // [B,28,28] → [B,784]
		return []*graph.Node{layers.DenseWithBias(ctx, x, mnist.NumClasses)}
	}
	trainer := train.NewTrainer(backend, context.New(), model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.Adam().Done(), nil, nil)

	set, err := mnist.Load(mnist.Train)
	if err != nil {
		panic(err)
	}
	// In a lesson the kit gives the folder: run.Part("classifier") (see package lessons).
	dir, err := os.MkdirTemp("", "dl4go-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	res, err := gomlxext.Fit(trainer, set.Dataset(64).Shuffle(1).Infinite(),
		gomlxext.FitOptions{Steps: 20, CheckpointDir: dir})
	if err != nil {
		panic(err)
	}
	fmt.Println("global step:", res.GlobalStep, "loss below 2.3:", res.Last["loss"] < 2.3)
	// Output: global step: 20 loss below 2.3: true
}
