// Command bench compares training speed and memory of dl4go's GoMLX engines with PyTorch CPU on
// the same models, side by side in one invocation (see README.md):
//
//	go run ./bench                 # ms/step, ratio and peak RSS at batch 32/64/128, every model
//	go run ./bench -models bert    # one model (mlp, cnn, transformer, rl, alphago, detection, bert, dcgan, maml)
//	go run ./bench -params         # trainable parameter counts, GoMLX vs PyTorch (same architecture?)
//	go run ./bench -accuracy       # one MNIST epoch: test accuracy of the MLP and the CNN
//
// Each measurement runs in its own process (this binary with -worker, or bench/torch_bench.py), so
// that its peak RSS is its own.
package main

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dl4go/dl4go/bench/models"
	"github.com/dl4go/dl4go/bench/peak"
	"github.com/dl4go/dl4go/data/mnist"
	"github.com/dl4go/dl4go/gomlxext"
	"github.com/dl4go/dl4go/gomlxext/backend"
	"github.com/dl4go/dl4go/plotting"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// result is one measurement, as printed by a worker (Go or Python) on stdout as JSON.
type result struct {
	Engine    string  `json:"engine"`
	Model     string  `json:"model"`
	Batch     int     `json:"batch"`
	MsPerStep float64 `json:"ms_per_step"`
	// CPUMsPerStep is the process's CPU time (all threads, user+system) per timed step: on a
	// shared machine it compares engines more fairly than wall time.
	CPUMsPerStep float64 `json:"cpu_ms_per_step"`
	WarmupS      float64 `json:"warmup_s"`
	// FirstStepS is the first step alone: for GoMLX and JAX mostly building and compiling the graph.
	FirstStepS float64 `json:"first_step_s"`
	Steps      int     `json:"steps"`
	Loss       float64 `json:"loss"`
	Accuracy   float64 `json:"accuracy"`
	TrainS     float64 `json:"train_s"`
	Torch      string  `json:"torch,omitempty"`
	// BLAS is the BLAS library the PyTorch process loaded (its dense layers run on it).
	BLAS      string  `json:"blas,omitempty"`
	Error     string  `json:"error,omitempty"`
	PeakRSSMB float64 `json:"peak_rss_mb"` // filled in by the parent.
	// Params is the model's trainable parameter count (GoMLX: trainable variables; PyTorch:
	// parameters), printed to check that both sides build the same architecture.
	Params int `json:"params"`
	// GFLOPPerStep is the matmul and convolution work of one step as counted from the compiled
	// graphs by the dl4go backend (backend.ExecutedFLOPs); 0 for other engines (-peak uses the
	// dl4go count of the same model and batch for them).
	GFLOPPerStep float64 `json:"gflop_per_step,omitempty"`
}

const (
	defaultBatches = "32,64,128"
	// workloads are the three models of issue #4's table; the lesson models follow them.
	workloads     = "mlp,cnn,transformer"
	defaultModels = workloads + ",rl,alphago,detection,bert,dcgan,maml"
)

type options struct {
	models, engines, batches string
	python                   string
	jax                      string // Python with JAX for the JAX twin (bench/xla.go), "" for none
	torchBLAS                string
	threads                  int
	warmup, minSteps         int
	maxSteps                 int
	minTime, timeout         time.Duration
	accuracy                 bool
	epochs                   int
	jsonOut                  string
	repeat                   int
	params                   bool
	peak                     bool
	cpuProfile               string
	pool                     int
	// skipGoLessons: the engines were not given, so the plain pure-Go engine ("go") only runs the
	// three workloads (it is too slow, or lacks ops, for the lesson models).
	skipGoLessons bool
}

