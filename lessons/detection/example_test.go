package detection_test

import (
	"fmt"

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

// The lesson in four calls (as in the notebook): train and evaluate SSD-lite and the FCN at the
// size DL4GO_QUICK selects, then print the RESULT line.
func ExampleRunSSD() {
	ssd, err := detection.RunSSD(detection.Size())
	if err != nil {
		panic(err)
	}
	seg, err := detection.RunSegmentation(detection.Size())
	if err != nil {
		panic(err)
	}
	fmt.Printf("mAP@0.5 %.3f, mIoU %.3f\n", ssd.MAP50, seg.MIoU)
	fmt.Println(detection.Result(ssd, seg))
}
