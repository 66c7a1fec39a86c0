package backend

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// axisOffsets returns, for the axes (in the given order) of a row-major
// tensor with dimensions dims, the flat offset of every multi-index over
// those axes, enumerated row-major.
func axisOffsets(dims, axes []int) []int {
	strides := make([]int, len(dims))
	st := 1
	for i := len(dims) - 1; i >= 0; i-- {
		strides[i] = st
		st *= dims[i]
	}
	offs := []int{0}
	for _, a := range axes {
		next := make([]int, 0, len(offs)*dims[a])
		for _, o := range offs {
			for i := range dims[a] {
				next = append(next, o+i*strides[a])
			}
		}
		offs = next
	}
	return offs
}

// dotLayout gives the flat offsets of the batch, row (or column) and
// contracting indices of one DotGeneral operand in its own layout.
type dotLayout struct {
	batch, cross, contract []int
	// rows, when set (left operand only), is the output row of each cross
	// index: the kernel then computes the rows in the order of cross (see
	// inMemoryOrder).
	rows []int
	// runs, when set (left operand only), are the stretches of consecutive
	// contract offsets, when there are few enough to read the rows by (see
	// prepared).
	runs []offsetRun
	// narrow (left operand only): use the AVX2 kernel only, not AVX-512
	// ("dl4go:noavx512").
	narrow bool
}

// prepared returns the left operand's layout l with the tables the kernel
// reads it by, made once per kernel call site: rows in memory order and
// the runs of its contraction offsets.
func prepared(l dotLayout) dotLayout {
	l = inMemoryOrder(l)
	if runs := runsOf(l.contract); len(runs) <= len(l.contract)/4 {
		l.runs = runs
	}
	return l
}

// inMemoryOrder returns l with its rows sorted by offset when that makes
// more 4-row panels consecutive in memory (packed with 16-byte copies), as
// for a convolution's weight gradient, whose rows (kernel position, input
// channel) come channel-last in memory but not in the output's order.
func inMemoryOrder(l dotLayout) dotLayout {
	consecutive := func(cross []int) int {
		c := 0
		for i := 0; i+4 <= len(cross); i += 4 {
			if isRun(cross[i : i+4]) {
				c++
			}
		}
		return c
	}
	if len(l.cross) < 8 || isRun(l.contract) {
		return l
	}
	rows := axesUpTo(len(l.cross))
	slices.SortStableFunc(rows, func(a, b int) int { return l.cross[a] - l.cross[b] })
	sorted := make([]int, len(rows))
	for i, r := range rows {
		sorted[i] = l.cross[r]
	}
	if consecutive(sorted) <= 2*consecutive(l.cross) {
		return l
	}
	l.cross, l.rows = sorted, rows
	return l
}

