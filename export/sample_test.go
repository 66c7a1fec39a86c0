package export

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dl4go/dl4go/assets"
	"github.com/dl4go/dl4go/notebook"
)

// The sample lesson notebook used by the tests: every cell and output kind.

const xssText = "<script>alert(1)</script>"

func intp(n int) *int { return &n }

func pngBase64(w, h int) string {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(255 * x / w), uint8(255 * y / h), 128, 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func jpegBase64(w, h int) string {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetGray(x, y, color.Gray{uint8((x * y) % 256)})
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, img, nil)
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// wavBase64 is a 0.1 s 440 Hz tone, 8 kHz mono 16-bit.
func wavBase64() string {
	const rate, n = 8000, 800
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.WriteString("RIFF")
	_ = binary.Write(&buf, le, uint32(36+2*n))
	buf.WriteString("WAVEfmt ")
	_ = binary.Write(&buf, le, []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16)})
	buf.WriteString("data")
	_ = binary.Write(&buf, le, uint32(2*n))
	for i := 0; i < n; i++ {
		_ = binary.Write(&buf, le, int16(8000*math.Sin(2*math.Pi*440*float64(i)/rate)))
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// chartLibraryHTML mimics plotting.LibraryHTML: the echarts library in a
// script marked data-dl4go-lib, defining window.echarts with require.js
// hidden, then draining the chart queue.
func chartLibraryHTML(echartsJS string) string {
	return `<script data-dl4go-lib="echarts">(function(){var d=window.define;window.define=undefined;` +
		echartsJS + "\n" +
		`;window.define=d;var q=window.__dl4go_q||[];window.__dl4go_q={push:function(f){f()}};q.forEach(function(f){f()});})();</script>`
}

// chartHTML mimics a plotting chart fragment: a div and a queued drawing function.
func chartHTML(id string) string {
	return fmt.Sprintf(`<div class="dl4go-chart" id="%s" style="width:600px;height:300px"></div>
<script>(window.__dl4go_q=window.__dl4go_q||[]).push(function(){
var c=echarts.init(document.getElementById(%q));
c.setOption({animation:false,xAxis:{type:"category",data:["a","b","c"]},yAxis:{type:"value"},series:[{type:"line",data:[3,1,2]}]});
});</script>`, id, id)
}

// sampleNotebook is an executed lesson with every cell and output kind.
// echartsJS, if not empty, is carried by the first chart output as
// plotting does; three charts follow.
func sampleNotebook(echartsJS string) *notebook.Notebook {
	var charts []string
	lib := ""
	if echartsJS != "" {
		lib = chartLibraryHTML(echartsJS)
	}
	for i := 1; i <= 3; i++ {
		charts = append(charts, chartHTML(fmt.Sprintf("chart%d", i)))
	}
	return sampleNotebookWith(lib, charts)
}

// sampleNotebookWith is sampleNotebook with the given library output
// (none if empty) and chart outputs.
func sampleNotebookWith(libHTML string, charts []string) *notebook.Notebook {
	var chartOuts []notebook.Output
	if libHTML != "" {
		chartOuts = append(chartOuts, notebook.Output{OutputType: notebook.DisplayData,
			Data: map[string]any{"text/html": libHTML}})
	}
	for _, c := range charts {
		chartOuts = append(chartOuts, notebook.Output{OutputType: notebook.DisplayData,
			Data: map[string]any{"text/html": c, "text/plain": "chart"}})
	}
	return &notebook.Notebook{
		NBFormat: 4, NBFormatMinor: 5,
		Metadata: map[string]any{
			"kernelspec":    map[string]any{"name": "dl4go", "display_name": "Go (dl4go)", "language": "go"},
			"language_info": map[string]any{"name": "go"},
			"dl4go": map[string]any{"id": "07", "title": "Policy gradients", "title_ja": "方策勾配法",
				"package": "lessons/rl", "time_full": "4m", "time_quick": "40s"},
			"dl4go_run": map[string]any{"backend": "dl4go", "date": "2026-11-26T22:00:00Z", "duration_s": 83.2, "quick": true},
		},
		Cells: []*notebook.Cell{
			{ID: "intro", CellType: notebook.Markdown, Source: "# 07 · Policy gradients (方策勾配法)\n\n" +
				"You will learn the policy gradient $\\nabla_\\theta J(\\theta) = \\mathbb{E}[\\nabla_\\theta \\log \\pi_\\theta(a|s) G_t]$.\n\n" +
				"Time to run: 4 minutes (40 s quick)."},
			{ID: "theory", CellType: notebook.Markdown, Source: "## The idea\n\n" +
				"Average precision is $$AP = \\int_0^1 P(R)\\,dR$$ and the triplet loss is\n\n" +
				"$$\\mathcal{L} = \\max(0, \\|f(a)-f(p)\\|^2 - \\|f(a)-f(n)\\|^2 + \\alpha)$$\n\n" +
				"| step | loss |\n|---:|---|\n| 1 | 0.9 |\n| 2 | 0.5 |\n\n" +
				"Prices like $5 and $6 stay text, `code $x$` stays code, and \\$ is a dollar.\n\n" +
				"Raw HTML is shown, not run: <b onclick=\"alert(2)\">bold?</b>\n\n<div><script>alert(3)</script></div>\n\n" +
				"```go\nx := \"$not math$\"\n```\n"},
			{ID: "imports", CellType: notebook.Code, ExecutionCount: intp(1), Source: "import (\n\t\"fmt\"\n\n\t\"github.com/dl4go/dl4go/lessons/rl\"\n)"},
			{ID: "train", CellType: notebook.Code, ExecutionCount: intp(2),
				Source: "%%\nout, err := rl.RunCliff(rl.DefaultCliffConfig())\nif err != nil { panic(err) }\nfmt.Println(\"" + strings.ReplaceAll(xssText, `"`, `\"`) + "\")",
				Outputs: []notebook.Output{
					{OutputType: notebook.Stream, Name: "stdout", Text: xssText + "\nstep 1/3\rstep 2/3\rstep 3/3 done\n\x1b[1;32mgreen bold\x1b[0m plain \x1b[38;5;208morange\x1b[0m\n"},
					{OutputType: notebook.Stream, Name: "stderr", Text: "warning: <careful> & \x1b[33myellow\x1b[0m\n"},
				}},
			{ID: "charts", CellType: notebook.Code, ExecutionCount: intp(3), Source: "%%\nplotting.Show(out.Chart())", Outputs: chartOuts},
			{ID: "pictures", CellType: notebook.Code, ExecutionCount: intp(4), Source: "%%\nplotting.Show(out.Pictures())",
				Outputs: []notebook.Output{
					{OutputType: notebook.DisplayData, Data: map[string]any{"image/png": pngBase64(64, 32), "text/plain": "<image>"},
						Metadata: map[string]any{"image/png": map[string]any{"width": 128}}},
					{OutputType: notebook.DisplayData, Data: map[string]any{"image/jpeg": jpegBase64(32, 32)}},
					{OutputType: notebook.DisplayData, Data: map[string]any{"image/svg+xml": `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="teal"/></svg>`}},
					{OutputType: notebook.DisplayData, Data: map[string]any{"audio/wav": wavBase64()}},
				}},
			{ID: "rich", CellType: notebook.Code, ExecutionCount: intp(5), Source: "%%\nshowRich()",
				Outputs: []notebook.Output{
					{OutputType: notebook.ExecuteResult, ExecutionCount: intp(5), Data: map[string]any{"text/plain": "map[a:<1> b:2]"}},
					{OutputType: notebook.DisplayData, Data: map[string]any{"text/markdown": "**bold** and $x^2$ <i>raw</i>"}},
					{OutputType: notebook.DisplayData, Data: map[string]any{"text/latex": "$$\\frac{a}{b}$$"}},
				}},
			{ID: "boom", CellType: notebook.Code, ExecutionCount: intp(6), Source: "%%\npanic(\"<boom>\")",
				Outputs: []notebook.Output{
					{OutputType: notebook.Error, Ename: "panic", Evalue: "<boom>",
						Traceback: []string{"\x1b[31mpanic: <boom>\x1b[0m", "", "goroutine 1 [running]:", "main.main()"}},
				}},
			{ID: "notes", CellType: notebook.Raw, Source: "raw <b>cell</b>"},
			{ID: "result", CellType: notebook.Code, ExecutionCount: intp(7), Source: "%%\nfmt.Println(rl.Result(out))",
				Outputs: []notebook.Output{
					{OutputType: notebook.Stream, Name: "stdout", Text: "RESULT lesson=07 metric=cliff_return value=-13 threshold=-20 ok=true\n"},
				}},
		},
	}
}

// testAssetsDir returns the directory of the pinned npm package name
// (katex, echarts) from package assets: $DL4GO_ASSETS_DIR or the user cache,
// fetched from the npm registry (checksummed) if missing. It skips loudly
// when the package cannot be had.
func testAssetsDir(t *testing.T, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir, err := assets.Ensure(ctx, name)
	if err != nil {
		requireOrSkip(t, fmt.Sprintf("offline asset %s not available: %v", name, err))
	}
	return dir
}

func testKaTeX(t *testing.T) *KaTeX {
	t.Helper()
	k, err := LoadKaTeX(testAssetsDir(t, "katex"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testECharts(t *testing.T) string {
	t.Helper()
	js, err := os.ReadFile(filepath.Join(testAssetsDir(t, "echarts"), "dist", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

// requireOrSkip skips loudly, or fails when DL4GO_REQUIRE_JUPYTER=1.
func requireOrSkip(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("DL4GO_REQUIRE_JUPYTER") == "1" {
		t.Fatalf("required (DL4GO_REQUIRE_JUPYTER=1): %s", why)
	}
	t.Skipf("SKIPPED: %s", why)
}
