package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dl4go/dl4go/export"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/kernel"
	"github.com/dl4go/dl4go/kernel/client"
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/notebook"
)

func init() {
	register("run", "execute notebooks headless through the kernel; write the executed notebook and its HTML page", runCommand)
}

type runOptions struct {
	quick   bool
	outDir  string
	timeout time.Duration // 0: from each notebook's listed time (cellLimit)
	site    string
}

// Exit statuses of `dl4go run` beyond 0 (success), 1 (a failed cell or
// lesson outcome) and 2 (bad input): 128 + the signal's number, as shells
// report a process a signal stopped.
const (
	exitHangup     = 129 // SIGHUP: the terminal closed
	exitInterrupt  = 130 // SIGINT: Ctrl+C
	exitPipeClosed = 141 // SIGPIPE: whoever read our output has gone
	exitTerminated = 143 // SIGTERM
)

// stopped is the cause of a run's context when a signal stops it.
type stopped struct {
	sig    os.Signal
	status int
	what   string // "interrupted (Ctrl+C)"
}

func (s *stopped) Error() string { return s.what }

func runCommand(args []string) int {
	fs := flag.NewFlagSet("dl4go run", flag.ContinueOnError)
	var opts runOptions
	fs.BoolVar(&opts.quick, "quick", false, "run at the quick size (sets "+lessons.QuickEnvVar+"=1 for the kernel)")
	fs.StringVar(&opts.outDir, "out", "build", "`DIR` for the executed notebooks and HTML pages")
	fs.DurationVar(&opts.timeout, "timeout", 0, "longest a single cell may run (default: from the notebook's listed time, "+
		fmt.Sprintf("%d× it plus %s; %s for a notebook that lists none)", limitFactor, limitMargin, defaultCellLimit))
	fs.StringVar(&opts.site, "site", "", "also write a site index of the pages into `DIR`")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: dl4go run [--quick] [--out DIR] [--timeout DUR] [--site DIR] [ID|PATH ...]")
		fs.PrintDefaults()
	}
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if opts.timeout < 0 {
		return fail(2, "--timeout %s is negative: give the longest a cell may run, e.g. --timeout 30m", opts.timeout)
	}
	paths, err := resolveNotebooks(fs.Args())
	if err != nil {
		return fail(2, "%v", err)
	}
	// Read every notebook first: bad input is reported before anything runs.
	nbs := make([]*notebook.Notebook, len(paths))
	for i, p := range paths {
		if nbs[i], err = notebook.Read(p); err != nil {
			return fail(2, "%v", err)
		}
		if _, _, err := cellLimit(nbs[i], opts); err != nil {
			return fail(2, "%s: %v", p, err)
		}
	}
	ctx, stop := signalContext()
	defer stop()
	in, err := ensureKernel()
	if err != nil {
		if s := stoppedBy(ctx); s != nil {
			return fail(s.status, "%s while installing the kernel; run the same command again to finish it", s.what)
		}
		return fail(1, "%v", err)
	}
	status := 0
	var pages []pageInfo
	for i, p := range paths {
		page, err := runNotebook(ctx, in, p, nbs[i], opts)
		if page.htmlPath != "" {
			pages = append(pages, page)
		}
		if s := stoppedBy(ctx); s != nil {
			fmt.Fprintf(os.Stderr, "dl4go: %s: %v\n", filepath.Base(p), err)
			if nbs[i].Lesson().Package != "" {
				fmt.Fprintf(os.Stderr, "dl4go: run the same command again to resume: finished training reloads from the cache "+
					"(%s) and an interrupted training continues from its last checkpoint\n", cacheDirForHelp())
			}
			return s.status
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "dl4go: %s: FAILED: %v\n", filepath.Base(p), err)
			status = 1
		}
	}
	if opts.site != "" {
		if err := writeSite(opts.site, pages); err != nil {
			return fail(1, "site: %v", err)
		}
	}
	return status
}

