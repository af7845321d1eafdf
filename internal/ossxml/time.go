package ossxml

import (
	"bytes"
	"fmt"
	"time"
)

// TimeLayout is the layout of timestamps in OSS XML bodies (LastModified,
// Initiated, CreationDate): UTC with milliseconds.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Time is a [time.Time] that marshals as [TimeLayout] (UTC, millisecond
// precision; finer digits are truncated) and unmarshals any RFC 3339
// timestamp, with or without a fractional second. The zero Time marshals as
// 0001-01-01T00:00:00.000Z: OSS never sends an empty time element, and both
// SDKs fail to parse one.
type Time struct{ time.Time }

// MarshalText implements [encoding.TextMarshaler]. It fails for years
// outside 0000–9999, which the layout cannot represent.
func (t Time) MarshalText() ([]byte, error) {
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("ossxml: time %v: year %d outside 0000-9999", t.Time, y)
	}
	return u.AppendFormat(make([]byte, 0, len(TimeLayout)), TimeLayout), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It accepts RFC 3339
// with or without a fractional second and with any zone offset, ignores
// surrounding whitespace, and stores the instant in UTC. Empty text is an
// error.
func (t *Time) UnmarshalText(text []byte) error {
	s := string(bytes.TrimSpace(text))
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("ossxml: time %q is not RFC 3339", s)
	}
	t.Time = p.UTC()
	return nil
}
