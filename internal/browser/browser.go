//go:build linux

package browser

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// VenvEnvVar names the environment variable that moves the virtualenv of .ci/jupyter-env.
const VenvEnvVar = "DL4GO_JUPYTER_VENV"

// Env is what the browser tests need, found by [FindEnv].
type Env struct {
	Root     string // the dl4go checkout
	Venv     string // the virtualenv made by .ci/jupyter-env
	Jupyter  string // its jupyter command
	Python   string // its python
	Node     string // node, to run the driver
	Chromium string // Debian's chromium
	Driver   string // driver.mjs
}

// DefaultVenv returns where .ci/jupyter-env makes the virtualenv: $DL4GO_JUPYTER_VENV, else
// ~/.cache/dl4go/jupyter-venv (under $XDG_CACHE_HOME when set).
func DefaultVenv() string {
	if v := os.Getenv(VenvEnvVar); v != "" {
		return v
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "dl4go", "jupyter-venv")
}

// FindEnv locates the virtualenv, node, the driver's node_modules and chromium for the
// checkout at root. The error lists every missing or stale piece with the command that
// fixes it.
func FindEnv(root string) (Env, error) {
	e := Env{Root: root, Venv: DefaultVenv(), Driver: filepath.Join(root, "internal", "browser", "driver.mjs")}
	e.Jupyter = filepath.Join(e.Venv, "bin", "jupyter")
	e.Python = filepath.Join(e.Venv, "bin", "python")
	var problems []string
	setup := "run .ci/jupyter-env"
	if _, err := os.Stat(filepath.Join(e.Venv, "bin", "jupyter-lab")); err != nil {
		problems = append(problems, fmt.Sprintf("no JupyterLab virtualenv in %s (%s)", e.Venv, setup))
	} else if stale, err := venvStale(root, e.Venv); err != nil {
		problems = append(problems, err.Error())
	} else if stale {
		problems = append(problems, fmt.Sprintf("the virtualenv %s does not match .ci/requirements-jupyter.txt (%s)", e.Venv, setup))
	}
	if p, err := exec.LookPath("node"); err != nil {
		problems = append(problems, "node is not installed (apt-get install nodejs npm)")
	} else {
		e.Node = p
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "browser", "node_modules", "playwright-core", "package.json")); err != nil {
		problems = append(problems, fmt.Sprintf("playwright-core is not installed in internal/browser/node_modules (%s)", setup))
	}
	for _, p := range []string{os.Getenv("DL4GO_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			e.Chromium = p
			break
		}
	}
	if e.Chromium == "" {
		problems = append(problems, "Debian's chromium is not installed (apt-get install chromium)")
	}
	if len(problems) > 0 {
		return e, errors.New(strings.Join(problems, "; "))
	}
	return e, nil
}

// venvStale compares the stamp .ci/jupyter-env leaves in the virtualenv with the requirements.
func venvStale(root, venv string) (bool, error) {
	req, err := os.ReadFile(filepath.Join(root, ".ci", "requirements-jupyter.txt"))
	if err != nil {
		return false, fmt.Errorf("read the pinned requirements: %w", err)
	}
	stamp, err := os.ReadFile(filepath.Join(venv, ".dl4go-stamp"))
	if err != nil {
		return true, nil
	}
	sum := sha256.Sum256(req)
	fields := strings.Fields(string(stamp))
	return len(fields) == 0 || fields[0] != hex.EncodeToString(sum[:]), nil
}

