package alphago

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// SaveNet writes the network's variables as a GoMLX checkpoint in dir.
func SaveNet(net *Net, dir string) error {
	h, err := checkpoints.Build(net.Ctx).Dir(dir).Keep(1).Done()
	if err != nil {
		return fmt.Errorf("save network to %s: %w", dir, err)
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("save network to %s: %w", dir, err)
	}
	return nil
}
