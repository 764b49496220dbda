package config

import (
	"fmt"
	"strings"
)

// suggest returns a hint for a name that is not one of known: the closest
// known name when one is close, else the list of known names.
func suggest(name string, known []string) string {
	if best := closest(name, known); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(known) == 0 {
		return ""
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
}

// closest returns the known name nearest to name by edit distance
// (ignoring case), or "" when none is near enough to be a likely typo.
func closest(name string, known []string) string {
	best, bestDist := "", -1
	for _, k := range known {
		dist := levenshtein(strings.ToLower(name), strings.ToLower(k))
		if dist > maxTypo(k) {
			continue
		}
		if bestDist < 0 || dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// maxTypo is how many edits a misspelling of name may have.
func maxTypo(name string) int {
	switch n := len(name); {
	case n <= 3:
		return 1
	case n <= 8:
		return 2
	default:
		return 3
	}
}

// levenshtein is the edit distance between a and b.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
