package register

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// durationStats are the median and the 90th percentile of durations.
type durationStats struct {
	N           int
	Median, P90 time.Duration
}

// summarise returns the median (the mean of the two middle values when n
// is even) and the 90th percentile by the nearest-rank method (the
// smallest value with at least 90% of the values at or below it) of ds.
// It sorts ds.
func summarise(ds []time.Duration) durationStats {
	n := len(ds)
	if n == 0 {
		return durationStats{}
	}
	slices.Sort(ds)
	s := durationStats{N: n}
	if n%2 == 1 {
		s.Median = ds[n/2]
	} else {
		s.Median = ds[n/2-1] + (ds[n/2]-ds[n/2-1])/2
	}
	rank := int(math.Ceil(0.9 * float64(n)))
	s.P90 = ds[rank-1]
	return s
}

// humanDuration writes d for the dashboard: "3 h 20 m", "2 d 4 h",
// "45 m", "< 1 m".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "< 1 m"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " m"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h " + strconv.Itoa(int(d%time.Hour/time.Minute)) + " m"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d " + strconv.Itoa(int(d%(24*time.Hour)/time.Hour)) + " h"
	}
}
