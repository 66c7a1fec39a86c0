package front

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
	"github.com/go-zeromq/zmq4"
)

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
		f.receive(s, ch, msg.Frames, pending)
	}
}

// receive handles one message from Jupyter on channel ch (socket s): it drops
// it unless it is well-formed, correctly signed and new, answers it with an
// error unless it follows the messaging spec (see checkRequest), and otherwise
// answers it or queues it for GoNB on pending.
func (f *front) receive(s *lockedSocket, ch wire.Channel, frames [][]byte, pending chan queuedExec) {
	fr, err := wire.Split(frames)
	if err != nil {
		f.logf("%s: dropped malformed message: %v", ch, err)
		return
	}
	if err := fr.Verify(f.key); err != nil {
		f.logf("%s: dropped message with a missing or wrong signature", ch)
		return
	}
	m, err := fr.Decoded()
	if err != nil {
		f.logf("%s: dropped undecodable message: %v", ch, err)
		return
	}
	if !f.replay.add(f.replayKey(fr, m)) {
		f.logf("%s: dropped replayed message %s (%s)", ch, m.Header.MsgID, m.Header.MsgType)
		return
	}
	content, err := checkRequest(ch, m)
	if err != nil {
		f.rejectRequest(s, ch, m, err)
		return
	}
	m.Content, fr.Content = content, content
	f.handleJupyter(s, ch, fr, m, pending)
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
	case "comm_info_request":
		var c struct {
			TargetName string `json:"target_name"`
		}
		_ = m.Unmarshal(&c)
		f.replyLocal(s, m, "comm_info_reply", f.comms.info(c.TargetName))
		return
	case "comm_open", "comm_close":
		f.comms.track(m)
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
		f.forwardOne(ch, q)
	}
}

// forwardOne passes one message that arrived on ch to GoNB: an execute_request on
// shell joins the execution queue (see runExecs), the rest go to GoNB's socket of
// the same channel.
func (f *front) forwardOne(ch wire.Channel, q queuedExec) {
	fr, m := q.fr, q.m
	if m.Header.MsgType == "execute_request" && ch == wire.Shell {
		f.execQueue <- q
		return
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
		if t := m.Header.MsgType; t == "comm_open" || t == "comm_msg" || t == "comm_close" {
			// Front-ends take comm messages from iopub; GoNB v0.11.1 sends its comm_close
			// as a reply on shell (internal/comms/comms.go, closeLocked).
			f.comms.track(m)
			f.publishFrames(fr, t, nil)
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
		if t := m.Header.MsgType; t == "comm_open" || t == "comm_close" {
			f.comms.track(m)
		}
		if st != nil {
			f.execIOPub(st, fr, m)
			continue
		}
		f.publishFrames(fr, m.Header.MsgType, nil)
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
