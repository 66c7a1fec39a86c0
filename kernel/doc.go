// Package kernel installs and launches the dl4go Jupyter kernel: GoNB v0.11.1
// with this checkout wired in, so that a notebook cell can
// `import "github.com/dl4go/dl4go/lessons/rl"` (and GoMLX, go-echarts, gonbui)
// with no network.
//
// Install writes the kernelspec "dl4go" ("Go (dl4go)") into a Jupyter data
// directory and builds the pinned GoNB, gopls and goimports next to it; Launch
// is what Jupyter runs through kernel.json (`dl4go kernel -f {connection_file}`).
// The protocol front that sits between Jupyter and GoNB is in kernel/front; the
// wire protocol in kernel/wire; a Go client that executes notebooks in
// kernel/client.
package kernel
