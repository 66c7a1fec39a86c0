package gpt

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"

	"github.com/dl4go/dl4go/data/text"
	"github.com/dl4go/dl4go/data/text/ja"
	"github.com/dl4go/dl4go/gomlxext"
)

// JapaneseConfig sizes the report's Japanese experiment: a word-level GPT on a Japanese text of
// the user's (segmented by kagome, as MeCab -Owakati would), asked to continue a prompt.
type JapaneseConfig struct {
	MaxSentences int   // sentences read from the file (0: all).
	Words        int   // vocabulary: the most frequent words, then [UNK].
	Model        Model // Model.Vocab must be Words+1.
	Train        TrainConfig
	Prompt       string // e.g. "私は"
	Generate     int    // words to generate.
	Sampler      Sampler
}

// DefaultJapanese is a small word-level GPT for a novel (Natsume Sōseki's 『こころ』 is about 9,000
// sentences), trained for a couple of minutes on 2 cores.
func DefaultJapanese() JapaneseConfig {
	return JapaneseConfig{
		MaxSentences: 0, Words: 2999,
		Model:  Model{Vocab: 3000, SeqLen: 32, Dim: 96, Heads: 4, FFN: 384, Layers: 2, Dropout: 0.1},
		Train:  TrainConfig{Steps: 600, Batch: 32, LR: 3e-3, Warmup: 30, WeightDecay: 0.01, Seed: 21, ProbeEvery: 100},
		Prompt: "私は", Generate: 30, Sampler: Sampler{Temperature: 0.8, TopP: 0.9},
	}
}

// ErrNoJapaneseText is returned by ContinueJapanese when no file is given.
var ErrNoJapaneseText = errors.New("gpt: no Japanese text: this lesson works offline and ships none; download a novel " +
	"from Aozora Bunko (青空文庫, https://www.aozora.gr.jp/ — e.g. 夏目漱石『こころ』, the report's text), unzip it " +
	"and pass the .txt file's path (Shift_JIS is converted)")

// ContinueJapanese trains a word-level GPT on the Japanese text file at path (an Aozora Bunko
// file, Shift_JIS or UTF-8; see data/text.Load), with words segmented by kagome, and continues
// cfg.Prompt: the report's 「私は」 experiment. It returns the words it wrote. With path "" it
// returns ErrNoJapaneseText, which says what to download.
func ContinueJapanese(path string, cfg JapaneseConfig, quiet bool) ([]string, error) {
	if path == "" {
		return nil, ErrNoJapaneseText
	}
	if cfg.Model.Vocab != cfg.Words+1 {
		return nil, fmt.Errorf("gpt: JapaneseConfig: Model.Vocab (%d) must be Words+1 (%d: the words and [UNK])", cfg.Model.Vocab, cfg.Words+1)
	}
	book, err := text.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%v)", ErrNoJapaneseText, err)
	} else if err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	sentences := book.Sentences()
	if cfg.MaxSentences > 0 && len(sentences) > cfg.MaxSentences {
		sentences = sentences[:cfg.MaxSentences]
	}
	var words []string
	for _, s := range sentences {
		ws, err := ja.Wakati(s)
		if err != nil {
			return nil, fmt.Errorf("gpt: %w", err)
		}
		words = append(words, ws...)
	}
	if len(words) <= cfg.Model.SeqLen {
		return nil, fmt.Errorf("gpt: %s has %d words: too little Japanese text to train on (a novel has ~100,000)", path, len(words))
	}
	vocab, id := wordVocab(words, cfg.Words)
	encode := func(ws []string) []int {
		ids := make([]int, len(ws))
		for i, w := range ws {
			if k, ok := id[w]; ok {
				ids[i] = k
			} else {
				ids[i] = cfg.Words // [UNK]
			}
		}
		return ids
	}
	ids := encode(words)
	backend, err := gomlxext.Backend()
	if err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	tr, err := fit(backend, cfg.Model, cfg.Train, windows(ids, cfg.Model.SeqLen, cfg.Train.Batch, cfg.Train.Seed),
		"", "GPT on "+book.Name, "training loss", func(t *Trained) (float64, error) { return t.History.Loss[len(t.History.Loss)-1], nil }, quiet)
	if err != nil {
		return nil, err
	}
	prompt, err := ja.Wakati(cfg.Prompt)
	if err != nil {
		return nil, fmt.Errorf("gpt: %w", err)
	}
	ctx := encode(prompt)
	rng := rand.New(rand.NewPCG(cfg.Train.Seed, 0x6a))
	var out []string
	for range cfg.Generate {
		lp, err := tr.NextLogProbs([][]int{ctx})
		if err != nil {
			return nil, err
		}
		lp[0][cfg.Words] = -1e9 // never write [UNK]
		p, _, _ := cfg.Sampler.Distribution(lp[0])
		k := draw(p, rng)
		ctx = append(ctx, k)
		out = append(out, vocab[k])
	}
	return out, nil
}

// wordVocab returns the n most frequent words (ties: in order of first appearance) and their ids.
func wordVocab(words []string, n int) ([]string, map[string]int) {
	count, first := map[string]int{}, map[string]int{}
	for i, w := range words {
		if _, ok := first[w]; !ok {
			first[w] = i
		}
		count[w]++
	}
	uniq := make([]string, 0, len(count))
	for w := range count {
		uniq = append(uniq, w)
	}
	sort.Slice(uniq, func(a, b int) bool {
		if count[uniq[a]] != count[uniq[b]] {
			return count[uniq[a]] > count[uniq[b]]
		}
		return first[uniq[a]] < first[uniq[b]]
	})
	uniq = uniq[:min(n, len(uniq))]
	for len(uniq) < n {
		uniq = append(uniq, fmt.Sprintf("[unused %d]", len(uniq)))
	}
	id := make(map[string]int, n)
	for i, w := range uniq {
		id[w] = i
	}
	return append(uniq, "[UNK]"), id
}
