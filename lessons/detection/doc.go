// Package detection is lesson 07 of dl4go: object detection and semantic segmentation
// (物体検知と SS), on the synthetic shapes of package data/shapes (circles, squares and
// triangles with boxes and pixel masks).
//
// The lesson has four parts; read them in this order.
//
// Metrics (metrics.go). IoU; the PASCAL VOC matching of detections to objects (a detection is a
// true positive when its best-overlapping object has IoU ≥ 0.5 and was not found before);
// precision = TP/(TP+FP) and recall = TP/(TP+FN) at a confidence threshold (PR.At); the
// precision–recall curve (PRCurve); AP = ∫₀¹ P(R) dR with VOC's all-point interpolation
// (APAllPoint) or the 11-point and COCO 101-point ones (APInterpolated); mAP over classes
// (MeanAP); COCO's mAP@[.5:.95] (COCOmAP); the detection ConfusionMatrix. WorkedExample is the
// hand-worked case the tests check to the last digit (AP = 34/45).
//
// SSD-lite (anchors.go, ssd.go, nms.go). A single-shot detector: a small convolutional
// backbone whose Size/8 and Size/16 feature maps carry 3×3 heads predicting, for each of the
// k = 4 default boxes (DefaultBoxes: scales s_k, aspect ratios 1, 2, 1/2) of every cell,
// NumLabels class scores and 4 offsets — k×(classes+4) outputs per cell. Match assigns objects
// to default boxes, Encode/Decode turn boxes into offsets and back, Loss is the multibox loss
// (cross entropy with 3:1 hard negative mining + smooth L1), and NMS (non-maximum suppression,
// on the host: the engine has no sort) keeps one box per object. RunSSD trains it and measures
// mAP and inference speed (Timing: ms per image, FPS).
//
// Transposed convolution (transposed.go). The report's three steps — insert stride−1 zeros,
// pad by kernel−1−padding, convolve — as plain Go (TransposedConvRecipe, with every
// intermediate map), checked equal to the engine's op and to the gradient of a strided
// convolution (TransposedConvEngine).
//
// FCN segmentation (fcn.go). A fully convolutional network that pools down to Size/8 and comes
// back up with learned transposed convolutions, adding the scores of earlier pooling layers on
// the way (skip additions: 輪郭情報の補完, restoring outlines). RunSegmentation trains it with and
// without skips and reports mean IoU (MeanIoU).
//
// Start with Run(Size()), which runs both experiments (RunSSD and RunSegmentation, also callable
// alone). Training is checkpointed in the run's folder under the user cache (see
// lessons.Lesson.Open): an interrupted run resumes, a finished one restores its weights and is
// evaluated again in seconds. Config, Full and Quick size the experiments (Config.SSD, Config.Seg);
// Size picks Quick when DL4GO_QUICK=1. Outcome.Result gives the lesson's RESULT line, ok only
// when both mAP@0.5 and mIoU reach their thresholds. The charts: TaskZoo,
// SSD.DefaultBoxesPicture, SSDOutcome.DetectionsPicture, PRChart, ThresholdChart,
// ConfusionChart, LossChart, SegOutcome.MasksPicture and LossChart.
//
// YOLO, the other one-stage detector of the report, divides the image into an S×S grid whose
// cells each predict B boxes with a confidence and one set of class probabilities; the notebook
// compares it with SSD in prose.
package detection
