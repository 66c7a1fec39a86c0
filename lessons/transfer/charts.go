package transfer

import (
	"fmt"

	"github.com/dl4go/dl4go/plotting"
)

// GradNormChart draws ‖∂L/∂W‖ of every weight layer, from the input (1) to the head, for the
// plain and the residual network, at initialisation and after training (log scale).
func (o *Outcome) GradNormChart() (*plotting.Chart, error) {
	x := make([]float64, len(o.Plain.InitNorms))
	for i := range x {
		x[i] = float64(i + 1)
	}
	return plotting.Line(fmt.Sprintf("gradient norm per layer, %d weight layers", len(x)), x, []plotting.Series{
		{Name: "plain, at init", Y: o.Plain.InitNorms},
		{Name: "residual, at init", Y: o.Residual.InitNorms},
		{Name: "plain, trained", Y: o.Plain.TrainedNorms},
		{Name: "residual, trained", Y: o.Residual.TrainedNorms},
	}, plotting.WithAxisNames("layer (1 = next to the input)", "‖∂L/∂W‖"), plotting.WithLogY())
}

// DepthLossChart draws the training loss of the plain and the residual network.
func (o *Outcome) DepthLossChart() (*plotting.Chart, error) {
	return plotting.Line("training loss: plain vs residual", nil, []plotting.Series{
		{Name: "plain", Y: o.Plain.Loss}, {Name: "residual", Y: o.Residual.Loss},
	}, plotting.WithAxisNames("step", "cross-entropy"), plotting.WithSmoothing(10))
}

// PretrainChart draws the pre-training loss on the source task.
func (o *Outcome) PretrainChart() (*plotting.Chart, error) {
	if o.Pretrained.FromUser {
		return nil, fmt.Errorf("transfer: the backbone was loaded from %s: no pre-training here to draw", o.Pretrained.Dir)
	}
	return plotting.Line(fmt.Sprintf("pre-training on digits %v", o.Config.SourceDigits), nil,
		[]plotting.Series{{Name: "loss", Y: o.Pretrained.Loss}}, plotting.WithAxisNames("step", "cross-entropy"), plotting.WithSmoothing(10))
}

// AccuracyChart draws, for the three ways, the validation accuracy (val_acc, what
// EarlyStopping watches) and the training accuracy after every epoch; a curve that ends early
// was stopped by EarlyStopping.
func (o *Outcome) AccuracyChart() (*plotting.Chart, error) {
	var series []plotting.Series
	for _, r := range o.Runs {
		x := make([]float64, len(r.Epochs))
		val, acc := make([]float64, len(r.Epochs)), make([]float64, len(r.Epochs))
		for i, e := range r.Epochs {
			x[i], val[i], acc[i] = float64(i+1), e.ValAcc, e.Acc
		}
		series = append(series, plotting.Series{Name: string(r.Way) + " val_acc", X: x, Y: val},
			plotting.Series{Name: string(r.Way) + " acc", X: x, Y: acc})
	}
	return plotting.Line("accuracy per epoch on the target task", nil, series, plotting.WithAxisNames("epoch", "accuracy"))
}

// TestAccuracyChart draws the held-out target accuracy of the three ways.
func (o *Outcome) TestAccuracyChart() (*plotting.Chart, error) {
	names := make([]string, len(o.Runs))
	acc := make([]float64, len(o.Runs))
	for i, r := range o.Runs {
		names[i], acc[i] = string(r.Way), r.TestAcc
	}
	return plotting.Bar(fmt.Sprintf("held-out accuracy on digits %v (%d test images)", o.Config.TargetDigits, o.TestSize), names,
		[]plotting.Series{{Name: "accuracy", Y: acc}}, plotting.WithAxisNames("", "accuracy"))
}

// WideResNetChart draws the weights (millions) of the WRN networks of WideResNetTable beside the
// paper's counts.
func WideResNetChart() (*plotting.Chart, error) {
	rows := WideResNetTable()
	names := make([]string, len(rows))
	ours, paper := make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		names[i], ours[i], paper[i] = r.Name, float64(r.Params)/1e6, r.PaperMillion
	}
	return plotting.Bar("WideResNet: weights (millions), CIFAR-10", names,
		[]plotting.Series{{Name: "counted (WideResNetParams)", Y: ours}, {Name: "the paper", Y: paper}}, plotting.WithAxisNames("", "millions"))
}