// signalContext returns a context that ends, with a *stopped cause, on
// SIGINT, SIGTERM, SIGHUP, or a SIGPIPE from a closed stdout or stderr
// (asking for SIGPIPE makes such a write fail instead of killing dl4go
// before it stops the kernel).
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	go func() {
		for sig := range sigs {
			switch sig {
			case os.Interrupt:
				cancel(&stopped{sig, exitInterrupt, "interrupted (Ctrl+C)"})
			case syscall.SIGTERM:
				cancel(&stopped{sig, exitTerminated, "terminated (SIGTERM)"})
			case syscall.SIGHUP:
				cancel(&stopped{sig, exitHangup, "stopped: the terminal closed (SIGHUP)"})
			case syscall.SIGPIPE:
				if outputClosed() {
					cancel(&stopped{sig, exitPipeClosed, "stopped: the output pipe closed"})
				}
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(sigs)
		cancel(nil)
	}
}

// stoppedBy returns the signal that ended ctx, or nil.
func stoppedBy(ctx context.Context) *stopped {
	var s *stopped
	if errors.As(context.Cause(ctx), &s) {
		return s
	}
	return nil
}

// cacheDirForHelp names the training cache for messages.
func cacheDirForHelp() string {
	if d := os.Getenv(gomlxext.CacheDirEnv); d != "" {
		return d
	}
	return "~/.cache/dl4go"
}

// The per-cell time limit of a lesson notebook: limitFactor times its listed
// run time (metadata dl4go.time_full or time_quick) plus limitMargin for a
// first compile on a fresh machine; defaultCellLimit for a notebook that lists none.
const (
	limitFactor      = 3
	limitMargin      = 5 * time.Minute
	defaultCellLimit = 15 * time.Minute
)

// cellLimit returns the longest a cell of nb may run and how it was chosen.
func cellLimit(nb *notebook.Notebook, opts runOptions) (time.Duration, string, error) {
	if opts.timeout > 0 {
		return opts.timeout, "--timeout", nil
	}
	meta, field := nb.Lesson().TimeFull, "time_full"
	if opts.quick {
		meta, field = nb.Lesson().TimeQuick, "time_quick"
	}
	if meta == "" {
		return defaultCellLimit, "the default for a notebook without a listed time", nil
	}
	listed, err := time.ParseDuration(meta)
	if err != nil || listed <= 0 {
		return 0, "", fmt.Errorf("metadata dl4go.%s is %q, not a duration such as \"2m\" or \"45s\": fix the notebook's metadata", field, meta)
	}
	return time.Duration(limitFactor)*listed + limitMargin,
		fmt.Sprintf("%d× the listed %s + %s", limitFactor, meta, limitMargin), nil
}

// ensureKernel returns the installed kernel, installing it for the user on
// first use or when it wires another checkout. A first install builds what
// `dl4go run` needs (not gopls: `dl4go install` adds it for Jupyter).
func ensureKernel() (kernel.Installed, error) {
	root, err := kernel.FindRoot(".")
	if err != nil {
		return kernel.Installed{}, err
	}
	in, err := kernel.Find()
	if err == nil && sameDir(in.Root(), root) && !staleKernel(in, root) {
		return in, nil
	}
	dataDir, derr := kernel.UserDataDir()
	if derr != nil {
		return kernel.Installed{}, derr
	}
	switch {
	case errors.Is(err, kernel.ErrNotInstalled):
		progressf("first use: installing the %s kernel into %s (once; `dl4go install` later adds gopls for completion in Jupyter)", kernel.Name, dataDir)
	case err != nil:
		return kernel.Installed{}, err
	default:
		progressf("updating the %s kernel in %s for %s", kernel.Name, dataDir, root)
	}
	return install(dataDir, runTools(in))
}

// runTools are the tools `dl4go run` builds: all but gopls, unless the
// installed kernel has gopls already (then it is rebuilt, to stay in step).
func runTools(in kernel.Installed) []string {
	var tools []string
	for _, t := range kernel.Tools {
		if filepath.Base(t) == "gopls" && in.Dir != "" {
			if _, err := os.Stat(filepath.Join(in.BinDir(), "gopls")); err == nil {
				tools = append(tools, t)
			}
			continue
		}
		if filepath.Base(t) != "gopls" {
			tools = append(tools, t)
		}
	}
	return tools
}

// staleKernel reports whether the installed launcher is older than the kernel's sources.
func staleKernel(in kernel.Installed, root string) bool {
	bin, err := os.Stat(filepath.Join(in.BinDir(), "dl4go"))
	if err != nil {
		return true
	}
	newer := false
	for _, dir := range []string{"kernel", "kernel/front", "kernel/wire", "cmd/dl4go"} {
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
		files = append(files, filepath.Join(root, "go.mod"), filepath.Join(root, "go.sum"))
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.ModTime().After(bin.ModTime()) {
				newer = true
			}
		}
	}
	return newer
}

