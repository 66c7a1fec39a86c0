// Package detection is lesson 07 of dl4go: object detection and semantic segmentation
// (物体検知と SS) on the synthetic shapes of package data/shapes.
package detection
