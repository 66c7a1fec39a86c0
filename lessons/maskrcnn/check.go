package maskrcnn

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
	xlayers "github.com/dl4go/dl4go/gomlxext/layers"
)

// AlignCheck is RoI Align's steps 3–5 worked out by hand for one bin and compared with the
// engine's op (gomlxext/layers.RoIAlign).
type AlignCheck struct {
	Map    [][]float64  // the feature map, Map[row][column].
	Box    [4]float64   // x0, y0, x1, y1 in cells (SpatialScale 1).
	Points [][2]float64 // the 4 sample points (y, x), in index coordinates: cell j's centre is j.
	Values []float64    // each point's bilinear interpolation of its 4 neighbouring cells.
	// Hand is the mean of Values; Engine is the op's output for the same box (1×1 output, 2×2
	// samples); PoolMax is RoI Pool's output (the maximum over the rounded box's cells).
	Hand, Engine, PoolMax float64
}

// CheckRoIAlign works one RoI Align bin out by hand on a 4×4 map: the box [0.7, 2.9) × [0.4, 2.3)
// (x × y, in cells) as a single bin with 2×2 sample points at ¼ and ¾ of it; each point y, x
// interpolates its four neighbours f(⌊y⌋, ⌊x⌋) … f(⌊y⌋+1, ⌊x⌋+1) with the weights
// (1−Δy)(1−Δx), (1−Δy)Δx, Δy(1−Δx), ΔyΔx, where Δ is the point's distance to the cell centre
// above or to its left; the bin is their mean. The engine must agree to 1e-12.
func CheckRoIAlign() (AlignCheck, error) {
	c := AlignCheck{Map: [][]float64{{1, 4, 2, 0}, {3, 8, 5, 1}, {6, 2, 9, 4}, {0, 5, 3, 7}}, Box: [4]float64{0.7, 0.4, 2.9, 2.3}}
	x0, y0, x1, y1 := c.Box[0], c.Box[1], c.Box[2], c.Box[3]
	for _, fy := range []float64{0.25, 0.75} {
		for _, fx := range []float64{0.25, 0.75} {
			y, x := y0+fy*(y1-y0)-0.5, x0+fx*(x1-x0)-0.5 // continuous → index coordinates
			iy, ix := int(math.Floor(y)), int(math.Floor(x))
			dy, dx := y-float64(iy), x-float64(ix)
			v := (1-dy)*(1-dx)*c.Map[iy][ix] + (1-dy)*dx*c.Map[iy][ix+1] + dy*(1-dx)*c.Map[iy+1][ix] + dy*dx*c.Map[iy+1][ix+1]
			c.Points, c.Values = append(c.Points, [2]float64{y, x}), append(c.Values, v)
			c.Hand += v / 4
		}
	}
	var flat []float64
	for _, row := range c.Map {
		flat = append(flat, row...)
	}
	backend, err := gomlxext.Backend()
	if err != nil {
		return c, fmt.Errorf("maskrcnn: %w", err)
	}
	res, err := ExecOnce(backend, func(f, b *Node) *Node { // [1, 1, 1, 1, 2]: Align, then Pool
		return Concatenate([]*Node{xlayers.RoIAlign(f, b).OutputSize(1).Done(), xlayers.RoIPool(f, b).OutputSize(1).Done()}, -1)
	}, tensors.FromFlatDataAndDimensions(flat, 1, 4, 4, 1), tensors.FromFlatDataAndDimensions(c.Box[:], 1, 1, 4))
	if err != nil {
		return c, fmt.Errorf("maskrcnn: RoI Align on the engine: %w", err)
	}
	v := tensors.MustCopyFlatData[float64](res)
	c.Engine, c.PoolMax = v[0], v[1]
	return c, nil
}