func main() {
	var o options
	flag.StringVar(&o.models, "models", defaultModels, "models to run: the workloads mlp, cnn, transformer and one per lesson: rl, alphago, detection, bert, dcgan, maml")
	flag.StringVar(&o.engines, "engines", "", `GoMLX backend configs to compare with torch (default "dl4go,go", where "go" (simplego) only runs mlp, cnn and transformer; with -accuracy "dl4go")`)
	flag.StringVar(&o.batches, "batches", defaultBatches, "batch sizes (with -accuracy: the first one, default 64)")
	flag.StringVar(&o.python, "python", "/usr/bin/python3", `Python with PyTorch (Debian: apt-get install -y python3-torch); "" skips PyTorch`)
	flag.StringVar(&o.jax, "jax", "auto", `Python with JAX for the JAX CPU twin of mlp, cnn, transformer (virtualenv from bench/jax-requirements.txt); "auto": bench/.venv-jax/bin/python if present; "" skips JAX`)
	flag.IntVar(&o.threads, "threads", 2, "PyTorch threads (torch.set_num_threads)")
	flag.StringVar(&o.torchBLAS, "torch-blas", "auto", `BLAS for PyTorch's dense layers: "auto" (Debian's OpenBLAS, openmp or pthread variant, when installed), "openblas-pthread", "openblas-openmp", "system" (whatever libblas.so.3 is), or a directory holding libblas.so.3`)
	flag.IntVar(&o.warmup, "warmup", 2, "steps run before timing (the first compiles the graph)")
	flag.IntVar(&o.minSteps, "min-steps", 5, "fewest timed steps")
	flag.IntVar(&o.maxSteps, "max-steps", 200, "most timed steps")
	flag.DurationVar(&o.minTime, "min-time", 3*time.Second, "time steps for at least this long (within min/max-steps)")
	flag.DurationVar(&o.timeout, "timeout", 0, "limit per measurement process (default 5m; with -accuracy 2h)")
	flag.BoolVar(&o.accuracy, "accuracy", false, "full-size accuracy run: train -epochs on MNIST, report test accuracy (models mlp,cnn)")
	flag.IntVar(&o.epochs, "epochs", 1, "epochs for -accuracy")
	flag.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	flag.IntVar(&o.repeat, "repeat", 1, "measure each configuration this many times, interleaved, and keep the fastest (on a busy machine)")
	flag.BoolVar(&o.params, "params", false, "only print each model's trainable parameter count in GoMLX and in PyTorch")
	flag.IntVar(&o.pool, "pool", 4, "lesson models: pre-drawn batches cycled through")
	flag.BoolVar(&o.peak, "peak", false, "also measure the machine's fp32 FMA peak (AVX2, AVX-512) and report each model's GFLOP/s (counted from the dl4go graph) as a share of it")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of each GoMLX measurement's timed steps to PREFIX-<engine>-<model>-<batch>.pprof (inspect with go tool pprof)")
	worker := flag.Bool("worker", false, "internal: run one measurement (-engines, -models, -batches each one value) and print JSON")
	flag.Parse()

	if *worker {
		r := runWorker(o)
		_ = json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	o.skipGoLessons = o.engines == "" && !o.accuracy
	xlaNote := ""
	if o.engines == "" {
		o.engines = "dl4go,go"
		if o.accuracy {
			o.engines = "dl4go"
		}
		var withXLA bool
		if withXLA, xlaNote = xlaDefault(); withXLA && !o.accuracy {
			o.engines = "dl4go,xla,go"
		}
		if !slices.Contains(backends.List(), "dl4go") {
			o.engines = strings.Replace(o.engines, "dl4go", "go", 1)
		}
	}
	o.repeat = max(1, o.repeat)
	if o.timeout <= 0 {
		o.timeout = 5 * time.Minute
		if o.accuracy {
			o.timeout = 2 * time.Hour
		}
	}
	if o.accuracy && o.models == defaultModels {
		o.models = "mlp,cnn"
	}
	batches, err := parseInts(o.batches)
	if err != nil {
		return err
	}
	if o.accuracy {
		batches = batches[:1]
		if o.batches == defaultBatches {
			batches = []int{64}
		}
	}
	mnistDir, err := mnist.Dir()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	engines := split(o.engines)
	if o.python != "" {
		if out, err := exec.Command(o.python, "-c", "import torch").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "bench: PyTorch unavailable in %s (%v: %s); install it with `apt-get install -y python3-torch`, or pass -python ''\n",
				o.python, err, strings.TrimSpace(string(out)))
			o.python = ""
		} else {
			engines = append([]string{"torch"}, engines...)
		}
	}
	if !o.accuracy {
		if o.jax, err = jaxPython(o.jax); err != nil {
			return err
		}
		if o.jax != "" {
			engines = append(engines, "jax")
		}
	}
	torchScript := filepath.Join(sourceDir(), "torch_bench.py")
	if o.python != "" {
		if o.torchBLAS, err = blasDir(o.torchBLAS); err != nil {
			return err
		}
	}
	if o.params {
		return printParams(o, self, torchScript, mnistDir, engines)
	}

	var peaks []peak.Result
	if o.peak {
		fmt.Fprintln(os.Stderr, "bench: measuring the fp32 FMA peak ...")
		if peaks, err = peak.Measure(time.Second, runtime.NumCPU()); err != nil {
			return err
		}
	}
	load0 := loadAvg()
	start := time.Now()
	var results []result
	for _, model := range split(o.models) {
		for _, batch := range batches {
			for rep := 0; rep < o.repeat; rep++ {
				for _, engine := range engines {
					if engine == "go" && o.skipGoLessons && models.IsLesson(model) {
						continue
					}
					var cmd *exec.Cmd
					if engine == "torch" {
						args, err := torchArgs(o, torchScript, model, batch, mnistDir)
						if err != nil {
							return err
						}
						if o.accuracy {
							args = append(args, "--epochs", strconv.Itoa(o.epochs))
						}
						cmd = torchCommand(o, args)
					} else if engine == "jax" {
						if cmd = jaxCommand(o, model, batch, mnistDir, false); cmd == nil {
							continue
						}
					} else {
						cmd = goCommand(o, self, engine, model, batch, mnistDir)
					}
					fmt.Fprintf(os.Stderr, "bench: %s %s batch %d ...\n", engine, model, batch)
					r := measure(cmd, o.timeout)
					r.Engine, r.Model, r.Batch = engine, model, batch
					if r.Error != "" {
						fmt.Fprintf(os.Stderr, "bench: %s %s batch %d: %s\n", engine, model, batch, r.Error)
					}
					results = keepBest(results, r)
				}
			}
		}
	}
	header := fmt.Sprintf("dl4go bench, %s: %d CPUs (GOMAXPROCS %d), load average %s at start, %s at end; %s; PyTorch threads %d, OMP_WAIT_POLICY=%s, BLAS %s; took %s",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.GOMAXPROCS(0), load0, loadAvg(),
		gomlxVersion(), o.threads, cmp.Or(os.Getenv("OMP_WAIT_POLICY"), "PASSIVE"), torchBLASUsed(results),
		time.Since(start).Round(time.Second))
	fmt.Println(header)
	if xlaNote != "" {
		fmt.Println(xlaNote)
	}
	if o.peak {
		fmt.Print("fp32 FMA peak (bench/peak, measured before the models, load average ", load0, "):")
		for _, p := range peaks {
			fmt.Print(" ", p, ";")
		}
		fmt.Printf(" shares below are of %.1f GFLOP/s\n", peak.Best(peaks).GFLOPS)
	}
	fmt.Println()
	printTable(os.Stdout, results, o.accuracy, peak.Best(peaks).GFLOPS)
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(map[string]any{"header": header, "results": results}, "", "  ")
		if err := os.WriteFile(o.jsonOut, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.jsonOut, err)
		}
	}
	return nil
}

