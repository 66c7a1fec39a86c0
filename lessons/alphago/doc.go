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
//   - RunLee and RunZero are the two experiments, Result the asserted outcome.
//
// Sizes: DefaultZeroConfig and DefaultLeeConfig return the full configuration, or the quick one
// when DL4GO_QUICK=1 (lessons.Quick). Training AlphaGo Zero saves a checkpoint after every
// iteration under the user cache (gomlxext.CheckpointDir) and resumes from it.
//
// AlphaZero (2018) is AlphaGo Zero's algorithm made game-agnostic: the same self-play
// network and MCTS learned chess and shogi as well as Go, with no Go-specific symmetry tricks.
// MuZero (2020) goes one step further: it does not even get the rules; it learns a model of the
// environment (representation, dynamics and prediction networks) and plans with MCTS inside
// that learned model, which also lets it play Atari games.
package alphago
