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
//   - comm_info_request, from the comms opened and not closed, either side;
//   - history_request, from a per-user history file ([History]);
//   - kernel_info_request, with a banner naming dl4go, GoNB, GoMLX and the backend;
//   - interrupt_request (and SIGINT): GoNB is told, every process of the running
//     cell (shell commands too) gets SIGINT, and SIGKILL after a grace period;
//   - heartbeats, even while GoNB compiles.
//
// Nothing outlives the kernel: on Linux GoNB runs under a reaper process (a
// subreaper, in its own process group) that kills GoNB's whole tree when GoNB
// exits or when the front dies, however it dies, and then removes the
// temporary directories of dead kernels; the front removes them at start-up too.
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
// signature, and replays (however the signature's hex is spelled), are dropped
// and logged. A request that breaks the messaging spec (a missing field, a
// wrong type, content that is not an object) never reaches GoNB, which would
// crash on it: it gets a "BadRequest" error reply, or is dropped and logged
// where the spec has no reply; fields the spec gives a default get it.
//
// # Where things are
//
// The kernel's life:
//   - front.go: [Options], [Serve] (the start-up order and what ends it), the front
//     struct holding all shared state, and kernel_info.
//   - backend.go: the GoNB process (its private connection file, start, connect,
//     stop), the start-up removal of dead kernels' temporary directories, the
//     front's own requests to GoNB (expectOwn), and the file naming the Jupyter
//     client of the running cell ([ClientFileEnvVar]).
//   - reaper_linux.go: the reaper GoNB runs under, which kills everything GoNB
//     and the cells started when GoNB exits or the front dies, even by SIGKILL.
//   - shutdown.go: shutdown_request (exactly one shutdown_reply, GoNB's or the
//     front's), SIGTERM/SIGHUP/SIGINT handling and the parent-process watch.
//   - interrupt.go: interrupt_request and SIGINT: signalling the running cell's processes.
//
// Messages:
//   - forward.go: the sockets and the forwarding both ways: reading and verifying
//     Jupyter's messages, routing them (answered here, queued as an execution, or
//     passed to GoNB in order), GoNB's replies back to the right Jupyter socket,
//     publishing on iopub, the heartbeat and the input_reply hold.
//   - validate.go: every request from Jupyter checked against the messaging spec
//     (types, required fields, defaults) before the front or GoNB acts on it; a bad
//     one gets an error reply or is dropped and logged (FuzzFrontRequest tests it).
//   - replay.go: the replay guard (which keys identify a message already seen).
//   - comms.go: comm messages pass through both ways (GoNB's on iopub, also the
//     comm_close it sends on shell); comm_info_request is answered here (GoNB
//     does not) from the comms seen open.
//
// Cells:
//   - cell.go: classifying a cell (plain, lone expression, printing statement,
//     "?name") and the program a rewritten cell becomes.
//   - exec.go: running cells one at a time: the execution queue and its aborts
//     after a failure, the rewritten execute_request and its retry, GoNB's iopub
//     of an execution, the execute_reply the front sends, and the sampling of a
//     running cell's memory (every 200 ms).
//   - errors.go: turning GoNB's outputs into one Jupyter error: compile reports
//     (HTML), panics, fatal errors, signals (named: "SIGSEGV: segmentation
//     violation"; a SIGKILL with the memory the cell used, as the out-of-memory
//     killer is its usual sender) and exit statuses, with the cell's line numbers.
//   - help.go: "?name" cells, answered from gopls through GoNB's inspect_request.
//
// Requests the front answers itself or edits:
//   - iscomplete.go: is_complete_request ([IsComplete]).
//   - completion.go: complete_request of bare statements, given a %% line for gopls.
//   - history.go: history_request and the history file ([History]).
package front
