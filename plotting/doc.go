// Package plotting draws dl4go's charts (go-echarts v2), pictures (PNG) and
// sounds (WAV) so that each displays in a GoNB notebook cell and can also be
// written into a self-contained offline HTML page: one value, two sinks.
//
// Where to start:
//
//   - [Show] displays anything in the current GoNB cell: a [*Chart], any
//     go-echarts chart, a [*Picture], a [*Sound] or any [Fragment]. Outside a
//     notebook (go test, CLI) it only checks that the value renders.
//   - Charts in one call: [Line], [Scatter], [Bar], [Heatmap], [PRCurve],
//     [Tree], [Graph], [Histogram]; tune them with [Option]s, including any
//     go-echarts global option through [WithEcharts].
//   - Pictures: [ImageGrid], [Detections], [GoBoard], [HeatOverlay].
//   - Sound: [Audio].
//   - Training: [NewLive] gives a live view that updates in place in a cell
//     (a text progress line on stderr elsewhere).
//
// Every value implements [Fragment]: HTML() returns the element and its
// script only (go-echarts' RenderSnippet style, never page CSS).
//
// # How the echarts library reaches the browser
//
// Chart fragments do not carry the echarts library. Each chart's script
// queues its drawing function on window.__dl4go_q and draws as soon as
// window.echarts exists. The library itself is one separate script,
// [LibraryHTML], marked with the attribute data-dl4go-lib="echarts": it
// defines window.echarts (with window.define hidden, so that require.js in
// the classic Notebook and nbconvert pages does not swallow the UMD bundle)
// and then drains the queue.
//
// In a notebook, [Show] sends the library once per kernel session and page, as
// its own output just before the first chart (a marker file in GoNB's per-kernel
// GONB_TMP_DIR remembers it). Under the dl4go kernel a page loaded anew on the
// same kernel (a reload, another tab, Notebook 7 after JupyterLab) is a new
// Jupyter client, which the kernel names to the cell ([ClientFileEnvVar]), and
// gets the library again with its first chart. That output is saved with the notebook, so on
// reopening, the page runs the library output and every chart (in any order:
// charts wait in the queue). The library script also stores a copy in the
// browser's localStorage; a chart that finds no library after a few seconds
// (e.g. the cell that carried it was re-run and its output replaced) loads
// that copy, then the CDN, and otherwise writes a visible message in place of
// the chart saying to call [ResendLibrary] in a cell.
//
// For exported pages, [StripLibrary] removes library copies from cell outputs
// and the page includes [LibraryHTML] once, in its head.
//
// The library comes from package assets (npm echarts, pinned and sha256
// checked, in the user cache); if it cannot be had, charts fall back to the
// CDN script and plotting says so once on stderr.
package plotting
