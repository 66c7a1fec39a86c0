package export_test

import (
	"fmt"
	"strings"

	"github.com/dl4go/dl4go/export"
	"github.com/dl4go/dl4go/notebook"
)

func ExamplePage() {
	nb, err := notebook.Parse([]byte(`{
 "nbformat": 4, "nbformat_minor": 5,
 "metadata": {"dl4go": {"id": "01", "title": "Gradient descent", "title_ja": "勾配降下法"}},
 "cells": [
  {"id": "a", "cell_type": "markdown", "metadata": {}, "source": "# 01 · Gradient descent\n\nYou will learn $\\nabla J(\\theta)$."},
  {"id": "b", "cell_type": "code", "metadata": {}, "execution_count": 1, "source": "%%\nfmt.Println(result)",
   "outputs": [{"output_type": "stream", "name": "stdout",
                "text": "<script>alert(1)</script>\nRESULT lesson=01 metric=loss value=0.01 threshold=0.1 ok=true\n"}]}
 ]}`), "01-gd.ipynb")
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := export.Page(nb, export.Options{Name: "01-gd.ipynb"}) // Options.KaTeX: see LoadKaTeX
	if err != nil {
		fmt.Println(err)
		return
	}
	html := string(page)
	fmt.Println(strings.Contains(html, "<title>01 · Gradient descent</title>"))
	fmt.Println(strings.Contains(html, `<span class="badge pass">PASS</span>`))
	fmt.Println(strings.Contains(html, `<span class="math inline">\nabla J(\theta)</span>`))
	fmt.Println(strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), strings.Contains(html, "<script>alert(1)"))

	s := export.Summarize(nb, "01-gd.ipynb")
	fmt.Println(s.Result.Metric, s.Result.Value, s.Result.OK)
	// Output:
	// true
	// true
	// true
	// true false
	// loss 0.01 true
}
