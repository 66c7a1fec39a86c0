// Package alphago is lesson 02: AlphaGo, from AlphaGo Lee (2016) to AlphaGo Zero (2017), on a
// 5×5 Go board small enough to train on two CPU cores.
//
// Where to start:
//
//   - Position (board.go) holds the rules: captures, no suicide, simple ko, passes, area
//     scoring with komi.
//   - Search (mcts.go) is Monte-Carlo tree search with PUCT. Guided by random playouts it is
//     "pure MCTS"; guided by a network it is AlphaGo's search.
//   - AlphaGo Lee (lee.go): a fast linear RolloutPolicy (softmax over simple pattern
//     features — no network, because playouts need millions of moves), PolicyNet (softmax over
//     the N·N points + pass) and ValueNet (tanh), trained by supervised learning on "expert"
//     games played by a strong pure MCTS, then by self-play.
//   - AlphaGo Zero (zero.go): no expert games, no rollouts, simple input planes and one
//     DualNet made of residual blocks Conv → BatchNorm → ReLU → Conv → BatchNorm → Add → ReLU,
//     trained only from its own MCTS self-play through a replay buffer.
//   - Match (arena.go) plays many games side by side between two Players (RandomPlayer,
//     PureMCTS, MCTSPlayer with a network), colours alternated.
//   - Play, CurrentGame and Watch (play.go) let you play against the committed network
//     (Pretrained, made by cmd/train) and watch it play; SolveTactics runs the test positions.
//   - lesson.go: the lesson kit's contract — Config (Lee's and Zero's configurations and the
//     win rates required), Full, Quick, Size, and Outcome.Result, the RESULT line. Run trains
//     AlphaGo Zero (zero.go) and plays its final games, the asserted outcome; RunLee runs
//     AlphaGo Lee's pipeline.
//
// Training AlphaGo Zero saves a checkpoint after every iteration in its run's folder under the
// user cache (lessons.Lesson.Open: keyed by every setting of the Config, the code and the
// engine) and resumes from it; the final win rates are saved with the run, so a finished run
// reports them again without replaying 400 games. Measured at full size on 2 cores (pure-Go
// engine): net+MCTS beats random in 100% and pure MCTS in 89% of 200 games each.
//
// AlphaZero (2018) is AlphaGo Zero's algorithm made game-agnostic: the same self-play
// network and MCTS learned chess and shogi as well as Go, with no Go-specific symmetry tricks.
// MuZero (2020) goes one step further: it does not even get the rules; it learns a model of the
// environment (representation, dynamics and prediction networks) and plans with MCTS inside
// that learned model, which also lets it play Atari games.
package alphago
