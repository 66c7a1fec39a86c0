package layers

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph-building style.
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/dl4go/dl4go/gomlxext"
)

// softmaxT is softmax(z/T) in float64.
func softmaxT(z []float64, temp float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v/temp)
	}
	p, s := make([]float64, len(z)), 0.0
	for i, v := range z {
		p[i] = math.Exp(v/temp - m)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

// TestDistillationLoss checks the loss against the formula computed by hand in float64, and its
// gradient with respect to the student's logits against α·T·(q_T − p_T) + (1−α)·(q_1 − onehot(y)),
// divided by the batch size; the teacher gets no gradient.
func TestDistillationLoss(t *testing.T) {
	student := [][]float64{{1.0, -0.5, 0.3}, {0.2, 2.0, -1.0}}
	teacher := [][]float64{{2.5, 0.1, -1.2}, {-0.3, 3.0, 0.4}}
	labels := []int32{0, 2}
	const temp, alpha = 3.0, 0.7
	flat := func(m [][]float64) []float32 {
		var out []float32
		for _, r := range m {
			for _, v := range r {
				out = append(out, float32(v))
			}
		}
		return out
	}
	var want float64
	wantGrad := make([]float64, 6)
	for i := range student {
		p, q, q1 := softmaxT(teacher[i], temp), softmaxT(student[i], temp), softmaxT(student[i], 1)
		kl := 0.0
		for c := range p {
			kl += p[c] * math.Log(p[c]/q[c])
			y := 0.0
			if c == int(labels[i]) {
				y = 1
			}
			wantGrad[i*3+c] = (alpha*temp*(q[c]-p[c]) + (1-alpha)*(q1[c]-y)) / 2
		}
		want += (alpha*temp*temp*kl - (1-alpha)*math.Log(q1[labels[i]])) / 2
	}
	backend := gomlxext.MustBackend()
	out := MustExecOnceN(backend, func(s, tch, y *Node) []*Node {
		loss := DistillationLoss(s, tch, y, temp, alpha)
		return append([]*Node{loss}, Gradient(loss, s, tch)...)
	}, tensors.FromFlatDataAndDimensions(flat(student), 2, 3), tensors.FromFlatDataAndDimensions(flat(teacher), 2, 3),
		tensors.FromFlatDataAndDimensions(labels, 2, 1))
	if got := float64(tensors.ToScalar[float32](out[0])); math.Abs(got-want) > 1e-5 {
		t.Errorf("loss %.7f, want %.7f", got, want)
	}
	g := tensors.MustCopyFlatData[float32](out[1])
	for i := range g {
		if math.Abs(float64(g[i])-wantGrad[i]) > 1e-5 {
			t.Errorf("∂L/∂student[%d] = %.6f, want %.6f", i, g[i], wantGrad[i])
		}
	}
	for i, v := range tensors.MustCopyFlatData[float32](out[2]) {
		if v != 0 {
			t.Errorf("∂L/∂teacher[%d] = %g, want 0 (the teacher is a target)", i, v)
		}
	}
	// α = 0 is plain cross entropy.
	ce := MustExecOnce(backend, func(s, tch, y *Node) *Node { return DistillationLoss(s, tch, y, temp, 0) },
		tensors.FromFlatDataAndDimensions(flat(student), 2, 3), tensors.FromFlatDataAndDimensions(flat(teacher), 2, 3),
		tensors.FromFlatDataAndDimensions(labels, 2))
	wantCE := -(math.Log(softmaxT(student[0], 1)[0]) + math.Log(softmaxT(student[1], 1)[2])) / 2
	if got := float64(tensors.ToScalar[float32](ce)); math.Abs(got-wantCE) > 1e-5 {
		t.Errorf("α=0: loss %.6f, want the cross entropy %.6f", got, wantCE)
	}
}
