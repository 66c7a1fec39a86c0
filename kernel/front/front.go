// Package front is the dl4go kernel's protocol front: the process Jupyter talks to.
//
// Start with [Serve]. It binds the five Jupyter channels of the connection file
// (shell, control and stdin ROUTERs, an iopub PUB and a heartbeat REP), starts GoNB
// behind it on 127.0.0.1 with its own connection file and key (see
// [Options.StartBackend]) and forwards every message both ways, re-signed, with its
// routing identities kept: comms, widgets, input requests, display updates, completion
// and inspection pass through unchanged. The front itself answers what GoNB lacks:
//
//   - is_complete_request, parsed with go/scanner and go/parser ([IsComplete]);
//   - history_request, from a per-user history file ([History]);
//   - kernel_info_request, with a banner naming dl4go, GoNB, GoMLX and the backend;
//   - interrupt_request (and SIGINT): GoNB is told, every process of the running
//     cell (shell commands too) gets SIGINT, and SIGKILL after a grace period;
//   - heartbeats, even while GoNB compiles.
//
// It also repairs GoNB's execution results: a panic, log.Fatal or non-zero exit
// gives reply status "error" with one error output naming the cell lines; a compile
// error gives one error output (GoNB's HTML report becomes its traceback); a cell
// holding only a Go expression publishes its value as execute_result (a lone call
// without results, or to fmt/log/os, just runs as a %% statement); "?name" shows
// gopls' documentation as a pager payload. Cells run one at a time; after a failed
// cell with stop_on_error the queued ones are aborted, as IPython does. A cell
// program clears its output with a display_data of [ClearOutputMIME].
//
// An input_reply waits until 250 ms after GoNB's input_request (GoNB drops a reply
// that comes sooner; see inputReplyHold). Messages with a missing or wrong
// signature, and replayed msg_ids, are dropped and logged.
package front

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	// in its own process group and stops it at shutdown. Required.
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

// lockedSocket serializes sends on a socket shared by goroutines.
type lockedSocket struct {
	mu sync.Mutex
	s  zmq4.Socket
}

func (l *lockedSocket) send(frames [][]byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return wire.SendFrames(l.s, frames)
}

type front struct {
	opts    Options
	logf    func(string, ...any)
	ci, gci wire.ConnectionInfo
	key     []byte // Jupyter side
	gkey    []byte // GoNB side
	session string
	goVer   string
	tmpDir  string

	jShell, jControl, jStdin, jIOPub lockedSocket
	jHB                              zmq4.Socket
	gShell, gControl, gStdin         lockedSocket
	gIOPub                           zmq4.Socket

	cmd     *exec.Cmd
	cmdDone chan struct{}
	cmdErr  error

	hist   *History
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
	// inputAsked is when the last input_request from GoNB was forwarded to Jupyter.
	inputAsked time.Time
}

// inputReplyHold is how long after GoNB's input_request the front holds back the
// input_reply. GoNB v0.11.1 (internal/kernel/messages.go, PromptInput) sends
// input_request before it registers the callback that takes the reply, and
// drops a reply that arrives in between, leaving the cell waiting for input
// forever. No person answers a prompt this fast; a client that answers at once
// (a test, a script) would lose the race when GoNB's goroutine is descheduled
// right after its send.
const inputReplyHold = 250 * time.Millisecond

