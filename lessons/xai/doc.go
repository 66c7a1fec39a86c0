// Package xai is lesson 22 of dl4go: explaining a model's decisions (モデルの解釈性) with CAM,
// Grad-CAM, LIME and SHAP — where did the network look?
//
// A deep network is a black box: it says "triangle" but not why. The report's example is a
// VGG16 that calls a photo "toilet paper" while Grad-CAM shows it looking at the dark background
// around the roll. The lesson trains small CNNs on data/shapes images with one object each, so
// the true place of the evidence is known and an explanation can be scored, not just admired:
//
//   - CAM (Class Activation Map, Model.CAM) needs global average pooling (GAP) before the
//     classifier: y^c = Σ_k w_k^c·mean(A^k) + b, so the map Σ_k w_k^c A^k says which places pushed
//     class c up.
//   - Grad-CAM (Model.GradCAM, step by step in Model.GradCAMSteps) follows the report's
//     gradcam_func: the last conv layer's maps A and the predicted class's score y^c, the gradient
//     ∂y^c/∂A, its mean over the grid as channel weights α_k, the weighted sum Σ_k α_k A^k, ReLU,
//     division by the maximum, colour map, resize (Upsample) and overlay. It needs no GAP. On a
//     GAP model α_k = w_k^c/(h·w), so CAM and Grad-CAM are the same map (checked).
//   - The scores: the share of held-out images whose map peaks (Peak) inside the object's box,
//     for a GAP model, for a model without GAP (flattened features), and for the baseline that
//     always points at the image centre; boxes widened by Config.Margin (one 4-pixel map cell)
//     for all of them alike.
//   - The report's observation reproduced ("Clever Hans"): a model trained on images where a
//     white mark in a corner gives the class away (the corner depends on the class) scores
//     perfectly on held-out images with the mark, falls towards chance without it, and Grad-CAM
//     shows it looking at the mark, not the shape.
//   - LIME (LIME): switch patches of one image off at random, weight each perturbation by its
//     closeness to the image, fit a weighted linear model; its weights are the explanation, its
//     weighted R² (fidelity) says how far to trust it.
//   - SHAP: exact Shapley values of 3×3 patches by enumerating all 512 coalitions
//     (ExactShapley), the efficiency property Σφ_j = f(x) − E[f] checked, and KernelSHAP's
//     weighted regression (KernelSHAP) from fewer coalitions compared with them (RelativeL1).
//
// Run(Size()) does the whole lesson; Outcome's charts (GradCAMPicture, CuePicture, PeakChart,
// AccuracyChart, LIMEPicture, ShapleyChart, ShapleyPicture) draw it and Outcome.Result is the
// RESULT line. Training is checkpointed through the lesson kit (an interrupted run resumes; a
// finished one is restored, with what it measured, in about a second).
//
// Time to run on 2 cores with the pure-Go engine: see the notebook's header (measured).
package xai
