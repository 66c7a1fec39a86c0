package front

import (
	"testing"
	"time"

	"github.com/dl4go/dl4go/kernel/wire"
)

// awaitCommMsg waits for a comm_msg on iopub for comm id whose data.address is address.
func (c *testClient) awaitCommMsg(id, address string, timeout time.Duration) map[string]any {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m := <-c.iopubCh:
			if m.Header.MsgType != "comm_msg" {
				continue
			}
			var content struct {
				CommID string         `json:"comm_id"`
				Data   map[string]any `json:"data"`
			}
			m.Unmarshal(&content)
			if content.CommID == id && content.Data["address"] == address {
				return content.Data
			}
		case <-deadline:
			c.t.Fatalf("no comm_msg to %s for comm %s within %v", address, id, timeout)
		}
	}
}

// awaitCommCloseAndAck waits for a comm_close of comm closed and the
// #comm_open_ack of comm opened on iopub, in either order (GoNB sends them on
// different sockets).
func (c *testClient) awaitCommCloseAndAck(closed, opened string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.After(timeout)
	gotClose, gotAck := false, false
	for !gotClose || !gotAck {
		select {
		case m := <-c.iopubCh:
			var content struct {
				CommID string         `json:"comm_id"`
				Data   map[string]any `json:"data"`
			}
			m.Unmarshal(&content)
			gotClose = gotClose || (m.Header.MsgType == "comm_close" && content.CommID == closed)
			gotAck = gotAck || (m.Header.MsgType == "comm_msg" && content.CommID == opened && content.Data["address"] == "#comm_open_ack")
		case <-deadline:
			c.t.Fatalf("within %v: comm_close of %s on iopub %v, #comm_open_ack of %s %v", timeout, closed, gotClose, opened, gotAck)
		}
	}
}

func (c *testClient) commInfo(target string) map[string]any {
	c.t.Helper()
	content := map[string]any{}
	if target != "" {
		content["target_name"] = target
	}
	req := c.send(c.shell, "comm_info_request", content)
	rep, err := c.reply(c.shellCh, req, 5*time.Second)
	if err != nil {
		c.t.Fatal(err)
	}
	var r struct {
		Status string         `json:"status"`
		Comms  map[string]any `json:"comms"`
	}
	rep.Unmarshal(&r)
	if r.Status != "ok" || r.Comms == nil {
		c.t.Fatalf("comm_info_reply %+v", r)
	}
	return r.Comms
}

// Comm messages pass through the front both ways, as GoNB's widgets use them:
// the browser's gonb_comm opens a comm naming the Jupyter kernel id, GoNB
// acknowledges it on iopub and answers its heartbeat pings.
func TestComms(t *testing.T) {
	c, _, _ := startFront(t)
	if comms := c.commInfo(""); len(comms) != 0 {
		t.Fatalf("comms before any was opened: %v", comms)
	}
	id := wire.NewID()
	// What GoNB's websocket.js sends (internal/websocket/websocket.js, _connect_to_gonb).
	c.send(c.shell, "comm_open", map[string]any{"comm_id": id, "target_name": "gonb_comm", "kernel_id": c.kernelID, "data": map[string]any{}})
	if ack := c.awaitCommMsg(id, "#comm_open_ack", 30*time.Second); ack["value"] != true {
		t.Errorf("comm_open_ack %v", ack)
	}
	if comms := c.commInfo(""); len(comms) != 1 || comms[id] == nil {
		t.Errorf("comm_info after comm_open: %v", comms)
	}
	if comms := c.commInfo("gonb_comm"); len(comms) != 1 {
		t.Errorf("comm_info for gonb_comm: %v", comms)
	}
	if comms := c.commInfo("another_target"); len(comms) != 0 {
		t.Errorf("comm_info for another target: %v", comms)
	}
	c.send(c.shell, "comm_msg", map[string]any{"comm_id": id, "data": map[string]any{"address": "#heartbeat/ping", "value": true}})
	c.awaitCommMsg(id, "#heartbeat/pong", 30*time.Second)
	// A second comm_open: GoNB closes the first comm, and the front-end hears of it on iopub.
	id2 := wire.NewID()
	c.send(c.shell, "comm_open", map[string]any{"comm_id": id2, "target_name": "gonb_comm", "kernel_id": c.kernelID, "data": map[string]any{}})
	c.awaitCommCloseAndAck(id, id2, 30*time.Second)
	if comms := c.commInfo(""); len(comms) != 1 || comms[id2] == nil {
		t.Errorf("comm_info after GoNB closed the first comm: %v", comms)
	}
	c.send(c.shell, "comm_close", map[string]any{"comm_id": id2, "data": map[string]any{}})
	deadline := time.Now().Add(5 * time.Second)
	for len(c.commInfo("")) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("comm %s still listed after comm_close", id2)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The kernel goes on.
	if e := c.execute("%%\nfmt.Println(\"after comms\")", 60*time.Second); e.Status() != "ok" {
		t.Fatalf("after comms: %s", e)
	}
}

func TestBackendConnectionName(t *testing.T) {
	for in, want := range map[string]string{
		"/run/user/1000/jupyter/runtime/kernel-1b2c3d4e-0f00-4a5b-8c9d-0123456789ab.json": "kernel-1b2c3d4e-0f00-4a5b-8c9d-0123456789ab.json",
		"/tmp/kernel.json":         "gonb-connection.json",
		"/tmp/kernel-XYZ.json":     "gonb-connection.json",
		"kernel-abc.json.bak":      "gonb-connection.json",
		"/tmp/my-kernel-abc1.json": "gonb-connection.json",
	} {
		if got := backendConnectionName(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
