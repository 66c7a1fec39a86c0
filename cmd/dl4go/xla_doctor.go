package main

import (
	"fmt"
	"strings"

	"github.com/dl4go/dl4go/gomlxext"
)

// backendChecks reports the backend cells get and, when a PJRT plugin is chosen or installed,
// loads it and reports its path, source and PJRT C API version.
func backendChecks() []check {
	c := gomlxext.Choose()
	return []check{
		{name: "backend", ok: true, info: "cells get GoMLX backend " + c.String()},
		xlaCheck(c, gomlxext.FindXLAPlugin, gomlxext.InspectXLAPlugin),
	}
}

// xlaCheck loads the PJRT plugin that find returns (XLA's, whether or not it is chosen) with
// inspect. No plugin is fine unless the choice is XLA.
func xlaCheck(c gomlxext.Choice, find func() (string, error), inspect func(string) (gomlxext.XLAPlugin, error)) check {
	chosen := strings.HasPrefix(c.Config, "xla") || c.XLA.Path != ""
	path, err := find()
	if err != nil {
		if chosen {
			return check{name: "xla", info: err.Error(),
				fix: "install a plugin: go run ./cmd/dl4go xla --from-wheel WHEEL (CPU; docs/xla.md), or dl4go xla --cuda cuda13 (online, NVIDIA); or unset GOMLX_BACKEND to use dl4go's pure-Go backend"}
		}
		return check{name: "xla", ok: true, info: "no PJRT plugin installed (optional: lessons run on dl4go's pure-Go backend; docs/xla.md installs one)"}
	}
	p, err := inspect(path)
	if err != nil {
		return check{name: "xla", info: fmt.Sprintf("the PJRT plugin %s does not load: %v", path, err),
			fix: "reinstall it: pip download --no-deps xla-cpu-pjrt==0.0.1 && go run ./cmd/dl4go xla --from-wheel xla_cpu_pjrt-0.0.1-*.whl (docs/xla.md); or remove " + path}
	}
	info := fmt.Sprintf("PJRT plugin %s: %s (go-xla calls PJRT C API %s)", path, p, gomlxext.GoXLAPJRTVersion)
	if !chosen {
		info += "; not used: " + c.Reason
	}
	major, _, _ := strings.Cut(p.PJRTVersion, ".")
	want, _, _ := strings.Cut(gomlxext.GoXLAPJRTVersion, ".")
	if major != want {
		return check{name: "xla", info: info + ": another major version",
			fix: "install a plugin with PJRT C API " + want + ".x: go run ./cmd/dl4go xla --from-wheel xla_cpu_pjrt-0.0.1-*.whl (docs/xla.md)"}
	}
	return check{name: "xla", ok: true, info: info}
}
