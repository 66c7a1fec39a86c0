package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/backends"

	"github.com/dl4go/dl4go/bench/models"
	"github.com/dl4go/dl4go/gomlxext"
)

// The XLA columns of the bench (docs/xla.md): engine "xla" is GoMLX's XLA backend on the PJRT
// plugin gomlxext.FindXLAPlugin finds ($GOMLX_BACKEND=xla:/abs/path/plugin.so, else one installed
// with `dl4go xla`); engine "jax" is bench/jax_bench.py, the same three workloads in JAX on its own
// XLA CPU client, run with the Python of a virtualenv made from bench/jax-requirements.txt.

// jaxXLAFlags returns the XLA_FLAGS for JAX's CPU client: Eigen's thread pool with 2 threads, as
// PyTorch gets 2 (-threads).
func jaxXLAFlags(threads int) string {
	return "--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=" + strconv.Itoa(threads)
}

// newEngine creates the GoMLX backend of a bench engine: "xla" through gomlxext.NewXLA (the
// plugin found, its host buffers shared), anything else by its GoMLX config.
func newEngine(engine string) (backends.Backend, error) {
	if engine == "xla" {
		return gomlxext.NewXLA(gomlxext.XLAOptions{})
	}
	return backends.NewWithConfig(engine)
}

// xlaDefault reports whether the default engines include "xla" (a plugin is found and this
// binary links XLA), and describes the plugin for the report.
func xlaDefault() (bool, string) {
	path, err := gomlxext.FindXLAPlugin()
	if err != nil {
		return false, ""
	}
	if !slices.Contains(backends.List(), "xla") {
		return false, ""
	}
	return true, fmt.Sprintf("xla: GoMLX's XLA backend on %s (%s)", path, gomlxext.DescribeXLAPlugin(path))
}

// jaxPython resolves -jax: "auto" is bench/.venv-jax/bin/python when it exists and imports jax;
// "" turns JAX off; anything else must import jax.
func jaxPython(flag string) (string, error) {
	python := flag
	if flag == "auto" {
		python = filepath.Join(sourceDir(), ".venv-jax", "bin", "python")
		if _, err := os.Stat(python); err != nil {
			fmt.Fprintln(os.Stderr, "bench: no JAX twin: make its virtualenv with `python3 -m venv bench/.venv-jax && "+
				"bench/.venv-jax/bin/pip install --require-hashes -r bench/jax-requirements.txt`, or pass -jax PYTHON")
			return "", nil
		}
	}
	if python == "" {
		return "", nil
	}
	if out, err := exec.Command(python, "-c", "import jax").CombinedOutput(); err != nil {
		return "", fmt.Errorf("-jax %s cannot import jax (%v: %s): install bench/jax-requirements.txt into it", python, err, strings.TrimSpace(string(out)))
	}
	return python, nil
}

// jaxCommand runs bench/jax_bench.py for one measurement, or returns nil for a model it has no
// twin of (the lesson models).
func jaxCommand(o options, model string, batch int, mnistDir string, params bool) *exec.Cmd {
	if models.IsLesson(model) {
		return nil
	}
	args := []string{filepath.Join(sourceDir(), "jax_bench.py"), "--model", model, "--batch", strconv.Itoa(batch),
		"--mnist-dir", mnistDir, "--warmup", strconv.Itoa(o.warmup), "--min-steps", strconv.Itoa(o.minSteps),
		"--max-steps", strconv.Itoa(o.maxSteps), "--min-time", fmt.Sprint(o.minTime.Seconds())}
	if params {
		args = append(args, "--params")
	}
	cmd := exec.Command(o.jax, args...)
	cmd.Env = os.Environ()
	if os.Getenv("XLA_FLAGS") == "" {
		cmd.Env = append(cmd.Env, "XLA_FLAGS="+jaxXLAFlags(o.threads))
	}
	return cmd
}