// Versions returns the JupyterLab, Notebook and jupyter_server versions of the virtualenv.
func (e Env) Versions() (string, error) {
	out, err := exec.Command(e.Python, "-c",
		"import jupyterlab, notebook, jupyter_server; print(f'JupyterLab {jupyterlab.__version__}, "+
			"Notebook {notebook.__version__}, jupyter_server {jupyter_server.__version__}')").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("ask %s for the Jupyter versions: %v: %s", e.Python, err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// ServerOptions configure [StartLab].
type ServerOptions struct {
	Root    string   // the folder served, where the notebooks are; required
	DataDir string   // JUPYTER_DATA_DIR, holding the dl4go kernelspec; required
	Env     []string // more environment for the server and so its kernels (e.g. DL4GO_QUICK=1)
	Log     io.Writer
}

// Server is a running `jupyter lab`; Notebook 7 is served by the same server under /tree
// and /notebooks.
type Server struct {
	URL   string // http://127.0.0.1:PORT
	Token string
	Root  string

	cmd     *exec.Cmd
	tmp     string
	done    chan struct{}
	waitErr error
	once    sync.Once
}

// StartLab starts `jupyter lab` on a free 127.0.0.1 port with a random token and fresh
// config, runtime, settings and workspace directories, and waits until it answers.
func StartLab(ctx context.Context, env Env, opts ServerOptions) (*Server, error) {
	if opts.Root == "" || opts.DataDir == "" {
		return nil, errors.New("browser: StartLab needs ServerOptions.Root and DataDir")
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("browser: find a free port: %w", err)
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("browser: token: %w", err)
	}
	tmp, err := os.MkdirTemp("", "dl4go-lab-")
	if err != nil {
		return nil, fmt.Errorf("browser: temp dir: %w", err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Token: hex.EncodeToString(tok[:]), Root: opts.Root,
		tmp: tmp, done: make(chan struct{})}
	settings := filepath.Join(tmp, "settings")
	// No news or update checks (they would ask for the network and put up a notification).
	if err := writeFile(filepath.Join(settings, "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"),
		`{"fetchNews": "false", "checkForUpdates": false}`); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	cmd := exec.Command(env.Jupyter, "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
		fmt.Sprintf("--port=%d", port), "--port-retries=0", "--IdentityProvider.token="+s.Token,
		"--ServerApp.root_dir="+opts.Root, "--ServerApp.shutdown_no_activity_timeout=0")
	cmd.Dir = opts.Root
	cmd.Env = append(os.Environ(),
		"JUPYTER_DATA_DIR="+opts.DataDir, "JUPYTER_PATH=", "JUPYTER_CONFIG_DIR="+filepath.Join(tmp, "config"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "runtime"), "JUPYTERLAB_SETTINGS_DIR="+settings,
		"JUPYTERLAB_WORKSPACES_DIR="+filepath.Join(tmp, "workspaces"),
		"PYTHONDONTWRITEBYTECODE=1")
	cmd.Env = append(cmd.Env, opts.Env...)
	if opts.Log != nil {
		cmd.Stdout, cmd.Stderr = opts.Log, opts.Log
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("browser: start %s lab: %w", env.Jupyter, err)
	}
	s.cmd = cmd
	go func() { s.waitErr = cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx, 90*time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/api/status", nil)
		req.Header.Set("Authorization", "token "+s.Token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("browser: jupyter lab exited before it served (%v); see its log", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("browser: wait for jupyter lab: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("browser: jupyter lab did not answer on %s within %s", s.URL, limit)
		}
	}
}

// Close shuts the server down (POST /api/shutdown stops its kernels first), then stops its
// process group (SIGTERM, then SIGKILL) if it is still there, and removes its directories.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		req, _ := http.NewRequest("POST", s.URL+"/api/shutdown", nil)
		req.Header.Set("Authorization", "token "+s.Token)
		if resp, e := (&http.Client{Timeout: 5 * time.Second}).Do(req); e == nil {
			resp.Body.Close()
		}
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
				<-s.done
				err = errors.New("browser: jupyter lab had to be killed")
			}
		}
		// Anything left in its group (a kernel it failed to stop) goes too.
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		os.RemoveAll(s.tmp)
	})
	return err
}

// api calls the server's REST API with the token and decodes a JSON answer into out (unless nil).
func (s *Server) api(method, path string, out any) error {
	req, err := http.NewRequest(method, s.URL+path, nil)
	if err != nil {
		return fmt.Errorf("browser: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "token "+s.Token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("browser: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("browser: %s %s: %s: %.300s", method, path, resp.Status, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("browser: %s %s: decode the answer: %w", method, path, err)
	}
	return nil
}

// Drive runs driver.mjs on req (marshalled to JSON on its stdin), copies the driver's
// progress lines to log and decodes its report (one JSON line on stdout) into report. The
// driver and its Chromium are stopped when ctx ends.
func (e Env) Drive(ctx context.Context, req, report any, log io.Writer) error {
	in, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("browser: encode the driver request: %w", err)
	}
	cmd := exec.CommandContext(ctx, e.Node, e.Driver)
	cmd.Dir = filepath.Dir(e.Driver)
	cmd.Stdin = bytes.NewReader(in)
	var out bytes.Buffer
	cmd.Stdout = &out
	if log == nil {
		log = io.Discard
	}
	cmd.Stderr = log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	runErr := cmd.Run()
	// Chromium is in the driver's process group: make sure none of it is left.
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	var last []byte
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 && l[0] == '{' {
			last = append(last[:0], l...)
		}
	}
	if last == nil {
		return fmt.Errorf("browser: the driver wrote no report (%v)", runErr)
	}
	if err := json.Unmarshal(last, report); err != nil {
		return fmt.Errorf("browser: decode the driver report: %w", err)
	}
	if runErr != nil {
		return fmt.Errorf("browser: driver: %w", runErr)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("browser: %w", err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("browser: %w", err)
	}
	return nil
}
