package front

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
)

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

// handleSignals makes SIGINT interrupt the running cell and SIGTERM or SIGHUP shut
// the front down, until the returned function is called.
func (f *front) handleSignals() (stop func()) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
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
	return func() { signal.Stop(sigs) }
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

func (f *front) shutdown() {
	f.stopMu.Do(func() { close(f.stop) })
}
