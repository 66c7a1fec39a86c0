// Package a3c is lesson 18 of dl4go, A3C — asynchronous advantage actor-critic (Mnih et al.
// 2016) — on lesson 01's CartPole (package rl). Each letter of the name is a piece of code here:
//
//   - Asynchronous: several workers, each a goroutine with its own CartPole and its own copy θ'
//     of the weights, play a few steps, compute a gradient and apply it to the shared weights θ
//     (a gomlxext.ParamServer) at once, without waiting for one another; a gradient may be
//     applied to weights that other workers moved since it was computed (its staleness).
//   - Advantage: the actor is weighted by A_t = R_t − V(s_t), with the n-step return
//     R_t = r_t + γ r_{t+1} + … + γ^{n−1} r_{t+n−1} + γ^n V(s_{t+n}) (NStepReturns).
//   - Actor: the policy π(a|s) that chooses the actions (lesson 01's policy network).
//   - Critic: the state value V(s) that corrects the policy through the advantage and
//     bootstraps the return (lesson 01's baseline network).
//
// The loss of one update, over its n samples, is −mean(log π(a|s)·A) + c·mean((R − V(s))²) −
// β·mean(H(π(·|s))): the entropy bonus β·H keeps the policy from collapsing onto one action
// before it has explored. The shared parameters are updated by RMSProp whose mean squares live
// on the server too, moved by every worker's gradient (the paper's "shared RMSProp").
//
// A2C, the synchronous variant, runs beside it with the same workers: all of them step in lock
// step with the same weights, and one update averages their gradients. The lesson measures, for
// 1, 2 and 4 workers and three seeds each: learning curves against environment steps and wall
// time, time and CPU time to solve CartPole, throughput, the staleness of A3C's updates, and the
// autocorrelation argument — how alike the samples of one update are, and those of consecutive
// updates (an on-policy learner cannot break that correlation with a replay buffer, as DQN does:
// its samples must come from the current policy; parallel workers give it unrelated samples of
// the current policy instead).
//
// Where to start, in the notebook's order (notebooks/18-a3c.ipynb):
//
//   - lesson.go: the lesson kit's contract — Config, Full, Quick, Size, Run, Outcome.Result.
//   - returns.go: NStepReturns, the "Advantage" part.
//   - net.go: the actor, the critic and the loss with its entropy bonus (lossGraph).
//   - train.go: the A3C workers (a3cWorker), A2C (a2c), the greedy checks and checkpoints.
//   - corr.go: the autocorrelation measurements; charts.go: every chart of the notebook.
//
// The measured times and returns, full and quick, are in the notebook's closing note.
package a3c
