// Package gomlxext is dl4go's engine layer over GoMLX: it chooses the backend
// (the pure-Go dl4go/simplego backend by default, XLA when a PJRT plugin is
// installed or GOMLX_BACKEND asks for it), and provides the training loops,
// checkpoints and the layers, losses and ops the lessons need that GoMLX lacks.
//
// Start with Backend, which every lesson and notebook uses to get its engine.
package gomlxext
