package front

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/go-zeromq/zmq4"
)

// Versions named in the kernel banner.
const (
	GoNBVersion  = "v0.11.1"
	GoMLXVersion = "v0.26.0"
)

// Options configure [Serve].
type Options struct {
	// StartBackend returns the GoNB command (not started) for a connection file,
	// e.g. `gonb --kernel FILE` with goimports and gopls on its PATH. Serve starts it
	// (on Linux under a reaper: a copy of this executable, see reaper_linux.go) in
	// its own process group and stops it at shutdown. Required.
	StartBackend func(ctx context.Context, connectionFile string) (*exec.Cmd, error)
	// Banner is the kernel_info banner; empty gives one naming dl4go, GoNB, GoMLX,
	// Go and Backend.
	Banner string
	// Backend names the active GoMLX backend for the default banner.
	Backend string
	// HistoryPath is the history file; empty means [DefaultHistoryPath].
	HistoryPath string
	// Logf receives the front's log lines; nil logs to stderr.
	Logf func(format string, args ...any)
	// InterruptGrace is how long a cell may run after SIGINT before its processes
	// are killed; zero means 2 s.
	InterruptGrace time.Duration
	// HandleSignals makes Serve act as the kernel process: SIGINT interrupts the
	// cell, SIGTERM and SIGHUP shut down, and Serve returns when its parent
	// process (Jupyter) dies, like ipykernel's parent poller. Tests leave it off.
	HandleSignals bool
}

// HelpLinks are listed in kernel_info_reply.
var HelpLinks = []map[string]string{
	{"text": "dl4go README", "url": "https://github.com/dl4go/dl4go#readme"},
	{"text": "GoMLX documentation", "url": "https://pkg.go.dev/github.com/gomlx/gomlx"},
	{"text": "GoNB documentation", "url": "https://github.com/janpfeifer/gonb#readme"},
	{"text": "Go documentation", "url": "https://go.dev/doc/"},
}

type front struct {
	opts     Options
	logf     func(string, ...any)
	ci, gci  wire.ConnectionInfo
	connFile string // Jupyter's connection file
	key      []byte // Jupyter side
	gkey     []byte // GoNB side
	session  string
	goVer    string
	tmpDir   string

	jShell, jControl, jStdin, jIOPub lockedSocket
	jHB                              zmq4.Socket
	gShell, gControl, gStdin         lockedSocket
	gIOPub                           zmq4.Socket

	cmd          *exec.Cmd // GoNB's reaper on Linux (see reaper_linux.go), else GoNB
	reaped       *reaped
	lifelineOnce sync.Once // closes reaped.lifeline
	cmdDone      chan struct{}
	cmdErr       error

	hist   *History
	comms  commTable
	replay *replayGuard
	ready  chan struct{}
	stop   chan struct{}
	stopMu sync.Once
	// answerShutdown, once a shutdown_request arrived, sends the front's shutdown_reply unless
	// GoNB's was already forwarded, and stops the front.
	answerShutdown atomic.Pointer[func()]
	// shutdownMu serializes the one shutdown_reply (GoNB's or the front's) with the return of
	// Serve, which closes the Jupyter sockets.
	shutdownMu       sync.Mutex
	shutdownAnswered bool

	execQueue chan queuedExec

	mu          sync.Mutex
	controlReqs map[string]bool       // control requests forwarded to GoNB
	wrapped     map[string]int        // complete_request ids whose code got a "%%" line
	execs       map[string]*execState // by the msg_id GoNB sees
	own         map[string]chan *wire.Message
	current     *execState
	// inspectTimeout bounds the wait for GoNB's inspect_reply to a "?name" cell.
	inspectTimeout time.Duration
	// inputAsked is when the last input_request from GoNB was forwarded to Jupyter.
	inputAsked time.Time
}

// Sizes of the front's queues and memories.
const (
	execQueueSize = 10000   // execute_requests waiting for GoNB
	replayMemory  = 1 << 16 // messages the replay guard remembers
)

// newFront returns a front for connection ci with no sockets, GoNB or history
// yet; queueSize and remember size its execution queue and replay guard.
func newFront(opts Options, ci wire.ConnectionInfo, queueSize, remember int) *front {
	f := &front{opts: opts, ci: ci, key: ci.SigningKey(), session: wire.NewID(),
		ready: make(chan struct{}), stop: make(chan struct{}), cmdDone: make(chan struct{}),
		execQueue: make(chan queuedExec, queueSize), execs: map[string]*execState{}, wrapped: map[string]int{},
		controlReqs: map[string]bool{}, own: map[string]chan *wire.Message{}, replay: newReplayGuard(remember),
		inspectTimeout: 15 * time.Second}
	f.logf = opts.Logf
	if f.logf == nil {
		l := log.New(os.Stderr, "dl4go front: ", log.LstdFlags)
		f.logf = l.Printf
	}
	if f.opts.InterruptGrace <= 0 {
		f.opts.InterruptGrace = 2 * time.Second
	}
	return f
}

