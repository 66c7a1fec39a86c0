//go:build !unix

package main

import "os"

// peakRSSMB is unavailable off Unix.
func peakRSSMB(*os.ProcessState) float64 { return 0 }
