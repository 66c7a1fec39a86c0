package backend

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// ConvParams are the parameters of a ConvGeneral node of a GoMLX graph, which GoMLX v0.26.0
// keeps unexported: its axes layout, strides, paddings, dilations and group counts (nil slices
// where GoMLX leaves them at their default of 1 or no padding).
type ConvParams struct {
	Axes                            backends.ConvolveAxesConfig
	Strides                         []int
	Paddings                        [][2]int
	InputDilations, KernelDilations []int
	ChannelGroupCount               int
	BatchGroupCount                 int
}

// ConvParamsOf reads the parameters of a ConvGeneral node (graph.NodeTypeConvGeneral), as the
// gradient registered by this package does. It returns an error for another node type, or when
// the node's fields are not those of GoMLX v0.26.0.
func ConvParamsOf(node *graph.Node) (p ConvParams, err error) {
	if node.Type() != graph.NodeTypeConvGeneral {
		return p, fmt.Errorf("backend.ConvParamsOf: node %s is a %s, not a ConvGeneral", node, node.Type())
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("backend.ConvParamsOf: %v", r)
		}
	}()
	p.Axes = convAxesOf(param(node, "axes"))
	p.Strides = intsOf(param(node, "strides"))
	p.InputDilations = intsOf(param(node, "inputDilations"))
	p.KernelDilations = intsOf(param(node, "kernelDilations"))
	if pv := param(node, "paddings"); !pv.IsNil() {
		p.Paddings = make([][2]int, pv.Len())
		for i := range p.Paddings {
			p.Paddings[i] = [2]int{int(pv.Index(i).Index(0).Int()), int(pv.Index(i).Index(1).Int())}
		}
	}
	p.ChannelGroupCount = max(int(param(node, "channelGroupCount").Int()), 1)
	p.BatchGroupCount = max(int(param(node, "batchGroupCount").Int()), 1)
	return p, nil
}

// DotAxes are the contracting and batch axes of a DotGeneral node of a GoMLX graph.
type DotAxes struct {
	LHSContracting, LHSBatch, RHSContracting, RHSBatch []int
}

// DotAxesOf reads the axes of a DotGeneral node (graph.NodeTypeDotGeneral), which GoMLX
// v0.26.0 keeps unexported. It returns an error for another node type, or when the node's
// fields are not those of GoMLX v0.26.0.
func DotAxesOf(node *graph.Node) (a DotAxes, err error) {
	if node.Type() != graph.NodeTypeDotGeneral {
		return a, fmt.Errorf("backend.DotAxesOf: node %s is a %s, not a DotGeneral", node, node.Type())
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("backend.DotAxesOf: %v", r)
		}
	}()
	a.LHSContracting = intsOf(param(node, "lhsContractingAxes"))
	a.LHSBatch = intsOf(param(node, "lhsBatchAxes"))
	a.RHSContracting = intsOf(param(node, "rhsContractingAxes"))
	a.RHSBatch = intsOf(param(node, "rhsBatchAxes"))
	return a, nil
}
