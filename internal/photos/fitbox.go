package photos

import "math"

// ThumbSize is the 160-pixel box thumbnails fit in.
const ThumbSize = 160

// fitBox is the size PIL's Image.thumbnail((box, box)) gives a w×h image:
// aspect kept, never enlarged, the rounded side chosen to keep the aspect closest.
func fitBox(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	aspect := float64(w) / float64(h)
	x, y := box, box
	roundAspect := func(v float64, key func(float64) float64) int {
		lo, hi := math.Floor(v), math.Ceil(v)
		best := lo
		if key(hi) < key(lo) {
			best = hi
		}
		if best < 1 {
			best = 1
		}
		return int(best)
	}
	if float64(x)/float64(y) >= aspect {
		x = roundAspect(float64(y)*aspect, func(n float64) float64 { return math.Abs(aspect - n/float64(y)) })
	} else {
		y = roundAspect(float64(x)/aspect, func(n float64) float64 {
			if n == 0 {
				return 0
			}
			return math.Abs(aspect - float64(x)/n)
		})
	}
	return x, y
}
