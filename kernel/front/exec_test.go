package front

import (
	"strings"
	"testing"

	"github.com/dl4go/dl4go/kernel/internal/procs"
)

// gonbCompileReport is GoNB v0.11.1's HTML report of a compile error (style elided).
const gonbCompileReport = `
<style>
.gonb-err-location {
	background: var(--jp-err-color2);
}
</style>
<div class="lm-Widget p-Widget lm-Panel p-Panel jp-OutputArea-child">
<div class="lm-Widget p-Widget jp-RenderedText jp-mod-trusted jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr" style="font-family: monospace;">


<span style="white-space: pre;"> # gonb_df859f38</span>

<br/>

<span class="gonb-cell-line-info">Cell[3]: Line 3</span>
<span class="gonb-err-location">./main.go:11:1: </span> declared and not used: y
<div class="gonb-err-context">
func main() {
	flag.Parse()
x := 1
<div class="gonb-err-line">y := &#34;a&#34; + x
</div>


</div>

<br/>

<span class="gonb-cell-line-info">Cell[3]: Line 3</span>
<span class="gonb-err-location">./main.go:11:6: </span> invalid operation: "a" + x (mismatched types untyped string and int)
<div class="gonb-err-context">
func main() {
x := 1
<div class="gonb-err-line">y := &#34;a&#34; + x
</div>


</div>

<br/>
</div>
`

func TestCompileError(t *testing.T) {
	if !isCompileReport(gonbCompileReport) {
		t.Fatal("report not recognized")
	}
	if isCompileReport("<b>a chart</b>") {
		t.Fatal("ordinary HTML taken for a compile report")
	}
	e := compileError(gonbCompileReport)
	want := []string{
		"Cell[3]: Line 3: declared and not used: y\n    y := \"a\" + x",
		"Cell[3]: Line 3: invalid operation: \"a\" + x (mismatched types untyped string and int)\n    y := \"a\" + x",
	}
	if e.Ename != "CompileError" || e.Evalue != "Cell[3]: Line 3: declared and not used: y" || len(e.Traceback) != 2 {
		t.Fatalf("got %+v", e)
	}
	for i := range want {
		if e.Traceback[i] != want[i] {
			t.Errorf("traceback[%d] = %q, want %q", i, e.Traceback[i], want[i])
		}
	}
	if compileError("") != nil {
		t.Error("no report must give no error")
	}
	e.shiftLines(3, 1)
	if !strings.HasPrefix(e.Traceback[0], "Cell[3]: Line 2:") {
		t.Errorf("shiftLines: %q", e.Traceback[0])
	}
}

func TestRuntimeFailure(t *testing.T) {
	const marker = "\x1b[7m[[ Cell [4] Line 3 ]]\x1b[0m"
	tests := []struct {
		name        string
		stderr      string
		code        string
		interrupted bool
		mem         memUse
		ename       string
		evalue      string
		traceback   []string // substrings, in order
	}{
		{name: "ok", stderr: "some warning\n"},
		{name: "nothing", stderr: ""},
		{
			name:   "panic",
			stderr: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t " + marker + " /tmp/gonb_1/main.go:10 +0x65\nexit status 2\n",
			code:   "%%\nfmt.Println(1)\npanic(\"boom\")",
			ename:  "panic", evalue: "boom",
			traceback: []string{"panic: boom", "goroutine 1 [running]:", "Cell[4]: Line 3, in main.main(): panic(\"boom\")", "exit status 2"},
		},
		{
			name:   "panic whose frame GoNB did not mark",
			stderr: "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/gonb_1/main.go:10 +0x65\nexit status 2\n",
			code:   "%%\nfmt.Println(1)\npanic(\"boom\")",
			ename:  "panic", evalue: "boom",
			traceback: []string{"panic: boom", "Cell[4]: Line 3: panic(\"boom\")", "exit status 2"},
		},
		{
			name:   "runtime error in a one-line cell whose frame GoNB did not mark",
			stderr: "panic: runtime error: index out of range [21] with length 2\n\ngoroutine 1 [running]:\nexit status 2\n",
			code:   "\n\n[]int{1, 2}[x]",
			ename:  "panic", evalue: "runtime error: index out of range [21] with length 2",
			traceback: []string{"goroutine 1 [running]:", "Cell[4]: Line 3: []int{1, 2}[x]", "exit status 2"},
		},
		{
			name:   "runtime error",
			stderr: "before\npanic: runtime error: index out of range [5] with length 2\n\ngoroutine 1 [running]:\nmain.main()\n\t " + marker + " /tmp/x/main.go:9\nexit status 2\n",
			code:   "%%\nxs := []int{1, 2}\nfmt.Println(xs[5])",
			ename:  "panic", evalue: "runtime error: index out of range [5] with length 2",
			traceback: []string{"Cell[4]: Line 3, in main.main(): fmt.Println(xs[5])"},
		},
		{
			name:   "fatal error",
			stderr: "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nexit status 2\n",
			ename:  "fatal error", evalue: "all goroutines are asleep - deadlock!",
		},
		{
			name:   "log.Fatal",
			stderr: "2026/11/26 22:44:41 bad thing\nexit status 1\n",
			code:   "%%\nlog.Fatal(\"bad thing\")",
			ename:  "ExitError", evalue: "2026/11/26 22:44:41 bad thing (exit status 1)",
			traceback: []string{"bad thing", "Cell[4]: Line 2: log.Fatal(\"bad thing\")", "exit status 1"},
		},
		{
			name: "shell command", stderr: "exit status 1\n", code: "!false",
			ename: "ExitError", evalue: "exit status 1",
		},
		{
			name: "interrupted", stderr: "^C\nsignal: interrupt\n", code: "%%\nfor {}", interrupted: true,
			ename: "Interrupted", evalue: "the cell was interrupted (signal: interrupt)",
		},
		{
			name: "killed", stderr: "allocating\nsignal: killed\n", code: "%%\nfor {}",
			mem:   memUse{peak: 3 << 29, bound: procs.Memory{Limit: 2 << 30, CGroup: true}},
			ename: "Signal", evalue: "killed (SIGKILL) — often the out-of-memory killer: the cell used 1.5 GiB of its 2.0 GiB memory limit",
			traceback: []string{"allocating", "killed (SIGKILL)", "signal: killed"},
		},
		{
			name: "killed by the OOM killer", stderr: "signal: killed\n", code: "%%\nfor {}",
			mem:   memUse{peak: 300 << 20, bound: procs.Memory{Limit: 8 << 30}, oomKilled: true},
			ename: "Signal", evalue: "killed (SIGKILL) by the out-of-memory killer: the cell used 300 MiB of the machine's 8.0 GiB",
		},
		{
			name: "shell command killed by SIGSEGV", stderr: "signal: segmentation fault (core dumped)\n", code: "!./crash",
			ename: "Signal", evalue: "segmentation fault (SIGSEGV)",
		},
		{
			name:   "Go program killed by SIGSEGV",
			stderr: "working\nSIGSEGV: segmentation violation\nPC=0x46a2e1 m=0 sigcode=0\n\ngoroutine 0 gp=0x5f0a40 m=0 mp=0x5f1400 [idle]:\nruntime.futex()\nrax    0xca\ngs     0x0\nexit status 2\n",
			code:   "%%\nsyscall.Kill(os.Getpid(), syscall.SIGSEGV)",
			ename:  "Signal", evalue: "SIGSEGV: segmentation violation",
			traceback: []string{"working", "SIGSEGV: segmentation violation", "goroutine 0", "exit status 2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := runtimeFailure(tc.stderr, tc.code, 4, tc.interrupted, tc.mem)
			if tc.ename == "" {
				if e != nil {
					t.Fatalf("got failure %+v", e)
				}
				return
			}
			if e == nil {
				t.Fatal("no failure")
			}
			if e.Ename != tc.ename || e.Evalue != tc.evalue {
				t.Errorf("got %q %q, want %q %q", e.Ename, e.Evalue, tc.ename, tc.evalue)
			}
			tb := strings.Join(e.Traceback, "\n")
			at := 0
			for _, want := range tc.traceback {
				i := strings.Index(tb[at:], want)
				if i < 0 {
					t.Errorf("traceback lacks %q (in order):\n%s", want, tb)
					break
				}
				at += i + len(want)
			}
		})
	}
}

