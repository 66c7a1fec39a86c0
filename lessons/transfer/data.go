package transfer

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
)

// Images is a set of MNIST images with class labels 0..len(digits)-1 (the index of the digit in
// the task's list: digit 7 of the target task 5–9 is class 2).
type Images struct {
	Pixels []float32 // [N, 28, 28] row-major, in [0, 1]
	Labels []int32   // [N]
}

// Len is the number of images.
func (im Images) Len() int { return len(im.Labels) }

const pixels = mnist.Height * mnist.Width

// task returns the images of set whose digit is in digits, labelled by its index there.
func task(set *mnist.Set, digits []int) Images {
	class := map[int32]int32{}
	for i, d := range digits {
		class[int32(d)] = int32(i)
	}
	var out Images
	for i, d := range set.Labels {
		if c, ok := class[d]; ok {
			out.Pixels = append(out.Pixels, set.Image(i)...)
			out.Labels = append(out.Labels, c)
		}
	}
	return out
}

// pick returns the images at idx, in that order.
func (im Images) pick(idx []int) Images {
	var out Images
	for _, i := range idx {
		out.Pixels = append(out.Pixels, im.Pixels[i*pixels:(i+1)*pixels]...)
		out.Labels = append(out.Labels, im.Labels[i])
	}
	return out
}

// Split is the target task's data: Train and Validation are the report's 70/30 split of the
// small labelled set, Test the held-out images the metric is measured on.
type Split struct {
	Train, Validation, Test Images
}

// targetSplit draws perClass training images of each target class from MNIST's training split
// (a seeded choice), shuffles them and splits them trainShare / rest, like the report's
// split=['train[:70%]', 'train[70%:]']; the test images are the first testSize target images of
// MNIST's test split (all of them when testSize is 0).
func targetSplit(digits []int, perClass int, trainShare float64, testSize int, seed uint64) (*Split, error) {
	trainSet, err := mnist.Load(mnist.Train)
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	testSet, err := mnist.Load(mnist.Test)
	if err != nil {
		return nil, fmt.Errorf("transfer: %w", err)
	}
	all := task(trainSet, digits)
	rng := rand.New(rand.NewPCG(seed, 5))
	byClass := make([][]int, len(digits))
	for i, c := range all.Labels {
		byClass[c] = append(byClass[c], i)
	}
	var chosen []int
	for c, idx := range byClass {
		if len(idx) < perClass {
			return nil, fmt.Errorf("transfer: digit %d has %d training images, fewer than PerClass %d", digits[c], len(idx), perClass)
		}
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		chosen = append(chosen, idx[:perClass]...)
	}
	rng.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	nTrain := int(float64(len(chosen))*trainShare + 0.5)
	if nTrain < 1 || nTrain >= len(chosen) {
		return nil, fmt.Errorf("transfer: a train share of %g leaves %d of %d images for training: want both parts non-empty", trainShare, nTrain, len(chosen))
	}
	s := &Split{Train: all.pick(chosen[:nTrain]), Validation: all.pick(chosen[nTrain:])}
	s.Test = task(testSet, digits)
	if testSize > 0 && testSize < s.Test.Len() {
		s.Test = s.Test.pick(seq(testSize))
	}
	return s, nil
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// imagesTensor stacks images into [n, 28, 28, 1].
func imagesTensor(flat []float32, n int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(flat, n, mnist.Height, mnist.Width, 1)
}

// epochBatches is the report's model.fit(train_batches, batch_size=16) stream: epoch e visits
// every training image once, in an order drawn from (seed, e); an epoch has ⌈N/batch⌉ steps and
// its last batch is filled up from the start of that order. Labels are one-hot
// ([batch, classes], tf.one_hot) when oneHot, else class indices [batch, 1].
func epochBatches(name string, im Images, batch, classes int, oneHot bool, seed uint64) (*gomlxext.StepBatches, int) {
	n := im.Len()
	perEpoch := (n + batch - 1) / batch
	return gomlxext.NewStepBatches(name, func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		epoch, k := int(step)/perEpoch, int(step)%perEpoch
		order := rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
		idx := make([]int, batch)
		for j := range idx {
			idx[j] = order[(k*batch+j)%n]
		}
		b := im.pick(idx)
		return []*tensors.Tensor{imagesTensor(b.Pixels, batch)}, []*tensors.Tensor{labelsTensor(b.Labels, classes, oneHot)}, nil
	}), perEpoch
}

// randomBatches draws batches of images at random (with replacement); the batch of step s
// depends only on (seed, s). Labels are class indices [batch, 1].
func randomBatches(name string, im Images, batch int, seed uint64) *gomlxext.StepBatches {
	return gomlxext.NewStepBatches(name, func(step int64) ([]*tensors.Tensor, []*tensors.Tensor, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(step)))
		idx := make([]int, batch)
		for j := range idx {
			idx[j] = rng.IntN(im.Len())
		}
		b := im.pick(idx)
		return []*tensors.Tensor{imagesTensor(b.Pixels, batch)}, []*tensors.Tensor{labelsTensor(b.Labels, 0, false)}, nil
	})
}

// labelsTensor is [n, classes] one-hot, or [n, 1] int32 class indices.
func labelsTensor(labels []int32, classes int, oneHot bool) *tensors.Tensor {
	if !oneHot {
		return tensors.FromFlatDataAndDimensions(append([]int32(nil), labels...), len(labels), 1)
	}
	v := make([]float32, len(labels)*classes)
	for i, c := range labels {
		v[i*classes+int(c)] = 1
	}
	return tensors.FromFlatDataAndDimensions(v, len(labels), classes)
}
