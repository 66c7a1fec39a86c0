package bert

import (
	"math"
	"sort"
)

// bigramModel holds the training text's token counts for the MLM baselines: the unigram baseline
// always guesses the most frequent tokens; the bigram-context baseline guesses the token w that
// best fits the two neighbours of the gap, l before and r after (as the model, it reads both
// sides), maximising P(w | l) · P(r | w) with bigram probabilities estimated on the training text
// and smoothed towards the unigram frequencies (Dirichlet prior of weight bigramPrior). A
// neighbour that is itself [MASK] (or [CLS], [SEP], [PAD]) tells nothing: its factor is left out.
type bigramModel struct {
	vocab int
	uni   []float64 // P(w), special tokens 0.
	bi    []float32 // bi[a·V+b]: times b follows a.
	left  []float64 // left[a]: times a is followed by a token.
	order []int     // tokens by decreasing frequency.
}

// bigramPrior is the weight of the unigram prior in the bigram probabilities: P(b | a) =
// (count(a b) + bigramPrior·P(b)) / (count(a) + bigramPrior). Chosen once, not tuned.
const bigramPrior = 2

// trainCounts returns the counts of p's training text (computed once).
func (p *Pretrained) trainCounts() *bigramModel {
	if p.counts != nil {
		return p.counts
	}
	v := p.Vocab.Size()
	m := &bigramModel{vocab: v, uni: make([]float64, v), bi: make([]float32, v*v), left: make([]float64, v)}
	total := 0.0
	for _, f := range p.train.flat {
		for i, t := range f {
			if t <= MASK {
				continue
			}
			m.uni[t]++
			total++
			if i+1 < len(f) && f[i+1] > MASK {
				m.bi[t*v+f[i+1]]++
				m.left[t]++
			}
		}
	}
	for t := range m.uni {
		m.uni[t] /= max(total, 1)
		if t > MASK {
			m.order = append(m.order, t)
		}
	}
	sort.SliceStable(m.order, func(i, j int) bool { return m.uni[m.order[i]] > m.uni[m.order[j]] })
	p.counts = m
	return m
}

// unigramTop returns the k most frequent tokens of the training text, most frequent first.
func (m *bigramModel) unigramTop(k int) []int { return m.order[:min(k, len(m.order))] }

// bigramTop returns the bigram-context baseline's k best guesses for position pos of tokens (the
// input the model sees, [MASK]s included), best first.
func (m *bigramModel) bigramTop(tokens []int, pos, k int) []int {
	l, r := -1, -1
	if pos > 0 && tokens[pos-1] > MASK {
		l = tokens[pos-1]
	}
	if pos+1 < len(tokens) && tokens[pos+1] > MASK {
		r = tokens[pos+1]
	}
	if l < 0 && r < 0 {
		return m.unigramTop(k)
	}
	v := m.vocab
	scores := make([]float32, v)
	for w := range v {
		if w <= MASK {
			scores[w] = float32(math.Inf(-1))
			continue
		}
		s := 0.0
		if l >= 0 {
			s += math.Log((float64(m.bi[l*v+w]) + bigramPrior*m.uni[w]) / (m.left[l] + bigramPrior))
		} else {
			s += math.Log(m.uni[w] + 1e-12)
		}
		if r >= 0 {
			s += math.Log((float64(m.bi[w*v+r]) + bigramPrior*m.uni[r]) / (m.left[w] + bigramPrior))
		}
		scores[w] = float32(s)
	}
	return topK(scores, k)
}