func sameDir(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// pageInfo describes one executed notebook for the site index.
type pageInfo struct {
	nb       *notebook.Notebook
	nbPath   string
	htmlPath string
}

// runNotebook executes one notebook and writes its executed copy and page into opts.outDir.
func runNotebook(ctx context.Context, in kernel.Installed, path string, nb *notebook.Notebook, opts runOptions) (pageInfo, error) {
	name := strings.TrimSuffix(filepath.Base(path), ".ipynb")
	if err := os.MkdirAll(opts.outDir, 0o755); err != nil {
		return pageInfo{}, err
	}
	page := pageInfo{nb: nb, nbPath: filepath.Join(opts.outDir, name+".ipynb"), htmlPath: filepath.Join(opts.outDir, name+".html")}
	if sameDir(filepath.Dir(path), opts.outDir) {
		if abs1, _ := filepath.Abs(path); abs1 == mustAbs(page.nbPath) {
			return pageInfo{}, fmt.Errorf("--out %s would overwrite the source notebook: choose another directory", opts.outDir)
		}
	}
	limit, why, err := cellLimit(nb, opts)
	if err != nil {
		return pageInfo{}, err
	}
	env := os.Environ()
	for k, v := range in.Spec.Env {
		env = append(env, k+"="+v)
	}
	env = append(env, noGoplsEnv+"=1")
	if opts.quick {
		env = append(env, lessons.QuickEnvVar+"=1")
	}
	dir, _ := filepath.Abs(filepath.Dir(path))
	started := time.Now()
	k, err := client.Start(ctx, client.Options{Argv: in.Spec.Argv, Env: env, Dir: dir})
	if err != nil {
		return pageInfo{}, fmt.Errorf("start the %s kernel: %w", kernel.Name, err)
	}
	defer k.Shutdown()

	var runErr error
	codeCells := 0
	for _, c := range nb.Cells {
		if c.CellType == notebook.Code {
			codeCells++
		}
	}
	fmt.Fprintf(os.Stderr, "%-16s %d code cells; each may run %s (%s)\n", name, codeCells, limit, why)
	n := 0
	for idx, c := range nb.Cells {
		if c.CellType != notebook.Code {
			continue
		}
		n++
		c.Outputs, c.ExecutionCount = nil, nil
		if strings.TrimSpace(c.Source) == "" {
			continue
		}
		m := startMeter(fmt.Sprintf("%-16s cell %2d/%-2d running", name, n, codeCells), 0, time.Minute)
		cctx, cancel := context.WithTimeout(ctx, limit)
		reply, err := k.Execute(cctx, c.Source)
		cancel()
		m.finish()
		if reply != nil {
			c.Outputs = reply.Outputs
			if reply.ExecutionCount > 0 {
				ec := reply.ExecutionCount
				c.ExecutionCount = &ec
			}
		}
		state := "ok"
		switch s := stoppedBy(ctx); {
		case s != nil:
			state = "interrupted"
			runErr = fmt.Errorf("%s at cell %d/%d (index %d)", s.what, n, codeCells, idx)
		case errors.Is(err, client.ErrTimeout):
			state = "timeout"
			runErr = fmt.Errorf("cell %d (index %d) ran past its %s limit (%s); pass --timeout to allow more", n, idx, limit, why)
		case errors.Is(err, client.ErrKernelDied):
			state = "kernel died"
			runErr = fmt.Errorf("cell %d (index %d): %w", n, idx, err)
		case err != nil:
			state = "failed"
			runErr = fmt.Errorf("cell %d (index %d): %w", n, idx, err)
		case reply.Status != "ok":
			state = "error"
			runErr = fmt.Errorf("cell %d (index %d) raised %s: %s", n, idx, reply.Ename, firstLine(reply.Evalue))
		}
		d := time.Duration(0)
		if reply != nil {
			d = reply.Duration
		}
		fmt.Fprintf(os.Stderr, "%-16s cell %2d/%-2d %-11s %6.2fs\n", name, n, codeCells, state, d.Seconds())
		if runErr != nil {
			break
		}
	}
	nb.SetRun(notebook.RunMeta{Backend: gomlxext.Choose().String(), Date: started.UTC().Format(time.RFC3339),
		DurationS: time.Since(started).Seconds(), Quick: opts.quick})
	if runErr == nil && nb.Lesson().Package != "" {
		runErr = checkResult(nb, nb.Lesson().ID)
	}
	if err := nb.WriteFile(page.nbPath); err != nil {
		return pageInfo{}, fmt.Errorf("write %s: %w", page.nbPath, err)
	}
	if err := writePage(nb, page.htmlPath); err != nil {
		return pageInfo{nbPath: page.nbPath}, fmt.Errorf("write %s: %w", page.htmlPath, err)
	}
	fmt.Fprintf(os.Stderr, "%-16s wrote %s and %s (%.1fs)\n", name, page.nbPath, page.htmlPath, time.Since(started).Seconds())
	return page, runErr
}

// checkResult requires the lesson's RESULT line in the outputs, for lesson id, with ok=true.
func checkResult(nb *notebook.Notebook, id string) error {
	r, found := export.FindResult(nb)
	switch {
	case !found:
		return errors.New("no RESULT line: a lesson notebook must end by printing its RESULT line")
	case r.Lesson != id:
		return fmt.Errorf("the RESULT line is for lesson %s, but this notebook is lesson %s: %s", r.Lesson, id, r.Line)
	case !r.OK:
		return fmt.Errorf("the lesson's outcome was not reached: %s", r.Line)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

func relTo(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}
