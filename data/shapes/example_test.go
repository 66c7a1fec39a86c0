package shapes_test

import (
	"fmt"

	"github.com/dl4go/dl4go/data/shapes"
)

func Example() {
	gen, err := shapes.New(shapes.Default())
	if err != nil {
		panic(err)
	}
	s := gen.Sample(0)
	fmt.Println("image:", s.Size, "×", s.Size, "× 3 =", len(s.Image), "values")
	for _, o := range s.Objects {
		fmt.Printf("%s at %v\n", shapes.ClassNames[o.Class], o.Box)
	}
	// Output:
	// image: 48 × 48 × 3 = 6912 values
	// triangle at {6 20 23 37}
}