// torchArgs returns the arguments of torch_bench.py for one measurement: lesson models get their
// lesson's sizes as --config JSON, detection the shapes images as a file (written once).
func torchArgs(o options, torchScript, model string, batch int, mnistDir string) ([]string, error) {
	args := []string{torchScript, "--model", model, "--batch", strconv.Itoa(batch),
		"--threads", strconv.Itoa(o.threads), "--mnist-dir", mnistDir,
		"--warmup", strconv.Itoa(o.warmup), "--min-steps", strconv.Itoa(o.minSteps),
		"--max-steps", strconv.Itoa(o.maxSteps), "--min-time", fmt.Sprint(o.minTime.Seconds()),
		"--pool", strconv.Itoa(o.pool)}
	if !models.IsLesson(model) {
		return args, nil
	}
	cfg, err := models.LessonConfig(model)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s config: %w", model, err)
	}
	args = append(args, "--config", string(js))
	if model == "detection" && !o.params {
		path, err := shapesFile(o.pool * batch)
		if err != nil {
			return nil, err
		}
		args = append(args, "--data", path)
	}
	return args, nil
}

// shapesFile writes the first n shapes images (float32 [n, S, S, 3]) and their per-pixel labels
// (int32 [n, S, S]), little-endian, to a file in the temporary directory, for PyTorch's FCN: the
// same images the GoMLX side trains on.
func shapesFile(n int) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("dl4go-bench-shapes-%d.bin", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	images, labels, _, err := models.ShapesPool(n)
	if err != nil {
		return "", fmt.Errorf("shapes images: %w", err)
	}
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, images); err != nil {
		return "", err
	}
	if err := binary.Write(&buf, binary.LittleEndian, labels); err != nil {
		return "", err
	}
	tmp := path + fmt.Sprint(".", os.Getpid())
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write shapes images: %w", err)
	}
	return path, os.Rename(tmp, path)
}

