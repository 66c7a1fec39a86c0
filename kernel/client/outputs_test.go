package client

import (
	"testing"

	"github.com/dl4go/dl4go/kernel/wire"
)

// TestOutputsDropGoNBWidgetBootstrap: GoNB's script that opens the widgets' comm from a
// browser is not kept (no browser runs it here), and nor is its later erasure; other
// displays with ids are kept and updated.
func TestOutputsDropGoNBWidgetBootstrap(t *testing.T) {
	var o outputs
	display := func(typ, id, html string) {
		o.add(wire.NewMessage(typ, nil, "s", map[string]any{
			"data": map[string]any{"text/html": html}, "metadata": map[string]any{},
			"transient": map[string]any{"display_id": id}}))
	}
	display("display_data", "gonb_websocket_abc", "<script>new WebSocket(...)</script>")
	display("display_data", "dl4go_slider_chart_1", "<div>chart 1</div>")
	display("update_display_data", "gonb_websocket_abc", "")
	display("update_display_data", "dl4go_slider_chart_1", "<div>chart 2</div>")
	if len(o.list) != 1 {
		t.Fatalf("got %d outputs, want the chart only: %+v", len(o.list), o.list)
	}
	if got := o.list[0].Data["text/html"]; got != "<div>chart 2</div>" {
		t.Errorf("the chart's display is %q, want its update", got)
	}
}
