package backend

import (
	"slices"
	"testing"
)

// TestCopyPlan checks strided copies (transposes and broadcasts, with
// merged runs, single long runs and strided gathers) against a direct
// index computation.
func TestCopyPlan(t *testing.T) {
	cases := []struct {
		name string
		in   []int // operand dimensions
		out  []int
		// src maps an output multi-index to the operand's multi-index.
		src func(idx []int) []int
	}{
		{"transpose 2D", []int{37, 300}, []int{300, 37}, func(i []int) []int { return []int{i[1], i[0]} }},
		{"heads [b,s,h,d]→[b,h,s,d]", []int{2, 5, 3, 4}, []int{2, 3, 5, 4}, func(i []int) []int { return []int{i[0], i[2], i[1], i[3]} }},
		{"broadcast rows", []int{7}, []int{3, 7}, func(i []int) []int { return []int{i[1]} }},
		{"broadcast columns", []int{5, 1}, []int{5, 9}, func(i []int) []int { return []int{i[0], 0} }},
		{"broadcast middle", []int{2, 1, 3}, []int{2, 4, 3}, func(i []int) []int { return []int{i[0], 0, i[2]} }},
		{"one long run", []int{20000}, []int{20000}, func(i []int) []int { return i }},
		{"one long broadcast", []int{1}, []int{3, 9000}, func(i []int) []int { return []int{0} }},
	}
	for _, c := range cases {
		inStrides := rowMajorStrides(c.in)
		in := make([]float32, prod(c.in))
		for i := range in {
			in[i] = float32(i)
		}
		// Strides of the output axes in the operand: probe unit steps.
		zero := make([]int, len(c.out))
		base := dot(c.src(zero), inStrides)
		strides := make([]int, len(c.out))
		for a := range c.out {
			if c.out[a] > 1 {
				e := slices.Clone(zero)
				e[a] = 1
				strides[a] = dot(c.src(e), inStrides) - base
			}
		}
		got := make([]float32, prod(c.out))
		newCopyPlan(c.out, strides).run(in, got)
		idx := make([]int, len(c.out))
		for j := range got {
			if want := in[dot(c.src(idx), inStrides)]; got[j] != want {
				t.Fatalf("%s: out[%v] = %g, want %g", c.name, idx, got[j], want)
			}
			for a := len(idx) - 1; a >= 0; a-- {
				if idx[a]++; idx[a] < c.out[a] {
					break
				}
				idx[a] = 0
			}
		}
	}
}

func dot(a, b []int) int {
	s := 0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