func torchCommand(o options, args []string) *exec.Cmd {
	cmd := exec.Command(o.python, args...)
	cmd.Env = os.Environ()
	if os.Getenv("OMP_WAIT_POLICY") == "" {
		// OpenMP's default spin-waiting makes 2-thread PyTorch ~100× slower on a busy
		// machine (measured: 250–360 ms/step instead of 3 ms for the MLP).
		cmd.Env = append(cmd.Env, "OMP_WAIT_POLICY=PASSIVE")
	}
	if o.torchBLAS != "" {
		// Debian's torch (BLAS_INFO=generic) links libblas.so.3 and does not set OpenBLAS's
		// thread count: both are set here.
		cmd.Env = append(cmd.Env, "LD_LIBRARY_PATH="+strings.Trim(o.torchBLAS+":"+os.Getenv("LD_LIBRARY_PATH"), ":"),
			"OPENBLAS_NUM_THREADS="+strconv.Itoa(o.threads))
	}
	return cmd
}

// blasDir resolves the -torch-blas flag to a directory holding libblas.so.3 for PyTorch's
// LD_LIBRARY_PATH, or "" for the system's libblas.so.3. Debian's python3-torch links
// libblas.so.3 (BLAS_INFO=generic); with only the reference BLAS (libblas3) behind it, its
// dense layers ran 5–20× slower than on OpenBLAS (MLP batch 64: 12.5 against 2.3 ms/step),
// which made every dl4go ratio look better than it is.
func blasDir(flag string) (string, error) {
	variant := func(name string) string {
		m, _ := filepath.Glob(filepath.Join("/usr/lib", "*", name, "libblas.so.3"))
		if len(m) == 0 {
			return ""
		}
		return filepath.Dir(m[0])
	}
	switch flag {
	case "system":
		return "", nil
	case "auto":
		for _, name := range autoBLAS {
			if d := variant(name); d != "" {
				return d, nil
			}
		}
		fmt.Fprintln(os.Stderr, "bench: no OpenBLAS found: PyTorch's dense layers run on the system's libblas.so.3, "+
			"which is 5–20× slower if it is the reference BLAS; install it with `apt-get install -y libopenblas0-openmp`")
		return "", nil
	case "openblas-pthread", "openblas-openmp":
		if d := variant(flag); d != "" {
			return d, nil
		}
		return "", fmt.Errorf("-torch-blas %s: not installed (apt-get install -y lib%s)", flag, strings.Replace(flag, "-", "0-", 1))
	}
	if _, err := os.Stat(filepath.Join(flag, "libblas.so.3")); err != nil {
		return "", fmt.Errorf("-torch-blas %s: %w", flag, err)
	}
	return flag, nil
}

