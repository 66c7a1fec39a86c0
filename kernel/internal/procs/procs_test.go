package procs

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

func TestDescendants(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	// Wait for both children to have exec'd sleep: a child just forked still reads "sh".
	var got []Process
	for range 250 {
		if got = Descendants(cmd.Process.Pid, nil); len(got) == 2 && got[0].Comm == "sleep" && got[1].Comm == "sleep" {
			break
		}
		exec.Command("sleep", "0.02").Run()
	}
	if len(got) != 2 || got[0].Comm != "sleep" || got[1].Comm != "sleep" || got[0].PPID != cmd.Process.Pid {
		t.Fatalf("descendants of sh: %+v, want two sleeps", got)
	}
	if pruned := Descendants(cmd.Process.Pid, func(p Process) bool { return p.Comm == "sleep" }); len(pruned) != 0 {
		t.Errorf("skip kept %+v", pruned)
	}
	for _, p := range got {
		if p.Start == 0 {
			t.Errorf("no start time for %+v", p)
		}
	}
}

func TestRemoveStale(t *testing.T) {
	parent := t.TempDir()
	mk := func(name string) string {
		d := filepath.Join(parent, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		return d
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	mine, gone, reused, unmarked, other := mk("dl4go-front-mine"), mk("dl4go-front-gone"), mk("dl4go-kernel-reused"), mk("dl4go-front-unmarked"), mk("unrelated-gone")
	for dir, pid := range map[string]int{mine: os.Getpid(), gone: dead.Process.Pid, other: dead.Process.Pid} {
		if err := MarkOwnerPID(dir, pid); err != nil {
			t.Fatal(err)
		}
	}
	// This process's pid with another start time: the pid was reused.
	rec := strconv.Itoa(os.Getpid()) + " 1\n"
	if runtime.GOOS != "linux" {
		rec = strconv.Itoa(dead.Process.Pid) + " 0\n"
	}
	os.WriteFile(filepath.Join(reused, OwnerFile), []byte(rec), 0o600)
	removed, err := RemoveStale(parent, "dl4go-front-*", "dl4go-kernel-*")
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Errorf("removed %v, want the gone owner's and the reused pid's", removed)
	}
	for dir, want := range map[string]bool{mine: true, gone: false, reused: false, unmarked: true, other: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
}

func TestMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = 1
	}
	if p := PeakRSS(os.Getpid()); p < 64<<20 {
		t.Errorf("peak RSS %d after touching 64 MiB", p)
	}
	runtime.KeepAlive(buf)
	if m := ReadMemory(); m.Limit < 64<<20 {
		t.Errorf("memory bound %+v", m)
	}
}
