//go:build !amd64

package peak

func kernels() []kernel { return nil }
