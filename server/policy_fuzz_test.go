package server

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// FuzzPolicy parses arbitrary documents as a bucket policy and evaluates
// what parses against requests of every kind: parsing refuses or accepts
// without panicking, an accepted policy evaluates without panicking and
// quickly, and a Deny it gives a request never turns into an Allow when
// the request asks for one more action.
func FuzzPolicy(f *testing.F) {
	for _, s := range []string{
		policyDoc(`{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:b/*"]}`),
		policyDoc(`{"Effect":"Allow","Action":["oss:*"],"Principal":["other-account"],"Resource":["acs:oss:*:*:b/x?y*"],"Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","::ffff:127.0.0.0/104"]}}}`),
		policyDoc(`{"Effect":"Deny","Action":["oss:Get*","oss:DeleteObjectVersion"],"Principal":["*"],"Resource":["acs:oss:*:*:b","acs:oss:*:*:b/*"],"Condition":{"StringLike":{"acs:UserAgent":["*curl*"]},"Bool":{"acs:SecureTransport":["false"]}}}`),
		`{"Version":"1","Statement":[]}`, `{`, `null`,
	} {
		f.Add(s, "a/b", "curl/8", "127.0.0.1")
	}
	f.Fuzz(func(t *testing.T, doc, key, agent, ip string) {
		p, err := parseBucketPolicy("b", []byte(doc))
		if err != nil {
			return
		}
		addr, aerr := netip.ParseAddr(ip)
		for _, anon := range []bool{true, false} {
			for _, actions := range [][]string{{"oss:getobject"}, {"oss:getobject", "oss:getobjectversion"}, {"oss:deleteobject"}} {
				pr := policyRequest{actions: actions, resource: "b/" + key, anonymous: anon, account: "other-account",
					cond: conditionContext{sourceIP: addr, hasIP: aerr == nil, userAgent: agent, referer: strings.Repeat(agent, 2)}}
				start := time.Now()
				v := p.evaluate(pr)
				if d := time.Since(start); d > time.Second {
					t.Fatalf("evaluation took %v", d)
				}
				if v == policyDeny {
					more := pr
					more.actions = append(append([]string(nil), actions...), "oss:putobject")
					if p.evaluate(more) != policyDeny {
						t.Fatalf("a Deny of %v is not one of %v", actions, more.actions)
					}
				}
			}
		}
	})
}
