package main

// installAssets fetches the offline assets (echarts, KaTeX) into the user cache.
func installAssets() error {
	return nil // TODO(lead): call package assets once it lands.
}
