// Command train runs lesson 02's AlphaGo Zero training at the notebook's size (full, or quick
// with DL4GO_QUICK=1), resuming from its run's checkpoint under the user cache (the lesson
// kit's folder for these settings: another flag value is another run), prints the win rates
// and, with -save DIR, copies the trained network's checkpoint to DIR (this is how
// lessons/alphago/pretrained was made: go run ./lessons/alphago/cmd/train -save lessons/alphago/pretrained).
package main

import (
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/dl4go/dl4go/lessons/alphago"
)

func main() {
	cfg := alphago.Size()
	z := &cfg.Zero
	flag.IntVar(&z.Iterations, "iters", z.Iterations, "self-play iterations")
	flag.IntVar(&z.Games, "games", z.Games, "self-play games per iteration")
	flag.IntVar(&z.Sims, "sims", z.Sims, "MCTS simulations per move")
	flag.IntVar(&z.TrainSteps, "steps", z.TrainSteps, "training steps per iteration")
	flag.IntVar(&z.FinalGames, "final", z.FinalGames, "final games vs each opponent")
	flag.IntVar(&z.Net.Channels, "channels", z.Net.Channels, "channels")
	flag.IntVar(&z.Net.Blocks, "blocks", z.Net.Blocks, "residual blocks")
	fresh := flag.Bool("fresh", false, "ignore checkpoints (train from scratch, save nothing)")
	save := flag.String("save", "", "copy the trained network's checkpoint to this directory")
	flag.Parse()
	if *fresh {
		cfg.CacheDir = "-"
	}
	t0 := time.Now()
	out, err := alphago.Run(cfg)
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range out.History {
		fmt.Printf("iter %2d  policy loss %.3f  value loss %.3f  vs random %.2f  vs pure MCTS %.2f  %.1fs\n",
			it.Iter, it.PolicyLoss, it.ValueLoss, it.WinVsRandom, it.WinVsMCTS, it.Seconds)
	}
	fmt.Printf("final (%d games each): vs random %.3f, vs pure MCTS (%d sims) %.3f; training %v, final evaluation %v, wall %v\n",
		z.FinalGames, out.FinalRandom, z.Sims, out.FinalMCTS, out.TrainTime.Round(time.Second), out.FinalTime.Round(time.Second), time.Since(t0).Round(time.Second))
	if *save != "" {
		if err := alphago.SaveNet(out.Net, *save); err != nil {
			log.Fatal(err)
		}
		fmt.Println("saved to", *save)
	}
}
