"""Drive `jupyter console` through a pseudo-terminal: type a multi-line Go function
line by line (the console asks is_complete after each Enter), then call it.

Usage: /usr/bin/python3 console_pty.py KERNEL_NAME
"""

import os
import re
import sys
import time

import pexpect

kernel = sys.argv[1]
# The full prompt_toolkit interface: the simple prompt has no multi-line input.
env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
child = pexpect.spawn(
    "jupyter-console", ["--kernel", kernel], encoding="utf-8", timeout=90, dimensions=(40, 200), env=env,
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
buf = ""
pos = 0


def wait_for(pattern, timeout=90):
    """Waits for pattern in the output stripped of terminal escapes."""
    global buf, pos
    deadline = time.time() + timeout
    while True:
        text = ANSI.sub("", buf)
        m = re.search(pattern, text[pos:])
        if m:
            pos += m.end()
            return
        if time.time() > deadline:
            raise TimeoutError("waiting for %r; output so far:\n%s" % (pattern, text[-1500:]))
        try:
            buf += child.read_nonblocking(4096, timeout=0.2)
        except pexpect.TIMEOUT:
            pass


def send(line):
    child.send(line + "\r")


try:
    wait_for(r"In \[1\]: ")
    send("func triple(x int) int {")
    wait_for(r"\.\.\.: ")  # incomplete: continuation prompt
    send("return 3 * x")
    wait_for(r"\.\.\.: ")
    send("}")
    wait_for(r"In \[2\]: ")  # complete: executed
    send("triple(14)")
    wait_for(r"Out\[2\]: 42")
    wait_for(r"In \[3\]: ")
    send("%%")
    wait_for(r"\.\.\.: ")  # a bare %% waits for its statements
    send('fmt.Println("tri", triple(2))')  # complete: executed at once
    wait_for(r"tri 6")
    wait_for(r"In \[4\]: ")
    child.sendcontrol("d")
    wait_for(r"\(\[y\]/n\)|$", timeout=10)
    send("y")
    child.expect(pexpect.EOF, timeout=30)
    print("\nCONSOLE OK")
except Exception as e:  # noqa: BLE001
    print("\nCONSOLE FAILED:", type(e).__name__, e)
    child.terminate(force=True)
    sys.exit(1)
