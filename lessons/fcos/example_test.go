package fcos

import (
	"fmt"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/detection"
)

// CenterNess is 1 at the centre of a box and falls towards its edges.
func ExampleCenterNess() {
	box := detection.Box{X0: 0, Y0: 0, X1: 20, Y1: 10}
	for _, p := range [][2]float64{{10, 5}, {5, 5}, {2, 1}} {
		d := LTRB(p[0], p[1], box)
		fmt.Printf("(%g, %g): l,t,r,b = %v  center-ness %.3f\n", p[0], p[1], d, CenterNess(d))
	}
	// Output:
	// (10, 5): l,t,r,b = [10 5 10 5]  center-ness 1.000
	// (5, 5): l,t,r,b = [5 5 15 5]  center-ness 0.577
	// (2, 1): l,t,r,b = [2 1 18 9]  center-ness 0.111
}

// Assign sends a small box nested in a large one to the fine level and the large box to the
// coarse one: the location inside both is ambiguous without size ranges, not with them.
func ExampleAssign() {
	objs := []shapes.Object{
		{Class: shapes.Square, Box: detection.Box{X0: 0, Y0: 0, X1: 32, Y1: 32}},
		{Class: shapes.Circle, Box: detection.Box{X0: 8, Y0: 8, X1: 16, Y1: 16}},
	}
	levels := []Level{{Stride: 8, MinReach: 0, MaxReach: 12}, {Stride: 16, MinReach: 12, MaxReach: 64}}
	for _, ranges := range []bool{false, true} {
		ts := Assign(objs, 32, levels, ranges)
		t := ts[1*4+1] // stride 8, row 1, col 1: the point (12, 12)
		fmt.Printf("ranges %v: (12,12) → object %d, %d candidate boxes\n", ranges, t.Object, t.Candidates)
	}
	a := CountAmbiguity([]shapes.Sample{{Size: 32, Objects: objs}}, levels)
	fmt.Printf("ambiguous: %d of %d without ranges, %d of %d with\n", a.Ambiguous, a.Positives, a.FPNAmbiguous, a.FPNPositives)
	// Output:
	// ranges false: (12,12) → object 1, 2 candidate boxes
	// ranges true: (12,12) → object 1, 1 candidate boxes
	// ambiguous: 1 of 20 without ranges, 0 of 5 with
}
