package gomlxext

import (
	"fmt"
	"os"
	"sync"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // the embedded pure-Go engine.
)

// Choice describes which backend Backend returns and why.
type Choice struct {
	// Config is the GoMLX backend configuration string, e.g. "go" or "xla:cpu".
	Config string
	// Reason explains, in one sentence, why this backend was chosen.
	Reason string
}

// String returns "<config> (<reason>)".
func (c Choice) String() string { return fmt.Sprintf("%s (%s)", c.Config, c.Reason) }

// Choose decides which backend to use, without creating it.
func Choose() Choice {
	if cfg, ok := os.LookupEnv(backends.ConfigEnvVar); ok && cfg != "" {
		return Choice{Config: cfg, Reason: "set by $" + backends.ConfigEnvVar}
	}
	return Choice{Config: "go", Reason: "pure-Go backend, the embedded default"}
}

var (
	backendOnce sync.Once
	backend     backends.Backend
	backendErr  error
)

// Backend returns the process-wide backend chosen by Choose, creating it on first use.
func Backend() (backends.Backend, error) {
	backendOnce.Do(func() {
		c := Choose()
		backend, backendErr = backends.NewWithConfig(c.Config)
		if backendErr != nil {
			backendErr = fmt.Errorf("create GoMLX backend %q (%s): %w", c.Config, c.Reason, backendErr)
		}
	})
	return backend, backendErr
}
