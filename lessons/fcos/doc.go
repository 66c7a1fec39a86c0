// Package fcos is lesson 09 of dl4go: FCOS, Fully Convolutional One-Stage object detection —
// detection without anchors — on the synthetic shapes of package data/shapes, here with objects
// from 6 to 28 pixels that may overlap (Data).
//
// Lesson 07's SSD lays k default boxes (anchors) on every cell and must be told their scales,
// aspect ratios, the IoU at which one matches an object, the encoding variances and how many
// negatives to keep (AnchorHyperParameters): most of its boxes are background. FCOS instead asks
// every feature-map location that lies inside an object's box for the four distances
// (l, t, r, b) from the location to the box's sides (LTRB) and for the object's class; no
// anchors, no proposals.
//
// Read it in this order.
//
// Targets (targets.go). Location maps a cell to its image point; Assign makes the targets of an
// image: a location inside a box is positive for it when the box's max(l, t, r, b) fits the
// level's size range (Level.MinReach, MaxReach], the smallest box winning when two fit. A
// location inside two boxes is an ambiguous sample; CountAmbiguity counts them with one level,
// with every level and no ranges, and with the Feature Pyramid Network's ranges, which send small
// and large objects to different levels. CenterNess is
// sqrt(min(l,r)/max(l,r) · min(t,b)/max(t,b)).
//
// Model (model.go). ModelConfig.Model is a small backbone (strides 4 and 8), the FPN's top-down
// path (lateral 1×1 convolutions plus the upsampled coarser map) and one head shared by every
// level with three outputs: class logits, distances stride·exp(s·x) and center-ness.
// ModelConfig.Loss is the focal loss over every location plus, over the positives, the GIoU loss
// of the boxes and the BCE of center-ness (all three from gomlxext/layers), divided by the
// number of positives.
//
// Inference (infer.go). Detector scores every location and class by p_class · center-ness, turns
// the distances back into a box and keeps the best with lesson 07's NMS; with ClassOnly it ranks
// by p_class alone.
//
// The experiment (lesson.go, compare.go). Run counts the ambiguous samples, trains FCOS, the same
// FCOS without the center-ness head (the ablation) and lesson 07's SSD-lite on the same training
// images with the same batch and steps, and measures all three with lesson 07's mAP@0.5 on the
// same held-out images. Outcome.Table (Rows) compares anchor hyper-parameters, boxes and outputs
// per image, training time and mAP. The pictures and charts: AssignmentPicture,
// Outcome.MapsPicture (class score, center-ness and product maps), DetectionsPicture, LossChart,
// MAPChart and AmbiguityChart. Outcome.Result is the RESULT line: FCOS's held-out mAP@0.5.
//
// Training is checkpointed in the run's folder under the user cache (lessons.Lesson.Open): an
// interrupted run resumes, a finished one restores its weights and is measured again in seconds.
// Full and Quick size the lesson; Size picks Quick when DL4GO_QUICK=1.
package fcos
