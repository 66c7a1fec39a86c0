package maskrcnn_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/data/shapes"
	"github.com/dl4go/dl4go/lessons/maskrcnn"
)

// The RPN's anchors: 6 per cell of the 12×12 stride-4 map of a 48-pixel image.
func ExampleAnchors() {
	cfg := maskrcnn.Full()
	anchors := maskrcnn.Anchors(cfg.Data.Size, cfg.Model)
	fmt.Println(len(anchors), "anchors,", cfg.Model.AnchorsPerCell(), "per cell")
	for _, a := range anchors[:cfg.Model.AnchorsPerCell()] { // the first cell's, centred on (2, 2)
		fmt.Printf("%.1f×%.1f ", a.Width(), a.Height())
	}
	fmt.Println()
	// Output:
	// 864 anchors, 6 per cell
	// 17.0×8.5 12.0×12.0 8.5×17.0 28.3×14.1 20.0×20.0 14.1×28.3
}

// A mask target is the object's mask in the RoI's own frame; pasted back into the same box it
// gives the object's mask again.
func ExampleMaskTarget() {
	gen := must.M1(shapes.New(shapes.Default()))
	obj := gen.Sample(0).Objects[0] // a triangle
	target := maskrcnn.MaskTarget(obj.Mask, 48, obj.Box, 14)
	prob := make([]float32, len(target))
	copy(prob, target)
	back := maskrcnn.PasteMask(prob, 14, obj.Box, 48)
	fmt.Printf("%s: mask IoU after the round trip %.2f; its box as a mask %.2f\n",
		shapes.ClassNames[obj.Class], maskrcnn.MaskIoU(back, obj.Mask), maskrcnn.MaskIoU(maskrcnn.BoxMask(obj.Box, 48), obj.Mask))
	// Output:
	// triangle: mask IoU after the round trip 1.00; its box as a mask 0.50
}

// One RoI Align bin worked out by hand (4 bilinear sample points, averaged) against the
// engine's op, and RoI Pool's maximum over the same box rounded to whole cells.
func ExampleCheckRoIAlign() {
	c := must.M1(maskrcnn.CheckRoIAlign())
	for i, p := range c.Points {
		fmt.Printf("point (y %.3f, x %.3f) → %.4f\n", p[0], p[1], c.Values[i])
	}
	fmt.Printf("by hand %.6f, engine %.6f; RoI Pool %g\n", c.Hand, c.Engine, c.PoolMax)
	// Output:
	// point (y 0.375, x 0.750) → 4.5625
	// point (y 0.375, x 1.850) → 3.4812
	// point (y 1.325, x 0.750) → 5.5313
	// point (y 1.325, x 1.850) → 6.2625
	// by hand 4.959375, engine 4.959375; RoI Pool 8
}
