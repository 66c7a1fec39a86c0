package ctc_test

import (
	"fmt"

	"github.com/dl4go/dl4go/lessons/ctc"
)

// The collapse rule on "hello" (h=1 e=2 l=3 o=4, 0 the blank): without a blank between them,
// the two l's merge into one.
func ExampleCollapse() {
	fmt.Println(ctc.Collapse([]int{1, 1, 2, 0, 3, 3, 0, 3, 4}), ctc.Collapse([]int{1, 2, 3, 3, 3, 4}))
	// Output: [1 2 3 3 4] [1 2 3 4]
}

// The forward algorithm computes the sum over every alignment, in a fraction of the work.
func ExampleRunCheck() {
	c, err := ctc.RunCheck(6)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d of %d paths collapse to 1 1 2; forward and brute force agree: %v\n", c.Matching, c.Paths, c.MaxDiff() < 1e-9)
	// Output: 28 of 729 paths collapse to 1 1 2; forward and brute force agree: true
}