// autoBLAS are the OpenBLAS variants -torch-blas auto looks for, best first: the OpenMP one
// runs on torch's own OpenMP threads (torch.set_num_threads) and sleeps when idle under
// OMP_WAIT_POLICY=PASSIVE, so PyTorch's CPU time is its work; the pthread one spins its own
// threads (on a loaded machine its CPU ms/step doubled, 6 → 12.6 ms, for the same work).
var autoBLAS = []string{"openblas-openmp", "openblas-pthread"}

// torchBLASUsed names the BLAS libraries the PyTorch runs loaded, for the header.
func torchBLASUsed(results []result) string {
	var libs []string
	for _, r := range results {
		if r.BLAS != "" && !slices.Contains(libs, r.BLAS) {
			libs = append(libs, r.BLAS)
		}
	}
	if len(libs) == 0 {
		return "?"
	}
	return strings.Join(libs, ", ")
}

func goCommand(o options, self, engine, model string, batch int, mnistDir string) *exec.Cmd {
	args := []string{"-worker", "-engines", engine, "-models", model, "-batches", strconv.Itoa(batch),
		"-warmup", strconv.Itoa(o.warmup), "-min-steps", strconv.Itoa(o.minSteps),
		"-max-steps", strconv.Itoa(o.maxSteps), "-min-time", o.minTime.String(),
		"-epochs", strconv.Itoa(o.epochs), "-pool", strconv.Itoa(o.pool)}
	if o.accuracy {
		args = append(args, "-accuracy")
	}
	if o.params {
		args = append(args, "-params")
	}
	if o.cpuProfile != "" {
		eng := strings.NewReplacer(":", "_", ",", "_", "/", "_").Replace(engine)
		name := fmt.Sprintf("%s-%s-%s-%d.pprof", o.cpuProfile, eng, model, batch)
		args = append(args, "-cpuprofile", name)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), mnist.DirEnv+"="+mnistDir)
	return cmd
}

// printParams prints, per model, the trainable parameter count of each engine's model: GoMLX
// (after one training step, which creates the variables) and PyTorch.
func printParams(o options, self, torchScript, mnistDir string, engines []string) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "model\t"+strings.Join(engines, "\t")+"\tsame\t")
	mismatch := false
	for _, model := range split(o.models) {
		row, counts := []string{model}, map[int]bool{}
		for _, engine := range engines {
			if engine == "go" && o.skipGoLessons && models.IsLesson(model) {
				row = append(row, "-")
				continue
			}
			var cmd *exec.Cmd
			if engine == "torch" {
				args, err := torchArgs(o, torchScript, model, 8, mnistDir)
				if err != nil {
					return err
				}
				cmd = torchCommand(o, append(args, "--params"))
			} else if engine == "jax" {
				if cmd = jaxCommand(o, model, 8, mnistDir, true); cmd == nil {
					row = append(row, "-")
					continue
				}
			} else {
				cmd = goCommand(o, self, engine, model, 8, mnistDir)
			}
			r := measure(cmd, o.timeout)
			if r.Error != "" {
				row = append(row, "FAILED: "+truncate(r.Error, 60))
				continue
			}
			row = append(row, strconv.Itoa(r.Params))
			counts[r.Params] = true
		}
		same := len(counts) == 1
		mismatch = mismatch || !same
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t"+map[bool]string{true: "yes", false: "NO"}[same]+"\t")
	}
	_ = tw.Flush()
	if mismatch {
		return errors.New("parameter counts differ between engines")
	}
	return nil
}