// matmulF32Strided computes out[b, i, j] = Σ_kk lhs[lb[b]+li[i]+lk[kk]] ·
// rhs[rb[b]+rk[kk]+rj[j]] for out [batch, m, n] row-major, reading both
// operands in their own layouts.
//
// The kernels multiply 4 rows of the left operand by 16, 32 or 64 columns
// of the right one. They read each operand in place when its offsets are
// evenly spaced (a row-major or transposed matrix: the kernels take byte
// strides) or, for a left operand whose rows are read in runs of
// consecutive offsets (a convolution's patches: channels per kernel
// position), along those runs; else from a packed copy (4-row panels [k][4], 16-column panels
// [k][16]; the packing does the transposition and gathers patches through
// offset tables); full 4-row tiles are written straight into out.
func matmulF32Strided(lhs, rhs, out []float32, l, r dotLayout) {
	batch, m, k, n := len(l.batch), len(l.cross), len(l.contract), len(r.cross)
	if n == 1 {
		matvecF32Strided(lhs, rhs, out, l, r)
		return
	}
	mp, np := (m+3)/4, (n+15)/16
	// Operands laid out as runs (consecutive offsets) pack with plain
	// loads or copies instead of offset-table lookups.
	lContractRun, lCrossRun, rCrossRun := isRun(l.contract), isRun(l.cross), isRun(r.cross)
	var lContractRuns []offsetRun
	if !lContractRun && !lCrossRun {
		lContractRuns = l.runs
	}
	aK, aEven := evenStride(l.contract)
	// The right operand is read in place when its columns are consecutive
	// and its rows evenly spaced; only a ragged last panel is packed then.
	ldb, bEven := evenStride(r.contract)
	directB := rCrossRun && bEven && k > 0
	fullPanels := n / 16
	packFrom := 0
	if directB {
		packFrom = fullPanels
	}
	var bPacked []float32
	if packFrom < np {
		bPacked = getScratch(batch * np * k * 16)
		defer putScratch(bPacked)
		packB := func(t int) {
			bi, p := t/(np-packFrom), packFrom+t%(np-packFrom)
			dst := bPacked[bi*np*k*16 : (bi+1)*np*k*16]
			base := r.batch[bi]
			j0 := p * 16
			w := min(16, n-j0)
			cols := r.cross[j0 : j0+w]
			for kk := range k {
				row := dst[(p*k+kk)*16 : (p*k+kk)*16+16]
				if w < 16 {
					clear(row[w:])
				}
				o := base + r.contract[kk]
				if rCrossRun {
					copy(row[:w], rhs[o+cols[0]:o+cols[0]+w])
					continue
				}
				for c, jo := range cols {
					row[c] = rhs[o+jo]
				}
			}
		}
		parallelFor(batch*(np-packFrom), k*16, packB)
	}
	avx512 := useAVX512 && !l.narrow
	// A long contraction (a weight gradient's: the batch × positions) is cut into chunks
	// of kc steps, and each task is a group of row tiles that reads a chunk of the right
	// operand (kept in cache: at most ~192 KiB) once per tile before moving on to the next
	// chunk; read whole, every 4-row tile streamed all of the right operand from memory.
	// A tile's later chunks start from its sums so far (the kernels' acc: loaded into the
	// same registers), so the result is bit for bit the unchunked product's, whatever the
	// groups or the number of workers. Left operands read along contraction runs are not
	// chunked (their k is short).
	kc, group := max(k, 1), 1
	workersMax := runtime.NumCPU()
	if kcMax := max(512, (48<<10)/(np*16)); !noChunks && k >= 2*kcMax && mp >= 2 && (lContractRuns == nil || noRunsKernel) {
		kc = kcMax
		group = max(1, (mp+2*workersMax-1)/(2*workersMax))
	}
	chunks := (max(k, 1) + kc - 1) / kc
	groups := (mp + group - 1) / group
	tasks := batch * groups
	workers := min(workersMax, tasks)
	var wg sync.WaitGroup
	// The workers take the tasks (4-row tiles, or groups of them) from a shared counter, a
	// grain of them at a time: at least ~16K multiply-adds a grain, at most a quarter of a
	// worker's share. (A channel receive per tile cost more than the work of a
	// small one: convolutions with few channels.)
	grain := max(1, min(tasks/(4*workers), (1<<14)/max(1, 4*k*n)))
	if chunks > 1 {
		grain = 1
	}
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		goPool.goRun(func() {
			defer wg.Done()
			aPanel := make([]float32, min(max(k, 1), kc)*4)
			var tile [256]float32
			// tile4 adds (k0 > 0) or writes the rows i0..i0+3 of batch bi's product over
			// contraction steps k0..k1−1.
			tile4 := func(bi, pi, k0, k1 int) {
				i0 := pi * 4
				h := min(4, m-i0)
				kn := k1 - k0
				o := out[bi*m*n : (bi+1)*m*n]
				// The 4 rows in place, or packed.
				var a *float32
				var rowsAt [4]*float32 // runsA: the rows' bases, read along lContractRuns
				aRow, aStep := 4, 16
				runsA := false
				if d, even := evenStride(l.cross[i0 : i0+h]); h == 4 && even && aEven && kn > 0 {
					a, aRow, aStep = &lhs[l.batch[bi]+l.cross[i0]+l.contract[k0]], 4*d, 4*aK
				} else if h == 4 && lContractRuns != nil && !noRunsKernel && chunks == 1 {
					runsA = true
					for rr := range 4 {
						rowsAt[rr] = &lhs[l.batch[bi]+l.cross[i0+rr]]
					}
				} else {
					lc, runs := l, lContractRuns
					if chunks > 1 {
						lc.contract, runs = l.contract[k0:k1], nil
					}
					packA(aPanel, lhs, lc, runs, bi, i0, h, lContractRun, lCrossRun)
					a = &aPanel[0]
				}
				direct := h == 4 && l.rows == nil
				acc := 0 // later chunks add to the sums so far
				if k0 > 0 {
					acc = 1
				}
				for p := 0; p < np; {
					width := 16
					inPlace := directB && p < fullPanels
					left := np - p
					if inPlace {
						left = fullPanels - p
					}
					if avx512 && left >= 4 {
						width = 64
					} else if avx512 && left >= 2 {
						width = 32
					}
					j0 := p * 16
					var b *float32
					panelStride, bStride := k*64, 64
					if inPlace {
						b, panelStride, bStride = &rhs[r.batch[bi]+r.contract[k0]+r.cross[j0]], 64, 4*ldb
					} else if kn > 0 {
						b = &bPacked[bi*np*k*16+p*k*16+k0*16]
					}
					w := min(width, n-j0)
					c, ldc := &tile[0], 4*width
					toOut := direct && w == width
					if toOut {
						c, ldc = &o[i0*n+j0], 4*n
					} else if acc != 0 {
						for rr := range h {
							row := i0 + rr
							if l.rows != nil {
								row = l.rows[row]
							}
							copy(tile[rr*width:rr*width+w], o[row*n+j0:row*n+j0+w])
						}
					}
					if kn == 0 {
						clear(tile[:4*width])
						toOut = false
					} else if runsA {
						runs := &lContractRuns[0]
						nr := len(lContractRuns)
						switch width {
						case 64:
							kern4x64r(rowsAt[0], rowsAt[1], rowsAt[2], rowsAt[3], runs, nr, b, panelStride, bStride, c, ldc)
						case 32:
							kern4x32r(rowsAt[0], rowsAt[1], rowsAt[2], rowsAt[3], runs, nr, b, panelStride, bStride, c, ldc)
						default:
							kern4x16r(rowsAt[0], rowsAt[1], rowsAt[2], rowsAt[3], runs, nr, b, panelStride, bStride, c, ldc)
						}
					} else {
						switch width {
						case 64:
							kern4x64g(a, aRow, aStep, b, panelStride, bStride, kn, c, ldc, acc)
						case 32:
							kern4x32g(a, aRow, aStep, b, panelStride, bStride, kn, c, ldc, acc)
						default:
							kern4x16g(a, aRow, aStep, b, panelStride, bStride, kn, c, ldc, acc)
						}
					}
					if !toOut {
						for rr := range h {
							row := i0 + rr
							if l.rows != nil {
								row = l.rows[row]
							}
							copy(o[row*n+j0:row*n+j0+w], tile[rr*width:rr*width+w])
						}
					}
					p += width / 16
				}
			}
			for {
				t0 := int(next.Add(int64(grain))) - grain
				if t0 >= tasks {
					break
				}
				for t := t0; t < min(t0+grain, tasks); t++ {
					bi, g := t/groups, t%groups
					for ch := range chunks {
						k0 := ch * kc
						k1 := min(k, k0+kc)
						for pi := g * group; pi < min(mp, (g+1)*group); pi++ {
							tile4(bi, pi, k0, k1)
						}
					}
				}
			}
		})
	}
	wg.Wait()
}

