package main

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/dl4go/dl4go/assets"
)

// installAssets fetches the pinned offline assets (echarts, KaTeX) into the user cache.
func installAssets() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	names := make([]string, 0, len(assets.Packages))
	for n := range assets.Packages {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		dir, err := assets.Ensure(ctx, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		progressf("offline asset %s %s in %s", n, assets.Packages[n].Version, dir)
	}
	return errors.Join(errs...)
}
