package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/dl4go/dl4go/gomlxext"
)

func TestXLACheck(t *testing.T) {
	const path = "/x/pjrt_c_api_cpu_plugin.so"
	found := func() (string, error) { return path, nil }
	missing := func() (string, error) { return "", errors.New("no XLA PJRT plugin installed") }
	loads := func(v string) func(string) (gomlxext.XLAPlugin, error) {
		return func(p string) (gomlxext.XLAPlugin, error) {
			return gomlxext.XLAPlugin{Path: p, Source: "xla_cpu_pjrt 0.0.1 (wheel)", PJRTVersion: v, StableHLO: "1.13.3", Loaded: true}, nil
		}
	}
	broken := func(string) (gomlxext.XLAPlugin, error) { return gomlxext.XLAPlugin{}, errors.New("undefined symbol") }
	xla := gomlxext.Choice{Config: "xla:cpu", Reason: "PJRT plugin installed at " + path, Plugin: path, XLA: gomlxext.XLAPlugin{Path: path}}
	dl := gomlxext.Choice{Config: "dl4go", Reason: "set by $GOMLX_BACKEND"}
	tests := []struct {
		name   string
		choice gomlxext.Choice
		find   func() (string, error)
		load   func(string) (gomlxext.XLAPlugin, error)
		ok     bool
		want   []string
	}{
		{"chosen and loads", xla, found, loads("0.81"), true, []string{path, "xla_cpu_pjrt 0.0.1", "PJRT C API 0.81", "go-xla calls PJRT C API " + gomlxext.GoXLAPJRTVersion}},
		{"installed, not chosen", dl, found, loads("0.81"), true, []string{"PJRT C API 0.81", "not used: set by $GOMLX_BACKEND"}},
		{"none, not chosen", dl, missing, broken, true, []string{"optional"}},
		{"chosen by env, none found", gomlxext.Choice{Config: "xla:cuda"}, missing, broken, false, []string{"no XLA PJRT plugin"}},
		{"does not load", xla, found, broken, false, []string{"does not load", "undefined symbol"}},
		{"another major version", xla, found, loads("1.2"), false, []string{"another major version"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := xlaCheck(tc.choice, tc.find, tc.load)
			if c.ok != tc.ok || (!c.ok && c.fix == "") {
				t.Errorf("ok %t (fix %q), want ok %t and a fix when failing: %s", c.ok, c.fix, tc.ok, c.info)
			}
			for _, w := range tc.want {
				if !strings.Contains(c.info, w) {
					t.Errorf("info %q lacks %q", c.info, w)
				}
			}
		})
	}
}
