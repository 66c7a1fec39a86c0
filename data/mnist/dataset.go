package mnist

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Dataset yields batches of a Set; it implements GoMLX's train.Dataset. Each Yield returns
// inputs = [images float32 [B,28,28]] and labels = [digits int32 [B,1]], the label shape
// GoMLX's losses.SparseCategoricalCrossEntropyLogits expects.
//
// By default it makes one pass in order, the last batch possibly smaller; Shuffle and Infinite
// change that. The order depends only on the seed and the batch count, so a training run resumed
// with SeekStep sees exactly the batches it would have seen without the interruption.
type Dataset struct {
	set      *Set
	name     string
	batch    int
	shuffle  bool
	seed     uint64
	infinite bool

	epoch int
	pos   int
	order []int
}

// Dataset returns a train.Dataset of batches of batchSize examples from s (see Dataset's doc).
func (s *Set) Dataset(batchSize int) *Dataset {
	if batchSize <= 0 {
		panic(fmt.Sprintf("mnist: batch size %d must be positive", batchSize))
	}
	d := &Dataset{set: s, name: "mnist-" + string(s.Split), batch: batchSize}
	d.reorder()
	return d
}

// Shuffle makes each epoch visit the examples in a new random order drawn from seed.
func (d *Dataset) Shuffle(seed uint64) *Dataset {
	d.shuffle, d.seed = true, seed
	d.reorder()
	return d
}

// Infinite makes Yield loop over epochs forever, dropping each epoch's incomplete last batch so
// that every batch has the same shape. Use with train.Loop.RunSteps (not RunEpochs).
func (d *Dataset) Infinite() *Dataset {
	d.infinite = true
	return d
}

// BatchesPerEpoch returns the number of batches in one pass over the data.
func (d *Dataset) BatchesPerEpoch() int {
	n := d.set.Len() / d.batch
	if !d.infinite && d.set.Len()%d.batch != 0 {
		n++
	}
	return n
}

// SeekStep positions the stream after step batches from the start of the first epoch, as if
// they had been yielded. gomlxext.Fit calls it when it resumes from a checkpoint.
func (d *Dataset) SeekStep(step int64) {
	per := int64(d.BatchesPerEpoch())
	d.epoch = int(step / per)
	d.pos = int(step%per) * d.batch
	d.reorder()
}

// Name implements train.Dataset.
func (d *Dataset) Name() string { return d.name }

// Reset implements train.Dataset: it starts the next epoch (a fresh order when shuffled).
func (d *Dataset) Reset() {
	d.epoch++
	d.pos = 0
	d.reorder()
}

func (d *Dataset) reorder() {
	n := d.set.Len()
	if len(d.order) != n {
		d.order = make([]int, n)
	}
	for i := range d.order {
		d.order[i] = i
	}
	if d.shuffle {
		r := rand.New(rand.NewPCG(d.seed, uint64(d.epoch)))
		r.Shuffle(n, func(i, j int) { d.order[i], d.order[j] = d.order[j], d.order[i] })
	}
}

// Yield implements train.Dataset; see Dataset for the shapes. It returns io.EOF at the end of a
// finite pass.
func (d *Dataset) Yield() (spec any, inputs, labels []*tensors.Tensor, err error) {
	n := d.set.Len()
	if d.pos >= n || (d.infinite && d.pos+d.batch > n) {
		if !d.infinite {
			return nil, nil, nil, io.EOF
		}
		d.Reset()
	}
	b := min(d.batch, n-d.pos)
	const pixels = Height * Width
	images := make([]float32, b*pixels)
	digits := make([]int32, b)
	for i, idx := range d.order[d.pos : d.pos+b] {
		copy(images[i*pixels:(i+1)*pixels], d.set.Images[idx*pixels:(idx+1)*pixels])
		digits[i] = d.set.Labels[idx]
	}
	d.pos += b
	return nil,
		[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(images, b, Height, Width)},
		[]*tensors.Tensor{tensors.FromFlatDataAndDimensions(digits, b, 1)},
		nil
}