// measure runs one worker process and returns its JSON result with its peak RSS.
func measure(cmd *exec.Cmd, timeout time.Duration) result {
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return result{Error: err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		err = fmt.Errorf("timed out after %s", timeout)
	}
	var r result
	line := lastLine(stdout.String())
	if jerr := json.Unmarshal([]byte(line), &r); jerr != nil {
		msg := fmt.Sprintf("no result (%v)", jerr)
		if err != nil {
			msg = err.Error()
		}
		r.Error = msg
	} else if err != nil && r.Error == "" {
		r.Error = err.Error()
	}
	r.PeakRSSMB = peakRSSMB(cmd.ProcessState)
	return r
}

// runWorker performs one GoMLX measurement in this process.
func runWorker(o options) (r result) {
	r = result{Engine: o.engines, Model: o.models}
	r.Batch, _ = strconv.Atoi(o.batches)
	defer func() {
		if p := recover(); p != nil {
			r.Error = fmt.Sprintf("panic: %v", p)
		}
		if r.Error != "" {
			r.Error = firstLine(r.Error)
		}
	}()
	fail := func(err error) result { r.Error = err.Error(); return r }

	backend, err := newEngine(o.engines)
	if err != nil {
		return fail(err)
	}
	if models.IsLesson(o.models) {
		l, err := models.NewLesson(backend, o.models, r.Batch, max(1, o.pool), 1)
		if err != nil {
			return fail(err)
		}
		if o.params {
			if _, err := l.Step(); err != nil {
				return fail(err)
			}
			r.Params = l.Params()
			return r
		}
		r, err = timeSteps(r, o, func() (float64, error) { return l.Step() })
		if err != nil {
			return fail(err)
		}
		r.Params = l.Params()
		return r
	}
	model, err := models.ByName(o.models)
	if err != nil {
		return fail(err)
	}
	trainer, err := models.NewTrainer(backend, model, 1e-3, 1)
	if err != nil {
		return fail(err)
	}
	var ds train.Dataset
	if o.models == "transformer" {
		ds = models.NewTokens(r.Batch, 1)
	} else {
		set, err := mnist.Load(mnist.Train)
		if err != nil {
			return fail(err)
		}
		ds = set.Dataset(r.Batch).Shuffle(1).Infinite()
	}

	if o.accuracy {
		steps := o.epochs * mnist.TrainSize / r.Batch
		t0 := time.Now()
		fit, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: steps, Progress: plotting.NewLive(o.engines+" "+o.models, steps, "loss")})
		if err != nil {
			return fail(err)
		}
		r.TrainS = time.Since(t0).Seconds()
		r.Steps, r.Loss = steps, fit.Last["loss"]
		r.MsPerStep = float64(fit.MedianStep.Microseconds()) / 1000
		test, err := mnist.Load(mnist.Test)
		if err != nil {
			return fail(err)
		}
		eval, err := gomlxext.Evaluate(trainer, test.Dataset(1000))
		if err != nil {
			return fail(err)
		}
		r.Accuracy = eval["#acc"]
		return r
	}

	if o.params {
		if _, err := train.NewLoop(trainer).RunSteps(ds, 1); err != nil {
			return fail(err)
		}
		r.Params = models.CountParams(trainer.Context())
		return r
	}
	if r, err = timeLoop(r, o, trainer, ds); err != nil {
		return fail(err)
	}
	r.Params = models.CountParams(trainer.Context())
	return r
}

// errTimed stops timeLoop's training loop once enough steps are timed.
var errTimed = errors.New("timed enough steps")

