package dora

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// summarise returns the median and 90th percentile of ds.
func summarise(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med, p90 := Percentile(s, 0.5), Percentile(s, 0.9)
	return Durations{
		Samples:       len(s),
		MedianSeconds: med.Seconds(), P90Seconds: p90.Seconds(),
		Median: Human(med), P90: Human(p90),
	}
}

// Percentile returns the p-th percentile (0 ≤ p ≤ 1) of sorted, a sorted
// non-empty slice, interpolating linearly between the nearest samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	rank := p * float64(len(sorted)-1)
	lo := int(math.Floor(rank))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := rank - float64(lo)
	return sorted[lo] + time.Duration(math.Round(frac*float64(sorted[lo+1]-sorted[lo])))
}

// Human renders d shortly with its two largest units, rounded down:
// "45s", "12m5s", "3h4m", "2d3h".
func Human(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return twoUnits(int(d/time.Minute), "m", int(d%time.Minute/time.Second), "s")
	case d < 24*time.Hour:
		return twoUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	day := 24 * time.Hour
	return twoUnits(int(d/day), "d", int(d%day/time.Hour), "h")
}

func twoUnits(a int, au string, b int, bu string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, au)
	}
	return fmt.Sprintf("%d%s%d%s", a, au, b, bu)
}
