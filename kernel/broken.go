package kernel

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/go-zeromq/zmq4"

	"github.com/dl4go/dl4go/kernel/wire"
)

// ServeBroken runs a minimal kernel that cannot run Go (the checkout moved, Go
// is missing, ...) but tells the learner why: every execution answers with an
// error output whose text is problem, so the first cell shows what to do
// instead of Jupyter reporting a dead kernel. It returns on shutdown_request or
// when ctx ends.
func ServeBroken(ctx context.Context, connectionFile string, problem error) error {
	ci, err := wire.LoadConnectionFile(connectionFile)
	if err != nil {
		return err
	}
	key := ci.SigningKey()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sockets := map[wire.Channel]zmq4.Socket{}
	for _, ch := range []wire.Channel{wire.Shell, wire.Control, wire.Stdin, wire.IOPub, wire.HB} {
		s, err := wire.Listen(ctx, ci, ch)
		if err != nil {
			return err
		}
		defer s.Close()
		sockets[ch] = s
	}
	go func() { // heartbeat: echo
		for {
			m, err := sockets[wire.HB].Recv()
			if err != nil {
				return
			}
			_ = sockets[wire.HB].Send(m)
		}
	}()
	session := wire.NewID()
	iopub := sockets[wire.IOPub]
	publish := func(parent *wire.Message, msgType string, content any) {
		m := wire.NewMessage(msgType, parent, session, content)
		m.Identities = nil
		_ = wire.Send(iopub, m, key)
	}
	count := 0
	text := fmt.Sprintf("The dl4go kernel cannot run Go cells: %v", problem)
	handle := func(s zmq4.Socket, req *wire.Message) (stop bool) {
		publish(req, "status", map[string]any{"execution_state": "busy"})
		defer publish(req, "status", map[string]any{"execution_state": "idle"})
		reply := func(content any) {
			_ = wire.Send(s, wire.NewMessage(strings.TrimSuffix(req.Header.MsgType, "_request")+"_reply", req, session, content), key)
		}
		switch req.Header.MsgType {
		case "kernel_info_request":
			reply(map[string]any{"status": "ok", "protocol_version": wire.ProtocolVersion,
				"implementation": "dl4go", "implementation_version": "broken",
				"language_info": map[string]any{"name": "go", "mimetype": "text/x-go", "file_extension": ".go"},
				"banner":        text})
		case "execute_request":
			count++
			publish(req, "error", map[string]any{"ename": "KernelSetupError", "evalue": text, "traceback": []string{text}})
			reply(map[string]any{"status": "error", "execution_count": count, "ename": "KernelSetupError", "evalue": text, "traceback": []string{text}})
		case "shutdown_request":
			reply(map[string]any{"status": "ok", "restart": false})
			return true
		case "interrupt_request":
			reply(map[string]any{"status": "ok"})
		default:
			if strings.HasSuffix(req.Header.MsgType, "_request") {
				reply(map[string]any{"status": "error", "ename": "KernelSetupError", "evalue": text, "traceback": []string{}})
			}
		}
		return false
	}
	reqs := make(chan [2]any)
	for _, ch := range []wire.Channel{wire.Shell, wire.Control} {
		s := sockets[ch]
		go func() {
			for {
				m, err := wire.Recv(s, key)
				if err != nil {
					if errors.Is(err, wire.ErrBadSignature) {
						log.Printf("dl4go kernel: dropped a message: %v", err)
						continue
					}
					return
				}
				select {
				case reqs <- [2]any{s, m}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for {
		select {
		case r := <-reqs:
			if handle(r[0].(zmq4.Socket), r[1].(*wire.Message)) {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