// evenStride reports whether offs are evenly spaced, offs[i] = offs[0] + i·d
// (a single offset counts, with d 0).
func evenStride(offs []int) (d int, ok bool) {
	if len(offs) < 2 {
		return 0, true
	}
	d = offs[1] - offs[0]
	for i := 2; i < len(offs); i++ {
		if offs[i]-offs[i-1] != d {
			return 0, false
		}
	}
	return d, true
}

// isRun reports whether offs are consecutive: offs[i] = offs[0] + i.
func isRun(offs []int) bool {
	for i, o := range offs {
		if o != offs[0]+i {
			return false
		}
	}
	return true
}

// packA packs rows i0..i0+h−1 (h ≤ 4) of batch bi of the left operand into
// aPanel as [k][4], zero-filling missing rows. contractRun: each row's
// contraction offsets are consecutive; crossRun: all rows' offsets are (as
// are, checked here, those of these h rows, e.g. the input channels of a
// convolution's weight gradient);
// otherwise each row is read in contractRuns (when not nil), the stretches of
// consecutive contraction offsets, or through the offset table.
func packA(aPanel, lhs []float32, l dotLayout, contractRuns []offsetRun, bi, i0, h int, contractRun, crossRun bool) {
	k := len(l.contract)
	if k == 0 {
		return
	}
	if h < 4 {
		clear(aPanel)
	}
	switch {
	case contractRun:
		for r := range h {
			o := l.batch[bi] + l.cross[i0+r] + l.contract[0]
			for kk, v := range lhs[o : o+k] {
				aPanel[kk*4+r] = v
			}
		}
	case crossRun || isRun(l.cross[i0:i0+h]):
		o := l.batch[bi] + l.cross[i0]
		if h == 4 {
			for kk, ko := range l.contract {
				src, dst := lhs[o+ko:o+ko+4], aPanel[kk*4:kk*4+4]
				dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
			}
			break
		}
		for kk, ko := range l.contract {
			copy(aPanel[kk*4:kk*4+h], lhs[o+ko:o+ko+h])
		}
	case contractRuns != nil:
		for r := range h {
			o := l.batch[bi] + l.cross[i0+r]
			for _, run := range contractRuns {
				for c, v := range lhs[o+run.off : o+run.off+run.n] {
					aPanel[(run.at+c)*4+r] = v
				}
			}
		}
	default:
		for r := range h {
			o := l.batch[bi] + l.cross[i0+r]
			for kk, ko := range l.contract {
				aPanel[kk*4+r] = lhs[o+ko]
			}
		}
	}
}

