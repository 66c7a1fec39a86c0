package front

import (
	"sync"

	"github.com/dl4go/dl4go/kernel/wire"
)

// replayKey identifies a message for replay detection. On a signed connection
// it is the signature the front computes itself (the verified one, in canonical
// lower-case hex, whatever the case of the hex digits the sender used): a
// replay is byte-identical in the signed frames, and any change to them fails
// verification. On an unsigned connection it is session, msg_id and date.
// msg_id alone is not unique: jupyter_client's KernelManager and its client
// count ids separately within one session.
func (f *front) replayKey(fr wire.Frames, m *wire.Message) string {
	if len(f.key) > 0 {
		return string(fr.Digest(f.key))
	}
	return m.Header.Session + "|" + m.Header.MsgID + "|" + m.Header.Date
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