// holdInputReply waits until inputReplyHold has passed since the last
// input_request, or until the front stops.
func (f *front) holdInputReply() {
	f.mu.Lock()
	wait := inputReplyHold - time.Since(f.inputAsked)
	f.mu.Unlock()
	if wait <= 0 {
		return
	}
	select {
	case <-time.After(wait):
	case <-f.stop:
	}
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
	f := &front{opts: opts, ci: ci, key: ci.SigningKey(), session: wire.NewID(),
		ready: make(chan struct{}), stop: make(chan struct{}), cmdDone: make(chan struct{}),
		execQueue: make(chan queuedExec, 10000), execs: map[string]*execState{}, wrapped: map[string]int{}, controlReqs: map[string]bool{}, own: map[string]chan *wire.Message{}, replay: newReplayGuard(1 << 16)}
	f.logf = opts.Logf
	if f.logf == nil {
		l := log.New(os.Stderr, "dl4go front: ", log.LstdFlags)
		f.logf = l.Printf
	}
	if f.opts.InterruptGrace <= 0 {
		f.opts.InterruptGrace = 2 * time.Second
	}
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
		sigs := make(chan os.Signal, 4)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer signal.Stop(sigs)
		go func() {
			for {
				select {
				case s := <-sigs:
					if s == os.Interrupt {
						f.logf("SIGINT: interrupting the running cell")
						f.interrupt()
					} else {
						f.logf("%v: shutting down", s)
						f.shutdown()
					}
				case <-f.stop:
					return
				}
			}
		}()
	}

	if opts.HandleSignals {
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

// startBackend writes GoNB's private connection file and starts it.
func (f *front) startBackend(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "dl4go-front-")
	if err != nil {
		return fmt.Errorf("front: temp dir: %w", err)
	}
	f.tmpDir = dir
	gci, err := wire.NewLoopbackConnection()
	if err != nil {
		return fmt.Errorf("front: %w", err)
	}
	gci.KernelName = "gonb"
	f.gci, f.gkey = gci, gci.SigningKey()
	path := filepath.Join(dir, "gonb-connection.json")
	if err := gci.Write(path); err != nil {
		return fmt.Errorf("front: %w", err)
	}
	cmd, err := f.opts.StartBackend(ctx, path)
	if err != nil {
		return fmt.Errorf("front: start GoNB: %w", err)
	}
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stderr
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("front: start GoNB %s: %w", cmd.Path, err)
	}
	f.cmd = cmd
	go func() {
		f.cmdErr = cmd.Wait()
		killOrphans(cmd.Process.Pid)
		close(f.cmdDone)
	}()
	return nil
}

// connectBackend dials GoNB's channels and waits until its iopub carries the
// status of a kernel_info_request.
func (f *front) connectBackend(ctx context.Context) error {
	id := "dl4go-front-" + f.session[:8]
	opts := []zmq4.Option{zmq4.WithDialerRetry(50 * time.Millisecond), zmq4.WithDialerMaxRetries(1200)}
	var err error
	dial := func(ch wire.Channel) zmq4.Socket {
		if err != nil {
			return nil
		}
		var s zmq4.Socket
		s, err = wire.Dial(ctx, f.gci, ch, id, opts...)
		return s
	}
	f.gIOPub = dial(wire.IOPub)
	f.gShell.s, f.gControl.s, f.gStdin.s = dial(wire.Shell), dial(wire.Control), dial(wire.Stdin)
	if err != nil {
		return fmt.Errorf("front: connect to GoNB: %w", err)
	}
	go f.readBackendIOPub(ctx)
	go f.readBackend(ctx, &f.gShell, &f.jShell, wire.Shell)
	go f.readBackend(ctx, &f.gControl, &f.jControl, wire.Control)
	go f.readBackend(ctx, &f.gStdin, &f.jStdin, wire.Stdin)

	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		req := wire.NewMessage("kernel_info_request", nil, f.session, nil)
		ch := f.expectOwn(req.Header.MsgID)
		if err := f.sendBackend(&f.gShell, req); err != nil {
			return err
		}
		timer := time.NewTimer(500 * time.Millisecond)
	wait:
		for {
			select {
			case m := <-ch:
				if m.Header.MsgType == "status" {
					timer.Stop()
					f.forgetOwnLater(req.Header.MsgID)
					return nil
				}
			case <-timer.C:
				break wait
			case <-f.cmdDone:
				return fmt.Errorf("front: GoNB exited before answering: %v", f.cmdErr)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		f.forgetOwnLater(req.Header.MsgID)
	}
	return errors.New("front: GoNB did not answer kernel_info_request within 2 minutes")
}

func (f *front) expectOwn(id string) chan *wire.Message {
	ch := make(chan *wire.Message, 16)
	f.mu.Lock()
	f.own[id] = ch
	f.mu.Unlock()
	return ch
}

// forgetOwnLater keeps swallowing late replies to an own request for a while.
func (f *front) forgetOwnLater(id string) {
	time.AfterFunc(30*time.Second, func() {
		f.mu.Lock()
		delete(f.own, id)
		f.mu.Unlock()
	})
}

func (f *front) sendBackend(s *lockedSocket, m *wire.Message) error {
	frames, err := m.Encode(f.gkey)
	if err != nil {
		return err
	}
	if err := s.send(frames); err != nil {
		return fmt.Errorf("front: send %s to GoNB: %w", m.Header.MsgType, err)
	}
	return nil
}

// heartbeat echoes pings.
func (f *front) heartbeat() {
	for {
		msg, err := f.jHB.Recv()
		if err != nil {
			return
		}
		if err := f.jHB.Send(msg); err != nil {
			return
		}
	}
}

func isClosed(err error) bool {
	return errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "closed") || strings.Contains(err.Error(), "EOF")
}

