"""Jupyter kernel conformance suite (jupyter_kernel_test) for the dl4go kernel.

Run with Debian's Python: /usr/bin/python3 -m unittest -v test_dl4go_kernel
The kernel name comes from $DL4GO_KERNEL_NAME (default "dl4go"). Every optional
sample is filled (the pager sample is an IPython-style "?name" help cell).
"""

import os
import unittest

import jupyter_kernel_test

CLEAR_OUTPUT = (
    'import "github.com/janpfeifer/gonb/gonbui/protocol"\n'
    "\n"
    "%%\n"
    'fmt.Println("to be cleared")\n'
    "gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{"
    '"application/vnd.dl4go.clear-output+json": "{\\"wait\\": false}"}})\n'
    "gonbui.Sync()\n"
    'fmt.Println("after")'
)


class Dl4goKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("DL4GO_KERNEL_NAME", "dl4go")
    language_name = "go"
    file_extension = ".go"

    code_hello_world = '%%\nfmt.Println("hello, world")'
    code_stderr = '%%\nfmt.Fprintln(os.Stderr, "some error")'

    completion_samples = [
        {"text": "fmt.Sprin", "matches": {"Sprint", "Sprintf", "Sprintln"}},
    ]
    # GoNB's special forms too (%%, //gonb:%%, %main, !cmd, !*cmd, %help, %goflags,
    # cell magics, declarations only): complete as typed, the way a console runs them.
    complete_code_samples = ["x := 1", "func f() int {\n\treturn 1\n}", '%%\nfmt.Println("hi")\n', '%%\nfmt.Println("hi")',
                             '//gonb:%%\nfmt.Println("hi")', '%main\nfmt.Println("hi")', "!ls", "!*go env GOMOD", "%help",
                             "%goflags -cover", "%%writefile f.txt\nsome text", 'import "fmt"\n\nfunc f() { fmt.Println(1) }', "1+2"]
    incomplete_code_samples = ["func f() int {", "fmt.Println(", "x := 1 +", "%%\nfor {", "var s = `open", "%%", "%main",
                               "!ls \\", "%%writefile f.txt"]
    invalid_code_samples = ["}", "x := )", "func ) f("]

    code_generate_error = '%%\npanic("boom")'
    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": '"hello, " + "world"', "result": '"hello, world"'},
    ]
    code_display_data = [
        # gonbui.Sync waits until GoNB has taken the display: a program that exits right after
        # writing to GoNB's pipe can otherwise lose it under load (a GoNB race; plotting.Show syncs).
        {"code": '%%\ngonbui.DisplayHTML("<b>bold</b>")\ngonbui.Sync()', "mime": "text/html"},
        {"code": '%%\ngonbui.DisplayMarkdown("*markdown*")\ngonbui.Sync()', "mime": "text/markdown"},
    ]
    code_history_pattern = "1+2"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "fmt.Println"
    code_page_something = "?fmt.Println"
    code_clear_output = CLEAR_OUTPUT


if __name__ == "__main__":
    unittest.main()
