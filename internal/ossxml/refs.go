package ossxml

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// encoding/xml rejects characters XML 1.0 forbids, both raw and as character
// references, and replaces them with U+FFFD when encoding. To carry them
// anyway this file uses an escape that survives encoding/xml untouched:
//
//	marker ";"          a genuine marker rune
//	marker HEX ";"      the rune with that uppercase hexadecimal code point
//
// The marker is a private-use rune that XML allows. Because every genuine
// marker is escaped too, the scheme cannot collide with real data. Unmarshal
// rewrites references (and genuine markers) into the escape before decoding
// and restores every decoded string afterwards; Marshal escapes strings in a
// copy of the value and turns the escapes into references in the output.
const (
	marker    = '\U0010FFFD'
	markerStr = string(marker)
)

// forbidden reports whether XML 1.0 forbids r as a character, so that it can
// only travel as a character reference (which encoding/xml still rejects).
// Surrogates are left out: no valid Go string holds them.
func forbidden(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF
}

// protectRefs rewrites character references to forbidden characters and to
// the marker, and every literal marker, into the escape. Inside CDATA
// sections references are literal text, so there only markers are escaped;
// comments and processing instructions are copied as they are. It reports
// whether it rewrote anything.
func protectRefs(data []byte) ([]byte, bool) {
	mark := []byte(markerStr)
	if !bytes.Contains(data, []byte("&#")) && !bytes.Contains(data, mark) {
		return data, false
	}
	out := make([]byte, 0, len(data)+16)
	changed := false
	for i := 0; i < len(data); {
		rest := data[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			n := skipPast(rest, "]]>")
			section := rest[:n]
			if bytes.Contains(section, mark) {
				section = bytes.ReplaceAll(section, mark, []byte(markerStr+";"))
				changed = true
			}
			out = append(out, section...)
			i += n
		case bytes.HasPrefix(rest, []byte("<!--")):
			n := skipPast(rest, "-->")
			out = append(out, rest[:n]...)
			i += n
		case bytes.HasPrefix(rest, []byte("<?")):
			n := skipPast(rest, "?>")
			out = append(out, rest[:n]...)
			i += n
		case bytes.HasPrefix(rest, mark):
			out = appendEscape(out, marker)
			changed = true
			i += len(mark)
		case bytes.HasPrefix(rest, []byte("&#")):
			r, n := parseCharRef(rest)
			if n > 0 && (forbidden(r) || r == marker) {
				out = appendEscape(out, r)
				changed = true
				i += n
				continue
			}
			out = append(out, '&')
			i++
		default:
			// Copy up to the next byte that can start anything above.
			j := i + 1
			for j < len(data) && data[j] != '<' && data[j] != '&' && data[j] != mark[0] {
				j++
			}
			out = append(out, data[i:j]...)
			i = j
		}
	}
	if !changed {
		return data, false
	}
	return out, true
}

// skipPast returns the length of b up to and including the first end, or
// len(b) if end does not occur.
func skipPast(b []byte, end string) int {
	if i := bytes.Index(b, []byte(end)); i >= 0 {
		return i + len(end)
	}
	return len(b)
}

// parseCharRef parses a character reference (&#123; or &#x7B;) at the start
// of b and returns its rune and length, or n == 0 if b does not start with a
// well-formed reference to a code point at most U+10FFFF.
func parseCharRef(b []byte) (r rune, n int) {
	i, base := 2, 10
	if len(b) > i && b[i] == 'x' {
		i, base = 3, 16
	}
	var v int64
	digits := 0
	for ; i < len(b) && b[i] != ';'; i++ {
		d := hexVal(b[i])
		if d < 0 || d >= base {
			return 0, 0
		}
		v = v*int64(base) + int64(d)
		if v > utf8.MaxRune {
			return 0, 0
		}
		digits++
	}
	if i == len(b) || digits == 0 {
		return 0, 0
	}
	return rune(v), i + 1
}

// hexVal returns the value of the hexadecimal digit c, or -1.
func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendEscape appends the escape of r: marker ";" for the marker itself,
// marker HEX ";" for anything else.
func appendEscape(b []byte, r rune) []byte {
	b = append(b, markerStr...)
	if r != marker {
		b = appendHex(b, r)
	}
	return append(b, ';')
}

// appendHex appends r in uppercase hexadecimal, at least two digits.
func appendHex(b []byte, r rune) []byte {
	if r < 0x10 {
		b = append(b, '0')
	}
	return append(b, strings.ToUpper(strconv.FormatInt(int64(r), 16))...)
}

// readEscape parses the escape that follows a marker at the start of s and
// returns the rune it stands for and the length of the escape after the
// marker, or n == 0 if s does not start with one.
func readEscape(s string) (r rune, n int) {
	end := strings.IndexByte(s, ';')
	if end < 0 || end > 8 {
		return 0, 0
	}
	if end == 0 {
		return marker, 1
	}
	v, err := strconv.ParseUint(s[:end], 16, 32)
	if err != nil || strings.ToUpper(s[:end]) != s[:end] || !forbidden(rune(v)) {
		return 0, 0
	}
	return rune(v), end + 1
}

// unprotect replaces every escape in s with the rune it stands for.
func unprotect(s string) string {
	if !strings.ContainsRune(s, marker) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexRune(s, marker)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i+len(markerStr):]
		r, n := readEscape(s[:min(len(s), 9)])
		if n == 0 {
			b.WriteRune(marker)
			continue
		}
		b.WriteRune(r)
		s = s[n:]
	}
}

// protect returns s with every marker and forbidden rune replaced by its
// escape.
func protect(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == marker || forbidden(r):
			if b == nil {
				b = append(make([]byte, 0, len(s)+8), s[:i]...)
			}
			b = appendEscape(b, r)
		case b != nil:
			b = append(b, s[i:i+w]...)
		}
		i += w
	}
	if b == nil {
		return s
	}
	return string(b)
}

// appendUnprotected appends body to out with every escape turned back into
// output XML: a genuine marker as itself, anything else as a hexadecimal
// character reference.
func appendUnprotected(out, body []byte) []byte {
	mark := []byte(markerStr)
	for {
		i := bytes.Index(body, mark)
		if i < 0 {
			return append(out, body...)
		}
		out = append(out, body[:i]...)
		body = body[i+len(mark):]
		r, n := readEscape(string(body[:min(len(body), 9)]))
		switch {
		case n == 0 || r == marker:
			out = append(out, mark...)
		default:
			out = append(out, "&#x"...)
			out = append(out, body[:n]...)
		}
		body = body[n:]
	}
}