// readJupyter verifies and dispatches the messages from Jupyter on one channel.
func (f *front) readJupyter(ctx context.Context, s *lockedSocket, ch wire.Channel) {
	pending := make(chan queuedExec, 10000)
	go f.forwardLoop(ctx, ch, pending)
	for {
		msg, err := s.s.Recv()
		if err != nil {
			if ctx.Err() != nil || isClosed(err) {
				return
			}
			f.logf("%s: recv: %v", ch, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		fr, err := wire.Split(msg.Frames)
		if err != nil {
			f.logf("%s: dropped malformed message: %v", ch, err)
			continue
		}
		if err := fr.Verify(f.key); err != nil {
			f.logf("%s: dropped message with a missing or wrong signature", ch)
			continue
		}
		m, err := fr.Decoded()
		if err != nil {
			f.logf("%s: dropped undecodable message: %v", ch, err)
			continue
		}
		if !f.replay.add(replayKey(fr, m)) {
			f.logf("%s: dropped replayed message %s (%s)", ch, m.Header.MsgID, m.Header.MsgType)
			continue
		}
		f.handleJupyter(s, ch, fr, m, pending)
	}
}

func (f *front) backendSocket(ch wire.Channel) *lockedSocket {
	switch ch {
	case wire.Control:
		return &f.gControl
	case wire.Stdin:
		return &f.gStdin
	}
	return &f.gShell
}

func (f *front) handleJupyter(s *lockedSocket, ch wire.Channel, fr wire.Frames, m *wire.Message, pending chan queuedExec) {
	switch m.Header.MsgType {
	case "kernel_info_request":
		f.replyLocal(s, m, "kernel_info_reply", f.kernelInfo())
		return
	case "is_complete_request":
		var c struct{ Code string }
		_ = m.Unmarshal(&c)
		f.replyLocal(s, m, "is_complete_reply", IsComplete(c.Code))
		return
	case "history_request":
		var req HistoryRequest
		_ = m.Unmarshal(&req)
		f.replyLocal(s, m, "history_reply", f.hist.Answer(req))
		return
	case "interrupt_request":
		f.interrupt()
		f.reply(s, m, "interrupt_reply", map[string]any{"status": "ok"})
		return
	case "shutdown_request":
		f.forwardShutdown(s, ch, fr, m)
		return
	}
	pending <- queuedExec{fr: fr, m: m, arrived: time.Now()}
}

// forwardLoop passes a channel's messages to GoNB in order, once GoNB is ready;
// local answers (kernel_info, is_complete, history) do not wait for it.
func (f *front) forwardLoop(ctx context.Context, ch wire.Channel, pending chan queuedExec) {
	select {
	case <-f.ready:
	case <-f.stop:
		return
	case <-ctx.Done():
		return
	}
	for {
		var q queuedExec
		select {
		case q = <-pending:
		case <-f.stop:
			return
		case <-ctx.Done():
			return
		}
		fr, m := q.fr, q.m
		if m.Header.MsgType == "execute_request" && ch == wire.Shell {
			f.execQueue <- q
			continue
		}
		if m.Header.MsgType == "complete_request" {
			fr = f.wrapComplete(fr, m)
		}
		if ch == wire.Control {
			f.routeToControl(m.Header.MsgID)
		}
		if m.Header.MsgType == "input_reply" {
			f.holdInputReply()
		}
		if err := f.backendSocket(ch).send(fr.Sign(f.gkey)); err != nil {
			f.logf("%s: forward %s: %v", ch, m.Header.MsgType, err)
		}
	}
}

// reply sends a reply to m on s.
func (f *front) reply(s *lockedSocket, parent *wire.Message, msgType string, content any) {
	r := wire.NewMessage(msgType, parent, f.session, content)
	frames, err := r.Encode(f.key)
	if err == nil {
		err = s.send(frames)
	}
	if err != nil {
		f.logf("send %s: %v", msgType, err)
	}
}

// replyLocal answers a request in the front, framed by busy/idle on iopub.
func (f *front) replyLocal(s *lockedSocket, parent *wire.Message, msgType string, content any) {
	f.publish(parent, "status", map[string]string{"execution_state": "busy"})
	f.reply(s, parent, msgType, content)
	f.publish(parent, "status", map[string]string{"execution_state": "idle"})
}

func (f *front) topic(msgType string) []byte {
	return []byte("kernel." + f.session[:8] + "." + msgType)
}

// publish sends a front-made message on Jupyter's iopub.
func (f *front) publish(parent *wire.Message, msgType string, content any) {
	m := wire.NewMessage(msgType, parent, f.session, content)
	m.Identities = [][]byte{f.topic(msgType)}
	frames, err := m.Encode(f.key)
	if err == nil {
		err = f.jIOPub.send(frames)
	}
	if err != nil {
		f.logf("publish %s: %v", msgType, err)
	}
}

// publishFrames forwards a GoNB iopub message to Jupyter, re-signed, with parent
// replaced by parentRaw when given.
func (f *front) publishFrames(fr wire.Frames, msgType string, parentRaw []byte) {
	fr.Identities = [][]byte{f.topic(msgType)}
	if parentRaw != nil {
		fr.ParentHeader = parentRaw
	}
	if err := f.jIOPub.send(fr.Sign(f.key)); err != nil {
		f.logf("publish %s: %v", msgType, err)
	}
}

// readBackend forwards GoNB's replies on shell, control or stdin to Jupyter.
func (f *front) readBackend(ctx context.Context, from, to *lockedSocket, ch wire.Channel) {
	for {
		fr, m, st, ok := f.nextBackend(ctx, from.s, ch)
		if !ok {
			return
		}
		if m == nil {
			continue
		}
		pid := m.ParentHeader.MsgID
		if st != nil && m.Header.MsgType == "execute_reply" {
			f.finishReply(st, fr, m)
			continue
		}
		if m.Header.MsgType == "complete_reply" {
			fr = f.unwrapComplete(fr, m)
		}
		dest := to
		f.mu.Lock()
		if f.controlReqs[pid] {
			// GoNB answers every request on shell; control requests get their
			// replies on control.
			dest = &f.jControl
			delete(f.controlReqs, pid)
		}
		f.mu.Unlock()
		if m.Header.MsgType == "shutdown_reply" {
			f.replyToShutdown(func() { f.forward(dest, ch, fr, m) })
			continue
		}
		if m.Header.MsgType == "input_request" {
			f.mu.Lock()
			f.inputAsked = time.Now()
			f.mu.Unlock()
		}
		f.forward(dest, ch, fr, m)
	}
}

// forward sends GoNB's message m (frames fr) to Jupyter on dest.
func (f *front) forward(dest *lockedSocket, ch wire.Channel, fr wire.Frames, m *wire.Message) {
	if err := dest.send(fr.Sign(f.key)); err != nil {
		f.logf("%s: forward %s: %v", ch, m.Header.MsgType, err)
	}
}

// nextBackend receives the next message from GoNB on s. Replies to the front's
// own requests are delivered to their waiter and, like undecodable messages,
// give a nil m; the rest come back with the execution they belong to (nil if
// none). ok is false once s is closed or ctx is done.
func (f *front) nextBackend(ctx context.Context, s zmq4.Socket, ch wire.Channel) (fr wire.Frames, m *wire.Message, st *execState, ok bool) {
	msg, err := s.Recv()
	if err != nil {
		if ctx.Err() != nil || isClosed(err) {
			return fr, nil, nil, false
		}
		f.logf("GoNB %s: recv: %v", ch, err)
		time.Sleep(10 * time.Millisecond)
		return fr, nil, nil, true
	}
	fr, m, decoded := f.decodeBackend(msg.Frames, ch)
	if !decoded {
		return fr, nil, nil, true
	}
	pid := m.ParentHeader.MsgID
	f.mu.Lock()
	own, isOwn := f.own[pid]
	st = f.execs[pid]
	f.mu.Unlock()
	if isOwn {
		select {
		case own <- m:
		default:
		}
		return fr, nil, nil, true
	}
	return fr, m, st, true
}

func (f *front) decodeBackend(frames [][]byte, ch wire.Channel) (wire.Frames, *wire.Message, bool) {
	fr, err := wire.Split(frames)
	if err == nil {
		err = fr.Verify(f.gkey)
	}
	var m *wire.Message
	if err == nil {
		m, err = fr.Decoded()
	}
	if err != nil {
		f.logf("GoNB %s: dropped message: %v", ch, err)
		return fr, nil, false
	}
	return fr, m, true
}

// readBackendIOPub forwards GoNB's iopub, repairing execution results.
func (f *front) readBackendIOPub(ctx context.Context) {
	for {
		fr, m, st, ok := f.nextBackend(ctx, f.gIOPub, wire.IOPub)
		if !ok {
			return
		}
		if m == nil {
			continue
		}
		if st != nil {
			f.execIOPub(st, fr, m)
			continue
		}
		f.publishFrames(fr, m.Header.MsgType, nil)
	}
}

// forwardShutdown passes a shutdown_request to GoNB on the same channel and stops
// after GoNB's reply (see readBackend), or after 3 s without one.
func (f *front) forwardShutdown(s *lockedSocket, ch wire.Channel, fr wire.Frames, m *wire.Message) {
	answer := func() {
		var c struct {
			Restart bool `json:"restart"`
		}
		_ = m.Unmarshal(&c)
		f.replyToShutdown(func() {
			f.reply(s, m, "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart})
		})
	}
	// Stored before GoNB sees the request: GoNB may exit at once, and Serve must then know that
	// a shutdown_reply is owed rather than report GoNB's death.
	f.answerShutdown.Store(&answer)
	wait := time.Duration(0)
	if ch == wire.Control {
		f.routeToControl(m.Header.MsgID)
	}
	select {
	case <-f.ready:
		if f.backendSocket(ch).send(fr.Sign(f.gkey)) == nil {
			wait = 3 * time.Second
		}
	default:
	}
	time.AfterFunc(wait, func() {
		select {
		case <-f.stop:
		default:
			answer()
		}
	})
}

// replyToShutdown sends the shutdown_reply with send unless one was sent already (GoNB's or the
// front's), then stops the front.
func (f *front) replyToShutdown(send func()) {
	f.shutdownMu.Lock()
	if !f.shutdownAnswered {
		f.shutdownAnswered = true
		send()
	}
	f.shutdownMu.Unlock()
	f.shutdown()
}

// watchParent shuts the kernel down when the process that started it exits.
func (f *front) watchParent() {
	parent := os.Getppid()
	if parent <= 1 {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if os.Getppid() != parent {
				f.logf("parent process %d exited: shutting down", parent)
				f.shutdown()
				return
			}
		case <-f.stop:
			return
		}
	}
}

// routeToControl sends GoNB's reply to request id to Jupyter's control socket.
func (f *front) routeToControl(id string) {
	f.mu.Lock()
	f.controlReqs[id] = true
	f.mu.Unlock()
	time.AfterFunc(time.Minute, func() {
		f.mu.Lock()
		delete(f.controlReqs, id)
		f.mu.Unlock()
	})
}

func (f *front) shutdown() {
	f.stopMu.Do(func() { close(f.stop) })
}

// stopBackend asks GoNB to exit (SIGTERM), then kills its process group.
func (f *front) stopBackend() {
	if f.cmd == nil || f.cmd.Process == nil {
		return
	}
	select {
	case <-f.cmdDone:
		return
	default:
	}
	_ = f.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-f.cmdDone:
	case <-time.After(3 * time.Second):
		killGroup(f.cmd.Process.Pid)
		<-f.cmdDone
	}
	for _, s := range []zmq4.Socket{f.gShell.s, f.gControl.s, f.gStdin.s, f.gIOPub} {
		if s != nil {
			s.Close()
		}
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

// replayKey identifies a message for replay detection: its signature (a replay is
// byte-identical), or msg_id and date on unsigned connections. msg_id alone is not
// unique: jupyter_client's KernelManager and its client count ids separately
// within one session.
func replayKey(fr wire.Frames, m *wire.Message) string {
	if len(fr.Signature) > 0 {
		return string(fr.Signature)
	}
	return m.Header.MsgID + "|" + m.Header.Date
}

// replayGuard remembers the last n message keys.
type replayGuard struct {
	mu   sync.Mutex
	seen map[string]struct{}
	ring []string
	next int
}

func newReplayGuard(n int) *replayGuard {
	return &replayGuard{seen: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records id and reports whether it is new.
func (g *replayGuard) add(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.seen[id]; ok {
		return false
	}
	if old := g.ring[g.next]; old != "" {
		delete(g.seen, old)
	}
	g.ring[g.next] = id
	g.next = (g.next + 1) % len(g.ring)
	g.seen[id] = struct{}{}
	return true
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
