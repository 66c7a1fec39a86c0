package bert_test

import (
	"fmt"

	"github.com/dl4go/dl4go/data/text"
	"github.com/dl4go/dl4go/lessons/bert"
)

// Japanese has no spaces: kagome splits it into words, like MeCab -Owakati.
func ExampleWakati() {
	segs, err := bert.Wakati("私はその人を常に先生と呼んでいた。")
	if err != nil {
		panic(err)
	}
	fmt.Print(bert.WakatiString(segs))
	// Output:
	// 私 は その 人 を 常に 先生 と 呼ん で い た 。
}

// A WordPiece vocabulary learned from Opticks keeps frequent words whole and spells rarer ones
// from pieces ("##" marks a piece that continues a word).
func ExampleLearnWordPiece() {
	book, err := text.Opticks()
	if err != nil {
		panic(err)
	}
	v, err := bert.LearnWordPiece(book.Sentences(), 1500)
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Size(), v.Tokens[:5])
	fmt.Println(v.Tokenize("The Rays of Light"))
	// Output:
	// 1500 [[PAD] [UNK] [CLS] [SEP] [MASK]]
	// [the rays of light]
}
