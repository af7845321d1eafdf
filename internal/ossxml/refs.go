package ossxml

import (
	"bytes"
	"errors"
	"io"
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

// protectRefs rewrites character references (of at most maxCharRef bytes)
// to forbidden characters and to the marker, and every literal marker, into
// the escape. Inside CDATA
// sections references are literal text, so there only markers are escaped;
// comments and processing instructions are copied as they are. It reports
// whether it rewrote anything.
func protectRefs(data []byte) ([]byte, bool) {
	if !bytes.Contains(data, []byte("&#")) && !bytes.Contains(data, []byte(markerStr)) {
		return data, false
	}
	var p protector
	out, _ := p.step(make([]byte, 0, len(data)+16), data, true)
	if !p.changed {
		return data, false
	}
	return out, true
}

// maxCharRef is the longest character reference protectRefs rewrites,
// so that a streaming [protector] need never hold more of a document to
// decide. A longer one (only leading zeros make one that long) is left as
// it is, and encoding/xml rejects it if it names a forbidden character.
const maxCharRef = 64

// protector does the work of protectRefs piece by piece, so that a document
// can be protected as it streams in. It remembers whether it is inside a
// CDATA section, comment or processing instruction between pieces.
type protector struct {
	end     string // inside a section: the text that ends it
	cdata   bool   // the section is CDATA, whose markers are escaped
	changed bool   // step has rewritten something
}

// sectionOpeners are the starts of the sections whose content is not
// markup, with the text that ends each.
var sectionOpeners = []struct{ open, end string }{
	{"<![CDATA[", "]]>"},
	{"<!--", "-->"},
	{"<?", "?>"},
}

// step appends the protected form of a prefix of src to dst and returns
// dst and the length of that prefix. It consumes everything when atEOF;
// otherwise it leaves at most maxCharRef bytes it cannot decide on yet,
// which the caller passes again, followed by more input.
func (p *protector) step(dst, src []byte, atEOF bool) ([]byte, int) {
	mark := []byte(markerStr)
	i := 0
	for i < len(src) {
		if p.end != "" {
			n, done := p.section(src[i:], atEOF)
			if n == 0 && !done {
				break
			}
			dst = p.appendSection(dst, src[i:i+n])
			i += n
			if !done {
				break
			}
			p.end = ""
			continue
		}
		rest := src[i:]
		switch rest[0] {
		case '<':
			open, more := p.opener(rest, atEOF)
			if more {
				return dst, i
			}
			if open {
				// The '<' alone is consumed: no end text starts with it,
				// and the end of "<!-->" or "<?>" overlaps the opener.
				dst = append(dst, '<')
				i++
				continue
			}
		case '&':
			r, n, more := parseCharRef(rest[:min(len(rest), maxCharRef)])
			if more && !atEOF && len(rest) < maxCharRef {
				return dst, i
			}
			if n > 0 && (forbidden(r) || r == marker) {
				dst = appendEscape(dst, r)
				p.changed = true
				i += n
				continue
			}
		case mark[0]:
			if bytes.HasPrefix(rest, mark) {
				dst = appendEscape(dst, marker)
				p.changed = true
				i += len(mark)
				continue
			}
			if !atEOF && len(rest) < len(mark) && bytes.HasPrefix(mark, rest) {
				return dst, i
			}
		}
		// Copy up to the next byte that can start anything above.
		j := i + 1
		for j < len(src) && src[j] != '<' && src[j] != '&' && src[j] != mark[0] {
			j++
		}
		dst = append(dst, src[i:j]...)
		i = j
	}
	return dst, i
}

// opener reports whether rest starts a section, entering it if so, or that
// more input is needed to tell.
func (p *protector) opener(rest []byte, atEOF bool) (open, more bool) {
	for _, o := range sectionOpeners {
		if bytes.HasPrefix(rest, []byte(o.open)) {
			p.end, p.cdata = o.end, o.open == "<![CDATA["
			return true, false
		}
		if !atEOF && len(rest) < len(o.open) && bytes.HasPrefix([]byte(o.open), rest) {
			return false, true
		}
	}
	return false, false
}

// section returns how much of b belongs to the current section and whether
// the section ends there. Short of the end it keeps back the bytes that may
// begin the end text or a marker split between pieces.
func (p *protector) section(b []byte, atEOF bool) (n int, done bool) {
	if k := bytes.Index(b, []byte(p.end)); k >= 0 {
		return k + len(p.end), true
	}
	if atEOF {
		return len(b), false
	}
	n = max(len(b)-(len(markerStr)-1), 0)
	// Leave a marker that straddles n whole for the next piece.
	for k := n - 1; k >= 0 && k > n-len(markerStr); k-- {
		if bytes.HasPrefix(b[k:], []byte(markerStr)) {
			return k, false
		}
	}
	return n, false
}

// appendSection appends section text, escaping markers inside CDATA.
func (p *protector) appendSection(dst, b []byte) []byte {
	if !p.cdata || !bytes.Contains(b, []byte(markerStr)) {
		return append(dst, b...)
	}
	p.changed = true
	return append(dst, bytes.ReplaceAll(b, []byte(markerStr), []byte(markerStr+";"))...)
}

// protectReader protects a document as it is read (see protectRefs),
// holding a fixed amount of it at a time.
type protectReader struct {
	r   io.Reader
	p   protector
	in  []byte // read and not yet protected
	out []byte // protected and not yet returned: out[off:]
	off int
	eof bool
}

// newProtectReader returns a reader of r's content protected as
// protectRefs protects a whole document.
func newProtectReader(r io.Reader) *protectReader {
	return &protectReader{r: r, in: make([]byte, 0, 16<<10), out: make([]byte, 0, 16<<10)}
}

func (pr *protectReader) Read(b []byte) (int, error) {
	for pr.off == len(pr.out) {
		if pr.eof && len(pr.in) == 0 {
			return 0, io.EOF
		}
		if !pr.eof {
			n, err := pr.r.Read(pr.in[len(pr.in):cap(pr.in)])
			pr.in = pr.in[:len(pr.in)+n]
			if errors.Is(err, io.EOF) {
				pr.eof = true
			} else if err != nil {
				return 0, err
			}
		}
		var n int
		pr.out, n = pr.p.step(pr.out[:0], pr.in, pr.eof)
		pr.off = 0
		pr.in = pr.in[:copy(pr.in, pr.in[n:])]
	}
	n := copy(b, pr.out[pr.off:])
	pr.off += n
	return n, nil
}

// parseCharRef parses a character reference (&#123; or &#x7B;) at the start
// of b and returns its rune and length, or n == 0 if b does not start with a
// well-formed reference to a code point at most U+10FFFF. more reports that
// b ends inside what may still become a reference.
func parseCharRef(b []byte) (r rune, n int, more bool) {
	if len(b) < 2 || b[1] != '#' {
		return 0, 0, len(b) < 2
	}
	i, base := 2, 10
	if len(b) > i && b[i] == 'x' {
		i, base = 3, 16
	}
	var v int64
	digits := 0
	for ; i < len(b) && b[i] != ';'; i++ {
		d := hexVal(b[i])
		if d < 0 || d >= base {
			return 0, 0, false
		}
		v = v*int64(base) + int64(d)
		if v > utf8.MaxRune {
			return 0, 0, false
		}
		digits++
	}
	if i == len(b) {
		return 0, 0, true
	}
	if digits == 0 {
		return 0, 0, false
	}
	return rune(v), i + 1, false
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
