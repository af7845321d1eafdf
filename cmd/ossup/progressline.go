package main

import (
	"strings"
	"unicode"
)

const (
	minBar   = 12 // columns of the narrowest bar worth drawing, brackets included
	maxBar   = 42 // columns of the widest bar
	minLabel = 16 // columns kept for the label before stats or bar take them
)

// fitLine lays out one terminal progress line in at most cols columns:
// prefix and label, a bar when frac is 0 to 1, and the stats. What does
// not fit goes in this order: the bar shrinks, the label is shortened in
// the middle with "…" (the prefix kept when it can be), the bar goes,
// then the stats from the last; whatever is left is cut at cols.
func fitLine(cols int, prefix, label string, frac float64, stats []string) string {
	if cols <= 0 {
		return ""
	}
	head := sanitize(prefix) + sanitize(label)
	keep := min(textWidth(head), minLabel)
	for len(stats) > 1 && textWidth(" "+strings.Join(stats, " "))+keep > cols {
		stats = stats[:len(stats)-1]
	}
	tail := " " + strings.Join(stats, " ")
	rest := cols - textWidth(tail)
	if rest <= 0 {
		return cut(strings.TrimPrefix(tail, " "), cols)
	}
	bar := 0
	switch hw := textWidth(head); {
	case frac < 0:
	case rest >= hw+1+minBar:
		bar = min(rest-hw-1, maxBar)
	case rest >= keep+1+minBar:
		bar = minBar
	}
	if bar > 0 {
		rest -= bar + 1
	}
	line := shorten(sanitize(prefix), sanitize(label), rest)
	if bar > 0 {
		line += " " + drawBar(bar, frac)
	}
	return cut(line+tail, cols)
}

// shorten fits prefix and label in n columns, shortening the label in the
// middle, or both when the prefix alone leaves too little room.
func shorten(prefix, label string, n int) string {
	if pw := textWidth(prefix); pw+minLabel/2 <= n {
		return prefix + middle(label, n-pw)
	}
	return middle(prefix+label, n)
}

// middle shortens s to n columns by replacing its middle with "…".
func middle(s string, n int) string {
	if textWidth(s) <= n {
		return s
	}
	if n <= 1 {
		return strings.Repeat("…", max(n, 0))
	}
	left := cut(s, (n-1)/2)
	rs := []rune(s)
	right, w := len(rs), 0
	for right > 0 && w+runeWidth(rs[right-1]) <= n-1-textWidth(left) {
		right--
		w += runeWidth(rs[right])
	}
	return left + "…" + string(rs[right:])
}

// cut keeps the longest start of s that fits in n columns.
func cut(s string, n int) string {
	w := 0
	for i, r := range s {
		if w += runeWidth(r); w > n {
			return s[:i]
		}
	}
	return s
}

// drawBar draws a bar of n columns, brackets included, frac full.
func drawBar(n int, frac float64) string {
	inner := n - 2
	fill := min(int(frac*float64(inner)), inner)
	b := strings.Repeat("=", fill)
	if fill < inner {
		b += ">" + strings.Repeat(" ", inner-fill-1)
	}
	return "[" + b + "]"
}

// sanitize replaces control characters, which would move the cursor, with "?".
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

func textWidth(s string) int {
	w := 0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is the columns a rune takes: two for the East Asian wide and
// full-width ranges and emoji, one otherwise (a combining mark is counted
// as one, which errs towards a shorter line, never a longer one).
func runeWidth(r rune) int {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1FAFF, r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}