// timeLoop trains the way a user does, with GoMLX's train.Loop over the dataset ds: o.warmup
// steps, then steps timed from one OnStep hook to the next (so a step includes the dataset's
// Yield, the trainer's step and the loop's own work) for at least o.minTime and o.minSteps, at
// most o.maxSteps. It fills in r's median step time, CPU time per step, steps and last loss.
func timeLoop(r result, o options, trainer *train.Trainer, ds train.Dataset) (result, error) {
	o.warmup = max(1, o.warmup) // the first hook call starts the clock
	loop := train.NewLoop(trainer)
	t0 := time.Now()
	var (
		times       []time.Duration
		last        time.Time
		start       time.Time
		cpu0, cpu1  time.Duration
		fl0, fl1    int64
		stopProfile = func() {}
		seen        int
	)
	loop.OnStep("bench", train.Priority(0), func(_ *train.Loop, m []*tensors.Tensor) error {
		now := time.Now()
		seen++
		if seen == 1 {
			r.FirstStepS = now.Sub(t0).Seconds()
		}
		switch {
		case seen < o.warmup:
			return nil
		case seen == o.warmup:
			r.WarmupS = now.Sub(t0).Seconds()
			start, cpu0, fl0 = now, processCPU(), backend.ExecutedFLOPs()
			stopProfile = startProfile(o.cpuProfile)
		default:
			times = append(times, now.Sub(last))
		}
		last = now
		if len(m) > 0 {
			r.Loss = float64(tensors.ToScalar[float32](m[0]))
		}
		if len(times) >= o.maxSteps || (len(times) >= o.minSteps && now.Sub(start) >= o.minTime) {
			cpu1, fl1 = processCPU(), backend.ExecutedFLOPs()
			stopProfile()
			return errTimed
		}
		return nil
	})
	if _, err := loop.RunSteps(ds, o.warmup+o.maxSteps+1); !errors.Is(err, errTimed) {
		if err == nil {
			err = errors.New("training loop ended before the steps were timed (bug)")
		}
		return r, err
	}
	slices.Sort(times)
	r.Steps = len(times)
	r.MsPerStep = float64(times[len(times)/2].Microseconds()) / 1000
	r.CPUMsPerStep = float64((cpu1 - cpu0).Microseconds()) / 1000 / float64(len(times))
	r.GFLOPPerStep = float64(fl1-fl0) / 1e9 / float64(len(times))
	return r, nil
}