// offsetRun is a stretch of consecutive offsets: offs[at+i] = off + i for
// i < n.
type offsetRun struct{ at, off, n int }

// runsOf splits offs into stretches of consecutive offsets (the channels of
// a convolution's patch, say).
func runsOf(offs []int) []offsetRun {
	var runs []offsetRun
	for i, o := range offs {
		if last := len(runs) - 1; last >= 0 && runs[last].off+runs[last].n == o {
			runs[last].n++
			continue
		}
		runs = append(runs, offsetRun{at: i, off: o, n: 1})
	}
	return runs
}

// matvecF32Strided is matmulF32Strided for one output column (n = 1),
// where the 4×16 kernel would waste 15/16 of its work: the right operand is
// gathered into a vector, and each row is a dot product with it, over runs
// of consecutive offsets when the row has them, or, when they are
// consecutive in memory, 64 rows at a time on the SIMD kernel (matvecT64) or
// four at a time.
func matvecF32Strided(lhs, rhs, out []float32, l, r dotLayout) {
	batch, m, k := len(l.batch), len(l.cross), len(l.contract)
	runs := l.runs
	useRuns := runs != nil
	// 64 rows at a time: every row consecutive in memory, and each block's 64 values at
	// every contraction offset inside lhs (checked once, the kernel reads unchecked).
	var blocks64 int
	if hasFastKernel && !useRuns && k > 0 && m >= 64 && isRun(l.cross) {
		hi := 0
		for _, b := range l.batch {
			hi = max(hi, b)
		}
		if lo, top := slices.Min(l.contract), slices.Max(l.contract); lo >= 0 && hi+l.cross[0]+top+m <= len(lhs) {
			blocks64 = m / 64
		}
	}
	v := make([]float32, k)
	for bi := range batch {
		for kk, ko := range r.contract {
			v[kk] = rhs[r.batch[bi]+ko+r.cross[0]]
		}
		o := out[bi*m : (bi+1)*m]
		row := func(i int) int {
			if l.rows != nil {
				return l.rows[i]
			}
			return i
		}
		if blocks64 > 0 {
			parallelFor(blocks64, 64*k, func(p int) {
				var acc [64]float32
				i0 := p * 64
				matvecT64(&lhs[l.batch[bi]+l.cross[i0]], &l.contract[0], &v[0], k, &acc[0])
				for i, a := range acc {
					o[row(i0+i)] = a
				}
			})
		}
		first := blocks64 * 16 // the remaining rows, four at a time
		parallelFor((m+3)/4-first, 4*k, func(p int) {
			p += first
			i0, h := p*4, min(4, m-p*4)
			base := l.batch[bi] + l.cross[i0]
			if h == 4 && !useRuns && isRun(l.cross[i0:i0+4]) {
				var a0, a1, a2, a3 float32
				for kk, ko := range l.contract {
					x, w := lhs[base+ko:base+ko+4], v[kk]
					a0 += x[0] * w
					a1 += x[1] * w
					a2 += x[2] * w
					a3 += x[3] * w
				}
				o[row(i0)], o[row(i0+1)], o[row(i0+2)], o[row(i0+3)] = a0, a1, a2, a3
				return
			}
			for i := i0; i < i0+h; i++ {
				base := l.batch[bi] + l.cross[i]
				var acc float32
				if useRuns {
					for _, run := range runs {
						acc += dotF32(lhs[base+run.off:base+run.off+run.n], v[run.at:run.at+run.n])
					}
				} else {
					for kk, ko := range l.contract {
						acc += lhs[base+ko] * v[kk]
					}
				}
				o[row(i)] = acc
			}
		})
	}
}