// GoNB's report of a failed go get, as it displays it (style sheet shortened).
const goGetReport = "\n<style>\n.gonb-err-location {\n\tbackground: var(--jp-err-color2);\n}\n</style>\n" +
	"<div class=\"lm-Widget p-Widget lm-Panel p-Panel jp-OutputArea-child\">\n" +
	"<span style=\"white-space: pre;\"> failed to run \"/usr/local/go/bin/go get\": exit status 1</span>\n\n<br/>\n" +
	"<span style=\"white-space: pre;\"> </span>\n\n<br/>\n" +
	"<span style=\"white-space: pre;\"> go: module example.com/nosuch/pkg: reading https://proxy.golang.org/example.com/nosuch/pkg/@v/list: 400 Bad Request</span>\n\n<br/>\n</div>\n"

func TestGoGetError(t *testing.T) {
	if !isCompileReport(goGetReport) || !reGoGetFailed.MatchString(`failed to run "/usr/local/go/bin/go get": exit status 1`) {
		t.Fatal("the report is not recognized")
	}
	e := goGetError(goGetReport)
	want := "go: module example.com/nosuch/pkg: reading https://proxy.golang.org/example.com/nosuch/pkg/@v/list: 400 Bad Request (go get, run for the cell's imports, failed)"
	if e.Ename != "GoGetError" || e.Evalue != want || len(e.Traceback) != 2 {
		t.Errorf("got %+v", e)
	}
	// As a compile error, the text holds no style sheet.
	if ce := compileError(goGetReport); strings.Contains(strings.Join(ce.Traceback, "\n"), "background") {
		t.Errorf("compileError kept the style sheet: %q", ce.Traceback)
	}
}

func TestShellOnly(t *testing.T) {
	for code, want := range map[string]bool{
		"!false":                             true,
		"!*go version && grep -c . go.mod":   true,
		"// list\n!ls\n\n%env X 1":           true,
		"!echo a \\\n  b":                    true,
		"//gonb:!ls":                         true,
		"%%bash\nexit 3":                     true,
		"%%script bc\n7 + 11":                true,
		"%goflags -cover":                    true,
		"!ls\n%%\nfmt.Println(1)":            false,
		"%%\nfmt.Println(1)":                 false,
		"%main\nfmt.Println(1)":              false,
		"!ls\nfmt.Println(1)":                false,
		"func f() {}":                        false,
		"// only a comment":                  false,
		"%test\nfunc TestA(t *testing.T) {}": false,
	} {
		if got := shellOnly(code); got != want {
			t.Errorf("shellOnly(%q) = %v, want %v", code, got, want)
		}
	}
}
