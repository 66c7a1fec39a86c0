// Package gomlxext is dl4go's engine layer over GoMLX: it chooses the backend and runs training
// loops with live progress and resumable checkpoints.
//
// Start with Backend (or MustBackend), which every lesson and notebook uses to get its engine:
// Choose picks $GOMLX_BACKEND if set, else XLA when a PJRT plugin is installed locally (never
// downloading one unless DL4GO_XLA_INSTALL=1 or InstallXLA is called), else "dl4go", the pure-Go
// backend of gomlxext/backend. Chosen tells which backend was created and why, for banners.
//
// Then Fit trains a GoMLX train.Trainer on a train.Dataset to a global step, drawing a
// plotting.Live view, saving checkpoints under CheckpointDir(lesson, configKey) every few steps
// and on interrupt, and resuming from them when rerun:
//
//	trainer := train.NewTrainer(gomlxext.MustBackend(), ctx, model, loss, optimizers.Adam().Done(), nil, nil)
//	dir, _ := gomlxext.CheckpointDir("mnist", cfg.Key())
//	res, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: cfg.Steps, CheckpointDir: dir})
//
// A kernel interrupt (SIGINT) stops Fit after the current step and saves a checkpoint; GoNB kills
// the cell 5 s after the interrupt, so very slow steps may lose up to EveryN steps of work.
package gomlxext
