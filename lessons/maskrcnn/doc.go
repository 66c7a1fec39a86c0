// Package maskrcnn is lesson 08 of dl4go: Mask R-CNN, a two-stage detector that also draws a
// mask for every object it finds (instance segmentation), trained from scratch on the
// overlapping shapes of package data/shapes (Config.Data.MaxOcclusion: an object may hide up to
// 40% of another, so a mask must follow the visible part of its own object, not its box).
//
// Start with Run(Size()): it trains the same network twice, with RoI Align and with RoI Pool,
// and measures both on held-out images (Outcome.Summary, Outcome.Result). Training is
// checkpointed in the run's folder under the user cache (lessons.Lesson.Open): an interrupted
// run resumes, a finished one restores its weights and is measured again in seconds. RunModel
// trains one pooler alone.
//
// # The story (Family)
//
// R-CNN proposes ~2000 regions with selective search and runs a CNN on each (slow); Fast R-CNN
// runs the CNN once and cuts each region out of its feature map (RoI Pool); Faster R-CNN
// replaces selective search by a region proposal network on the same features, so part 1
// (where are the objects?) and part 2 (what is each one?) train together; Mask R-CNN adds a
// mask branch and replaces RoI Pool by RoI Align.
//
// # The network (model.go)
//
// Model: a 4-convolution backbone to a stride-4 feature map (Stride); the RPN, a 3×3
// convolution with, per anchor of every cell (Anchors: sizes × ratios), an objectness logit
// and 4 box offsets; the box head (CropRoIs to RoISize², two fully connected layers, class
// logits and box offsets); the mask head (MaskHead), a small FCN — no fully connected layer, so
// it takes RoI maps of any size — predicting a mask per class, of which the object's class is
// used (Masks). CropRoIs is gomlxext/layers' RoIAlign or RoIPool, chosen by the Pooler.
//
// # Training (targets.go, train.go)
//
// Loss is the sum of the RPN's and the heads' losses. The labels are made on the host: the
// anchors' (RPNTargets: IoU ≥ 0.7 object, < 0.3 background, sampled), and the RoIs' (SampleRoIs,
// from the proposals of the current network plus the ground-truth boxes, IoU ≥ 0.5 foreground,
// with each foreground RoI's mask target cut out of its object's mask by MaskTarget). The
// proposals are computed before each step by running the current RPN (Proposals: decode, top
// PreNMS, NMS, top Proposals) and enter the graph as constants: Faster R-CNN's "approximate
// joint training", the whole network trained end to end in one loss.
//
// # Inference and metrics (infer.go, lesson.go)
//
// Detector runs the three stages (backbone + RPN, box head on the proposals, mask head on the
// final boxes) with NMS on the host (lesson 07's NMS: the engine has no sort), and pastes each
// mask back into its box (PasteMask). The metrics, on held-out images: box mAP@0.5 (lesson 07's
// MeanAP); the mean mask IoU of the objects matched by a confident detection of their class
// (MatchInstances, MaskIoU: the lesson's metric); the baseline of filling the same detected
// boxes (BoxMask); the mask head on the true boxes; the proposals' recall.
//
// # RoI Pool and RoI Align
//
// RoI Pool rounds the region to whole feature cells (RoundingShift measures by how much on the
// data), splits it into 7×7 bins of whole cells and takes each bin's maximum; RoI Align keeps
// the real coordinates, takes 4 bilinearly interpolated points per bin and averages them.
// MisalignmentPicture draws both on a box (MostShifted finds the one rounding moves most).
// The pictures: Family, InstancesPicture, Model.AnchorsPicture, ModelOutcome.ProposalsPicture,
// InstancesPicture and FCNPicture, Outcome.ComparePicture, LossChart and MaskIoUChart.
package maskrcnn
