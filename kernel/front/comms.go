package front

import (
	"sync"

	"github.com/dl4go/dl4go/kernel/wire"
)

// Comm messages (comm_open, comm_msg, comm_close) pass through the front both
// ways unchanged: from Jupyter on shell to GoNB's shell, and from GoNB to
// Jupyter's iopub (GoNB sends comm_close on shell, where no front-end looks). GoNB v0.11.1 does not answer comm_info_request
// (internal/dispatcher/comms.go), so the front does, from the comms it saw
// opened and not yet closed, in either direction.

// commTable is the set of open comms: comm_id → target_name.
type commTable struct {
	mu    sync.Mutex
	comms map[string]string
}

// track records a comm_open or comm_close (whichever side sent it).
func (c *commTable) track(m *wire.Message) {
	var content struct {
		CommID     string `json:"comm_id"`
		TargetName string `json:"target_name"`
	}
	if m.Unmarshal(&content) != nil || content.CommID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Header.MsgType {
	case "comm_open":
		if c.comms == nil {
			c.comms = map[string]string{}
		}
		c.comms[content.CommID] = content.TargetName
	case "comm_close":
		delete(c.comms, content.CommID)
	}
}

// info is the content of a comm_info_reply: the open comms, of target
// targetName only when it is not empty.
func (c *commTable) info(targetName string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	comms := map[string]any{}
	for id, target := range c.comms {
		if targetName == "" || target == targetName {
			comms[id] = map[string]string{"target_name": target}
		}
	}
	return map[string]any{"status": "ok", "comms": comms}
}
