package main

import (
	"context"
	"sort"
	"time"

	"github.com/dl4go/dl4go/assets"
)

// assetResult is the outcome of fetching one pinned asset package.
type assetResult struct {
	name, dir string
	err       error
}

// fetchAssets fetches the pinned offline assets (echarts, KaTeX, the Japanese
// font) into the user cache.
func fetchAssets() []assetResult {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	names := make([]string, 0, len(assets.Packages))
	for n := range assets.Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []assetResult
	for _, n := range names {
		dir, err := assets.Ensure(ctx, n)
		out = append(out, assetResult{name: n, dir: dir, err: err})
	}
	return out
}
