// Package gomlxext is dl4go's engine layer over GoMLX: it chooses the backend and runs training
// loops with resumable checkpoints. It draws nothing: progress views attach from outside through
// the Progress interface (plotting.Live is the one the lessons use), as GoMLX's own progress bar
// attaches to a train.Loop.
//
// Start with Backend (or MustBackend), which every lesson and notebook uses to get its engine:
// Choose picks $GOMLX_BACKEND if set, else XLA when a PJRT plugin is installed locally (never
// downloading one unless DL4GO_XLA_INSTALL=1 or InstallXLA is called), else "dl4go", the pure-Go
// backend of gomlxext/backend. Chosen tells which backend was created and why, for banners.
//
// Then Fit trains a GoMLX train.Trainer on a train.Dataset to a global step, reporting each
// step to a Progress, saving checkpoints in a folder every few steps and on interrupt, and
// resuming from them when rerun:
//
//	trainer := train.NewTrainer(gomlxext.MustBackend(), ctx, model, loss, optimizers.Adam().Done(), nil, nil)
//	res, err := gomlxext.Fit(trainer, ds, gomlxext.FitOptions{Steps: cfg.Steps, CheckpointDir: dir, Progress: live})
//
// Loops that are not a train.Trainer (self-play, reinforcement learning, GANs) use the same
// pieces directly: Checkpoints opens a checkpoint folder that saves the loop's own state with the
// variables, survives interrupted saves and falls back past a damaged checkpoint; WatchInterrupt
// turns SIGINT/SIGTERM into a request the loop sees between steps; Freeze leaves one player's
// variables out of an optimizer's update and UpdateEMA keeps a moving average of a model's
// weights (a GAN's generator sampled from its average). The lesson kit (package
// lessons) decides where a run's folder is (CheckpointDir is its root).
//
// A kernel interrupt (SIGINT) stops Fit after the current step and saves a checkpoint; GoNB kills
// the cell 5 s after the interrupt, so very slow steps may lose up to EveryN steps of work.
package gomlxext
