//go:build !unix

package main

import (
	"os"
	"time"
)

// peakRSSMB is unavailable off Unix.
func peakRSSMB(*os.ProcessState) float64 { return 0 }

// processCPU is unavailable off Unix.
func processCPU() time.Duration { return 0 }