// dotF32 is Σ a[i]·b[i] (len(b) ≥ len(a)): runs of 32 and more on the SIMD kernel (vDot),
// the rest in four partial sums.
func dotF32(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	if hasFastKernel && len(a) >= 32 {
		i = len(a) &^ 31
		s0 = vDot(&a[0], &b[0], i)
	}
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// matmulF32 computes out[b] = lhs[b] · rhs[b] for lhs [batch, m, k],
// rhs [batch, k, n] and out [batch, m, n], all row-major float32.
func matmulF32(lhs, rhs, out []float32, batch, m, k, n int) {
	matmulF32Strided(lhs, rhs, out,
		dotLayout{batch: axisOffsets([]int{batch, m, k}, []int{0}), cross: axisOffsets([]int{batch, m, k}, []int{1}),
			contract: axisOffsets([]int{batch, m, k}, []int{2})},
		dotLayout{batch: axisOffsets([]int{batch, k, n}, []int{0}), cross: axisOffsets([]int{batch, k, n}, []int{2}),
			contract: axisOffsets([]int{batch, k, n}, []int{1})})
}

// parallelFor runs fn(0..n-1) on up to runtime.NumCPU() goroutines when the
// work (n tasks of about cost elements each) is worth splitting.
func parallelFor(n, cost int, fn func(int)) {
	workers := min(runtime.NumCPU(), n)
	if workers <= 1 || n*cost < 1<<15 {
		for t := range n {
			fn(t)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, n)
		if lo >= hi {
			break
		}
		wg.Add(1)
		goPool.goRun(func() {
			defer wg.Done()
			for t := lo; t < hi; t++ {
				fn(t)
			}
		})
	}
	wg.Wait()
}

// noRunsKernel makes the kernels read a left operand with contraction runs
// from a packed copy instead of in place (tests compare the two).
var noRunsKernel = false

// noChunks makes the kernels read a long contraction whole (tests compare
// the two).
var noChunks = false

// useAVX512 selects kern4x64 where it applies (tests switch it off to
// compare the two kernels).
var useAVX512 = hasAVX512

// scratch recycles the kernel's packing buffers between calls.
var scratch sync.Pool

// getScratch returns a float32 slice of length n (contents undefined).
func getScratch(n int) []float32 {
	if p, ok := scratch.Get().(*[]float32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]float32, n)
}

func putScratch(b []float32) {
	scratch.Put(&b)
}
