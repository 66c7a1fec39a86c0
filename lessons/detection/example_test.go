package detection_test

import (
	"fmt"

	"github.com/janpfeifer/must"

	"github.com/dl4go/dl4go/lessons/detection"
)

// The hand-worked AP example: detections in score order come out TP FP TP FP TP.
func ExamplePRCurve() {
	dets, gts := detection.WorkedExample()
	pr := detection.PRCurve(dets, gts, 0, 0.5)
	fmt.Println("TP:", pr.TP)
	fmt.Printf("AP all-point %.4f, 11-point %.4f\n", pr.AP(detection.AllPoint), pr.AP(detection.Points11))
	// Output:
	// TP: [true false true false true]
	// AP all-point 0.7556, 11-point 0.7636
}

func ExampleNMS() {
	dets := []detection.Detection{
		{Class: 0, Score: 0.9, Box: detection.Box{X0: 0, Y0: 0, X1: 10, Y1: 10}},
		{Class: 0, Score: 0.8, Box: detection.Box{X0: 1, Y0: 1, X1: 11, Y1: 11}}, // same object
		{Class: 0, Score: 0.7, Box: detection.Box{X0: 20, Y0: 20, X1: 30, Y1: 30}},
	}
	for _, d := range detection.NMS(dets, 0.45, 0) {
		fmt.Println(d.Score, d.Box)
	}
	// Output:
	// 0.9 {0 0 10 10}
	// 0.7 {20 20 30 30}
}

func ExampleTransposedConvRecipe() {
	steps, err := detection.TransposedConvRecipe([][]float64{{1, 2}, {3, 4}}, [][]float64{{1, 1}, {1, 1}}, 2, 0)
	if err != nil {
		panic(err)
	}
	fmt.Print(detection.FormatMap(steps[2]))
	// Output:
	//    1    1    2    2
	//    1    1    2    2
	//    3    3    4    4
	//    3    3    4    4
}

// The whole lesson in one call, here tiny (2 training steps of each model, 4 held-out images,
// nothing saved, no live view); the notebook runs detection.Run(detection.Size()) and ends with
// its RESULT line.
func ExampleRun() {
	cfg := detection.Quick()
	cfg.SSD.Steps, cfg.Seg.Steps, cfg.TestImages, cfg.CacheDir, cfg.Quiet = 2, 2, 4, "-", true
	out := must.M1(detection.Run(cfg))
	fmt.Println(len(out.SSD.Loss), "SSD steps,", len(out.Seg.Loss), "+", len(out.Seg.NoSkipLoss), "FCN steps,", len(out.SSD.Test), "held-out images")
	fmt.Println(out.Result().Metric)
	// Output:
	// 2 SSD steps, 2 + 2 FCN steps, 4 held-out images
	// min_of_map50_and_miou_over_threshold
}
