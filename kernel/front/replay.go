package front

import (
	"sync"

	"github.com/dl4go/dl4go/kernel/wire"
)

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
