package server

import (
	"net/netip"
	"slices"
	"strings"
)

// condOp is a condition operator.
type condOp int

const (
	condStringEquals condOp = iota
	condStringEqualsIgnoreCase
	condStringLike
	condIPAddress
	condBool
)

// condOperators are the operators implemented, by name, with whether each
// negates its match.
var condOperators = map[string]struct {
	op     condOp
	negate bool
}{
	"StringEquals":              {condStringEquals, false},
	"StringNotEquals":           {condStringEquals, true},
	"StringEqualsIgnoreCase":    {condStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {condStringEqualsIgnoreCase, true},
	"StringLike":                {condStringLike, false},
	"StringNotLike":             {condStringLike, true},
	"IpAddress":                 {condIPAddress, false},
	"NotIpAddress":              {condIPAddress, true},
	"Bool":                      {condBool, false},
}

// condKeys are the condition keys implemented, lower-cased, with the
// family of operators each takes.
var condKeys = map[string]condOp{
	"acs:sourceip":        condIPAddress,
	"acs:securetransport": condBool,
	"acs:useragent":       condStringEquals,
	"acs:referer":         condStringEquals,
	"oss:prefix":          condStringEquals,
	"oss:delimiter":       condStringEquals,
}

// policyCondition is one key of one operator: it holds when the request's
// value for key matches one of values (or, negated, none of them).
type policyCondition struct {
	op       condOp
	negate   bool
	key      string // lower case
	values   []string
	prefixes []netip.Prefix // for condIPAddress
}

// parseConditions reads a statement's Condition block. An operator or key
// this server cannot evaluate is refused rather than ignored: ignoring it
// would widen an Allow or narrow a Deny.
func parseConditions(block map[string]map[string]jsonList) ([]policyCondition, error) {
	var out []policyCondition
	for name, keys := range block {
		o, ok := condOperators[name]
		if !ok {
			return nil, malformedPolicy("condition operator " + quote(name) + " is not supported.")
		}
		for key, values := range keys {
			lk := strings.ToLower(key)
			family, ok := condKeys[lk]
			if !ok {
				return nil, malformedPolicy("condition key " + quote(key) + " is not supported.")
			}
			stringOp := o.op == condStringEqualsIgnoreCase || o.op == condStringLike
			if family != o.op && (family != condStringEquals || !stringOp) {
				return nil, malformedPolicy("condition key " + quote(key) + " does not take " + name + ".")
			}
			if len(values) == 0 {
				return nil, malformedPolicy("condition key " + quote(key) + " has no value.")
			}
			c := policyCondition{op: o.op, negate: o.negate, key: lk, values: values}
			if err := c.check(); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// maxConditionValue bounds a condition value, in bytes, so that matching
// one against a request's longest header stays cheap.
const maxConditionValue = 1024

// check validates the values of a condition: their length, and those of
// an IP or Bool condition.
func (c *policyCondition) check() error {
	for _, v := range c.values {
		if len(v) > maxConditionValue {
			return malformedPolicy("A condition value is longer than 1024 bytes.")
		}
		switch c.op {
		case condIPAddress:
			p, err := netip.ParsePrefix(v)
			if err != nil {
				a, aerr := netip.ParseAddr(v)
				if aerr != nil {
					return malformedPolicy(quote(v) + " is not an IP address or CIDR range.")
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
				// Source addresses are unmapped: so are ranges of them.
				p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
			}
			c.prefixes = append(c.prefixes, p.Masked())
		case condBool:
			if v != "true" && v != "false" {
				return malformedPolicy("Bool takes true or false, not " + quote(v) + ".")
			}
		}
	}
	return nil
}

// holds reports whether every condition holds for a request.
func (st *policyStatement) holds(cc conditionContext) bool {
	for i := range st.conditions {
		if !st.conditions[i].holds(cc) {
			return false
		}
	}
	return true
}

// holds evaluates one condition. A key the request does not have makes a
// positive operator false and a negated one true, as in other policy
// languages: "StringNotEquals oss:Prefix" says nothing of a GetObject.
func (c *policyCondition) holds(cc conditionContext) bool {
	v, ok := cc.value(c.key)
	if !ok {
		return c.negate
	}
	return c.matches(cc, v) != c.negate
}

func (c *policyCondition) matches(cc conditionContext, v string) bool {
	switch c.op {
	case condIPAddress:
		return slices.ContainsFunc(c.prefixes, func(p netip.Prefix) bool { return p.Contains(cc.sourceIP) })
	case condBool:
		return slices.Contains(c.values, v)
	case condStringEqualsIgnoreCase:
		return slices.ContainsFunc(c.values, func(w string) bool { return strings.EqualFold(w, v) })
	case condStringLike:
		return slices.ContainsFunc(c.values, func(w string) bool { return glob(w, v) })
	}
	return slices.Contains(c.values, v)
}

// value is the request's value for a condition key, false when it has
// none.
func (cc conditionContext) value(key string) (string, bool) {
	switch key {
	case "acs:sourceip":
		return cc.sourceIP.String(), cc.hasIP
	case "acs:securetransport":
		if cc.secure {
			return "true", true
		}
		return "false", true
	case "acs:useragent":
		return cc.userAgent, cc.userAgent != ""
	case "acs:referer":
		return cc.referer, cc.referer != ""
	case "oss:prefix":
		return cc.prefix, cc.listing
	case "oss:delimiter":
		return cc.delimiter, cc.listing
	}
	return "", false
}
