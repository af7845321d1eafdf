package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ossup/ossup/internal/ossxml"
)

// postPolicy is a decoded PostObject policy: when it expires and the
// conditions the form must meet.
type postPolicy struct {
	expiration time.Time
	conds      []postCondition
	// lengthMin and lengthMax bound the file's size in bytes, from a
	// content-length-range condition; lengthMax is -1 without one.
	lengthMin, lengthMax int64
}

// postCondition is one condition on a form field: op is "eq",
// "starts-with", "in" or "not-in"; field is lower-cased, without the '$';
// value is the operand of eq and starts-with, values the list of in and
// not-in. raw is the condition as the policy wrote it, for error messages.
type postCondition struct {
	op, field, value string
	values           []string
	raw              string
}

func invalidPolicy(msg string) error {
	return invalidArgument("policy", "", "Invalid Policy: "+msg)
}

func policyFailed(msg string) error {
	return accessDenied("Invalid according to Policy: " + msg)
}

// parsePolicy decodes the base64 policy field. The policy is a JSON object
// with an ISO 8601 expiration and a conditions array; each condition is
// {"field": "value"} (an exact match), ["eq", "$field", "value"],
// ["starts-with", "$field", "prefix"], ["in", "$field", ["v1", ...]],
// ["not-in", "$field", ["v1", ...]] or ["content-length-range", min, max].
// Anything else is InvalidArgument "Invalid Policy: …".
func parsePolicy(b64 string) (*postPolicy, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, invalidPolicy("the policy is not base64.")
	}
	var doc struct {
		Expiration *string            `json:"expiration"`
		Conditions *[]json.RawMessage `json:"conditions"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, invalidPolicy("the policy is not a JSON object.")
	}
	if doc.Expiration == nil {
		return nil, invalidPolicy("the policy has no expiration.")
	}
	if doc.Conditions == nil {
		return nil, invalidPolicy("the policy has no conditions.")
	}
	p := &postPolicy{lengthMax: -1}
	if p.expiration, err = time.Parse(time.RFC3339Nano, *doc.Expiration); err != nil {
		return nil, invalidPolicy("the expiration is not an ISO 8601 time such as 2030-01-01T12:00:00.000Z.")
	}
	for _, raw := range *doc.Conditions {
		if err := p.addCondition(raw); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *postPolicy) addCondition(raw json.RawMessage) error {
	text := string(bytes.TrimSpace(raw))
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil {
		if len(obj) != 1 {
			return invalidPolicy("a condition object names exactly one field: " + text)
		}
		for k, v := range obj {
			s, ok := v.(string)
			if !ok {
				return invalidPolicy("a condition's value is a string: " + text)
			}
			p.conds = append(p.conds, postCondition{op: "eq", field: strings.ToLower(k), value: s, raw: text})
		}
		return nil
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) != nil || len(arr) != 3 {
		return invalidPolicy("a condition is an object or an array of three: " + text)
	}
	var op string
	if json.Unmarshal(arr[0], &op) != nil {
		return invalidPolicy("a condition's first element is its name: " + text)
	}
	switch op = strings.ToLower(op); op {
	case "content-length-range":
		lo, okLo := policyInt(arr[1])
		hi, okHi := policyInt(arr[2])
		if !okLo || !okHi || lo < 0 || hi < lo {
			return invalidPolicy("content-length-range takes two integers, 0 <= min <= max: " + text)
		}
		p.lengthMin, p.lengthMax = lo, hi
		return nil
	case "eq", "starts-with":
		var field, value string
		if json.Unmarshal(arr[1], &field) != nil || json.Unmarshal(arr[2], &value) != nil || !strings.HasPrefix(field, "$") {
			return invalidPolicy(op + " takes a \"$field\" and a string: " + text)
		}
		p.conds = append(p.conds, postCondition{op: op, field: strings.ToLower(field[1:]), value: value, raw: text})
		return nil
	case "in", "not-in":
		var field string
		var values []string
		if json.Unmarshal(arr[1], &field) != nil || json.Unmarshal(arr[2], &values) != nil || !strings.HasPrefix(field, "$") {
			return invalidPolicy(op + " takes a \"$field\" and a list of strings: " + text)
		}
		p.conds = append(p.conds, postCondition{op: op, field: strings.ToLower(field[1:]), values: values, raw: text})
		return nil
	}
	return invalidPolicy("unknown condition " + strconv.Quote(op) + ".")
}

// policyInt reads an integer written as a JSON number or string.
func policyInt(raw json.RawMessage) (int64, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// check applies the policy to a form, given as lower-cased field names and
// their values, with "bucket" and "key" (after ${filename} is substituted)
// set by the caller. It checks expiration and every eq, starts-with, in
// and not-in condition; content-length-range is applied while the file streams. A
// field a condition names but the form lacks compares as empty.
func (p *postPolicy) check(fields map[string]string, now time.Time) error {
	if !now.Before(p.expiration) {
		return policyFailed("Policy expired.")
	}
	for _, c := range p.conds {
		v := fields[c.field]
		var ok bool
		switch c.op {
		case "eq":
			ok = v == c.value
		case "starts-with":
			ok = strings.HasPrefix(v, c.value)
		case "in":
			ok = slices.Contains(c.values, v)
		case "not-in":
			ok = !slices.Contains(c.values, v)
		}
		if !ok {
			return policyFailed("Policy Condition failed: " + c.raw)
		}
	}
	return nil
}

// requireV4 checks that the policy of a V4-signed form names the fields
// that sign it, so that the signature cannot be moved to another
// credential or date.
func (p *postPolicy) requireV4() error {
	for _, name := range []string{"x-oss-signature-version", "x-oss-credential", "x-oss-date"} {
		found := false
		for _, c := range p.conds {
			if c.field == name && c.op == "eq" {
				found = true
				break
			}
		}
		if !found {
			return policyFailed(fmt.Sprintf("Policy Condition failed: a V4 policy must require %s.", name))
		}
	}
	return nil
}

// lengthError is the error for a file outside content-length-range.
func lengthError(tooLarge bool, p *postPolicy) error {
	var e *apiError
	if tooLarge {
		e = newError(ossxml.CodeEntityTooLarge, fmt.Sprintf("Your proposed upload exceeds the maximum allowed size of %d bytes.", p.lengthMax))
	} else {
		e = newError(ossxml.CodeEntityTooSmall, fmt.Sprintf("Your proposed upload is smaller than the minimum allowed size of %d bytes.", p.lengthMin))
	}
	e.body.EC = "" // the table's EC is the multipart one
	return e
}

// lengthReader enforces a policy's content-length-range on the file as it
// streams: past max it fails instead of reading on, and at the end of a
// file shorter than min it fails instead of reporting io.EOF, so that the
// store never commits an object outside the range.
type lengthReader struct {
	r        io.Reader
	n        int64
	min, max int64 // max -1: no limit
	err      error // the first read error, errTooLarge or errTooSmall included
}

var (
	errTooLarge = errors.New("server: file larger than the policy allows")
	errTooSmall = errors.New("server: file smaller than the policy allows")
)

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.max >= 0 && int64(len(p)) > l.max-l.n+1 {
		p = p[:l.max-l.n+1]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	switch {
	case l.max >= 0 && l.n > l.max:
		n, err = 0, errTooLarge
	case err == io.EOF && l.n < l.min:
		err = errTooSmall
	}
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}
