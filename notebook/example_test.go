package notebook_test

import (
	"fmt"

	"github.com/dl4go/dl4go/notebook"
)

func ExampleParse() {
	nb, err := notebook.Parse([]byte(`{
 "nbformat": 4, "nbformat_minor": 5,
 "metadata": {"dl4go": {"id": "01", "title": "Gradient descent", "title_ja": "勾配降下法"}},
 "cells": [{"id": "a1", "cell_type": "code", "metadata": {}, "execution_count": null,
            "outputs": [], "source": ["%%\n", "fmt.Println(1)"]}]
}`), "01-gd.ipynb")
	if err != nil {
		fmt.Println(err)
		return
	}
	l := nb.Lesson()
	fmt.Println(l.ID, l.Title, l.TitleJa)
	fmt.Printf("%q\n", nb.Cells[0].Source)

	_, err = notebook.Parse([]byte(`{"nbformat": 3}`), "old.ipynb")
	fmt.Println(err)
	// Output:
	// 01 Gradient descent 勾配降下法
	// "%%\nfmt.Println(1)"
	// old.ipynb: nbformat 3 is not supported (want 4)
}