// Serve runs the front for the connection file until shutdown_request, ctx is
// cancelled or GoNB dies. It returns nil after a clean shutdown.
func Serve(ctx context.Context, connectionFile string, opts Options) error {
	if opts.StartBackend == nil {
		return errors.New("front: Options.StartBackend is nil")
	}
	ci, err := wire.LoadConnectionFile(connectionFile)
	if err != nil {
		return err
	}
	f := newFront(opts, ci, execQueueSize, replayMemory)
	f.connFile = connectionFile
	f.goVer = goVersion()
	hpath := opts.HistoryPath
	if hpath == "" {
		if hpath, err = DefaultHistoryPath(); err != nil {
			f.logf("history disabled: %v", err)
		}
	}
	f.hist = OpenHistory(hpath, f.logf)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Jupyter side first: the heartbeat answers from the start.
	listen := func(ch wire.Channel) zmq4.Socket {
		if err != nil {
			return nil
		}
		var s zmq4.Socket
		s, err = wire.Listen(ctx, ci, ch)
		return s
	}
	shell, control, stdin, iopub, hb := listen(wire.Shell), listen(wire.Control), listen(wire.Stdin), listen(wire.IOPub), listen(wire.HB)
	if err != nil {
		for _, s := range []zmq4.Socket{shell, control, stdin, iopub, hb} {
			if s != nil {
				s.Close()
			}
		}
		return fmt.Errorf("front: %w", err)
	}
	f.jShell.s, f.jControl.s, f.jStdin.s, f.jIOPub.s, f.jHB = shell, control, stdin, iopub, hb
	defer func() {
		for _, s := range []zmq4.Socket{shell, control, stdin, iopub, hb} {
			s.Close()
		}
	}()
	go f.heartbeat()

	if opts.HandleSignals {
		defer f.handleSignals()()
		go f.watchParent()
	}

	if err := f.startBackend(ctx); err != nil {
		return err
	}
	defer os.RemoveAll(f.tmpDir)
	defer f.stopBackend()

	go f.readJupyter(ctx, &f.jShell, wire.Shell)
	go f.readJupyter(ctx, &f.jControl, wire.Control)
	go f.readJupyter(ctx, &f.jStdin, wire.Stdin)

	if err := f.connectBackend(ctx); err != nil {
		return err
	}
	close(f.ready)
	go f.warmCompletion()
	go f.runExecs(ctx)

	select {
	case <-ctx.Done():
		return nil
	case <-f.stop:
		return nil
	case <-f.cmdDone:
		select {
		case <-f.stop:
			return nil
		default:
		}
		if answer := f.answerShutdown.Load(); answer != nil {
			// GoNB exited on the shutdown_request, maybe before its reply reached us: answer
			// now, while the Jupyter sockets are still open.
			(*answer)()
			return nil
		}
		return fmt.Errorf("front: GoNB exited: %v", f.cmdErr)
	}
}

func (f *front) kernelInfo() map[string]any {
	banner := f.opts.Banner
	if banner == "" {
		backend := f.opts.Backend
		if backend == "" {
			backend = "default"
		}
		banner = fmt.Sprintf("dl4go — deep learning notebooks in Go\nGoNB %s · GoMLX %s · GoMLX backend: %s · Go %s",
			GoNBVersion, GoMLXVersion, backend, f.goVer)
	}
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       wire.ProtocolVersion,
		"implementation":         "dl4go",
		"implementation_version": "0.1.0",
		"language_info": map[string]any{
			"name":            "go",
			"version":         f.goVer,
			"mimetype":        "text/x-go",
			"file_extension":  ".go",
			"pygments_lexer":  "go",
			"codemirror_mode": "go",
		},
		"banner":     banner,
		"help_links": HelpLinks,
	}
}

// goVersion asks the Go toolchain on PATH (the one cells build with).
func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		v = strings.TrimPrefix(runtimeVersion(), "go")
	}
	return strings.TrimPrefix(v, "go")
}

func runtimeVersion() string { return runtime.Version() }
