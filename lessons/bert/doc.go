// Package bert is lesson 11 of dl4go: BERT, a bidirectional Transformer encoder pre-trained with
// masked-language modelling and next-sentence prediction, then fine-tuned.
package bert
