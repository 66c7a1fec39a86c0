package detection

import "sort"

// NMS is non-maximum suppression, class by class: detections are visited by decreasing score
// and each is kept unless it overlaps (IoU > iouThr) a kept detection of the same class and
// image. Of several boxes on one object only the most confident survives. At most maxKeep
// detections are returned (≤ 0: no limit), by decreasing score.
//
// It runs on the host: the engine has no sort (see the package doc).
func NMS(dets []Detection, iouThr float64, maxKeep int) []Detection {
	order := make([]int, len(dets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return dets[order[a]].Score > dets[order[b]].Score })
	var kept []Detection
	for _, i := range order {
		d := dets[i]
		ok := true
		for _, k := range kept {
			if k.Image == d.Image && k.Class == d.Class && IoU(k.Box, d.Box) > iouThr {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, d)
			if maxKeep > 0 && len(kept) == maxKeep {
				break
			}
		}
	}
	return kept
}