// timeSteps runs o.warmup steps, then times steps for at least o.minTime and o.minSteps (at
// most o.maxSteps) and fills in r's median step time, CPU time per step, steps and last loss.
func timeSteps(r result, o options, step func() (float64, error)) (result, error) {
	t0 := time.Now()
	for i := range o.warmup {
		if _, err := step(); err != nil {
			return r, err
		}
		if i == 0 {
			r.FirstStepS = time.Since(t0).Seconds()
		}
	}
	r.WarmupS = time.Since(t0).Seconds()
	var times []time.Duration
	stopProfile := startProfile(o.cpuProfile)
	start, cpu0, fl0 := time.Now(), processCPU(), backend.ExecutedFLOPs()
	for len(times) < o.maxSteps && (len(times) < o.minSteps || time.Since(start) < o.minTime) {
		t := time.Now()
		loss, err := step()
		if err != nil {
			return r, err
		}
		r.Loss = loss
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	r.Steps = len(times)
	r.MsPerStep = float64(times[len(times)/2].Microseconds()) / 1000
	r.CPUMsPerStep = float64((processCPU() - cpu0).Microseconds()) / 1000 / float64(len(times))
	r.GFLOPPerStep = float64(backend.ExecutedFLOPs()-fl0) / 1e9 / float64(len(times))
	stopProfile()
	return r, nil
}

// startProfile starts a CPU profile into file (none if file is ""); the returned function
// stops it.
func startProfile(file string) func() {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// keepBest adds r to results, or, if the same engine, model and batch is there already, keeps
// the faster of the two successful runs and the larger peak RSS.
func keepBest(results []result, r result) []result {
	for i, old := range results {
		if old.Engine != r.Engine || old.Model != r.Model || old.Batch != r.Batch {
			continue
		}
		rss := max(old.PeakRSSMB, r.PeakRSSMB)
		if old.Error != "" || (r.Error == "" && r.MsPerStep < old.MsPerStep) {
			results[i] = r
		}
		results[i].PeakRSSMB = rss
		return results
	}
	return append(results, r)
}

// printTable prints the results as a Markdown table, with ratios to PyTorch.
//
// With peakGFLOPS > 0 (-peak) it adds each run's GFLOP per step (the dl4go count of that model
// and batch, for every engine), its GFLOP/s and their share of peakGFLOPS.
func printTable(w io.Writer, results []result, accuracy bool, peakGFLOPS float64) {
	torch, work := map[string]result{}, map[string]float64{}
	for _, r := range results {
		if r.Engine == "torch" && r.Error == "" {
			torch[fmt.Sprint(r.Model, r.Batch)] = r
		}
		if r.GFLOPPerStep > 0 {
			work[fmt.Sprint(r.Model, r.Batch)] = r.GFLOPPerStep
		}
	}
	peakCols := func(r result) string {
		if peakGFLOPS <= 0 {
			return ""
		}
		f := work[fmt.Sprint(r.Model, r.Batch)]
		if f <= 0 || r.MsPerStep <= 0 {
			return "-\t-\t-\t"
		}
		rate := f / (r.MsPerStep / 1000)
		return fmt.Sprintf("%.3f\t%.1f\t%.1f%%\t", f, rate, 100*rate/peakGFLOPS)
	}
	ratio := func(v, ref float64) string {
		if ref <= 0 || v <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f×", v/ref)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	var failures []string
	if accuracy {
		fmt.Fprintln(tw, "model\tbatch\tengine\ttest accuracy\tsteps\ttrain time\tms/step\t× torch\tpeak RSS MB\t× torch\t")
	} else {
		head := "model\tbatch\tengine\tms/step\t× torch\tCPU ms/step\t× torch\tpeak RSS MB\t× torch\twarm-up s\tfirst step s\tsteps timed\tparams\t"
		if peakGFLOPS > 0 {
			head += "GFLOP/step\tGFLOP/s\t% of peak\t"
		}
		fmt.Fprintln(tw, head)
	}
	for _, r := range results {
		t := torch[fmt.Sprint(r.Model, r.Batch)]
		if r.Error != "" {
			failures = append(failures, fmt.Sprintf("%s %s batch %d: %s", r.Engine, r.Model, r.Batch, r.Error))
			fmt.Fprintf(tw, "%s\t%d\t%s\tFAILED (%d)\t\t\t\t%.0f\t\t\t\t\t\t\n", r.Model, r.Batch, r.Engine, len(failures), r.PeakRSSMB)
			continue
		}
		if accuracy {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.4f\t%d\t%.0f s\t%.1f\t%s\t%.0f\t%s\t\n", r.Model, r.Batch, r.Engine, r.Accuracy,
				r.Steps, r.TrainS, r.MsPerStep, ratio(r.MsPerStep, t.MsPerStep), r.PeakRSSMB, ratio(r.PeakRSSMB, t.PeakRSSMB))
		} else {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%.1f\t%.2f\t%d\t%d\t%s\n", r.Model, r.Batch, r.Engine, ms(r.MsPerStep),
				ratio(r.MsPerStep, t.MsPerStep), ms(r.CPUMsPerStep), ratio(r.CPUMsPerStep, t.CPUMsPerStep),
				r.PeakRSSMB, ratio(r.PeakRSSMB, t.PeakRSSMB), r.WarmupS, r.FirstStepS, r.Steps, r.Params, peakCols(r))
		}
	}
	_ = tw.Flush()
	for i, f := range failures {
		fmt.Fprintf(w, "(%d) %s\n", i+1, truncate(f, 300))
	}
}

// ms formats a step time: two decimals below 10 ms (the small lesson models), else one.
func ms(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range split(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad batch size %q", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no batch sizes")
	}
	return out, nil
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func gomlxVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/gomlx/gomlx" {
				return "GoMLX " + m.Version
			}
		}
	}
	return "GoMLX"
}

// sourceDir returns this command's source directory (for torch_bench.py): ./bench under the
// working directory when run from the repository root, else the directory of this file at build time.
func sourceDir() string {
	if _, err := os.Stat(filepath.Join("bench", "torch_bench.py")); err == nil {
		return "bench"
	}
	if _, err := os.Stat("torch_bench.py"); err == nil {
		return "."
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}
