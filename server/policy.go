package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Bucket policy (PutBucketPolicy, GetBucketPolicy, DeleteBucketPolicy):
// a JSON document of Allow and Deny statements that every request for the
// bucket is checked against before its ACLs (see authorize). The document
// is kept as sent, as the bucket's config document policyConfig, and
// parsed once when it is put or first needed; the parsed form is cached
// per bucket.

const policyConfig = "policy"

// policyOps are the operations on the policy itself: the bucket owner's
// alone and never subject to the policy, so that no policy can lock the
// owner out of replacing or removing it.
var policyOps = map[string]bool{"PutBucketPolicy": true, "GetBucketPolicy": true, "DeleteBucketPolicy": true}

// bucketPolicy is a parsed policy document.
type bucketPolicy struct {
	statements []policyStatement
}

// policyStatement is one statement. Patterns are matched with glob: '*'
// for any run of characters, '?' for one.
type policyStatement struct {
	deny bool
	// actions are lower-cased patterns, matched against lower-cased
	// action names ("oss:getobject").
	actions []string
	// anyone is Principal "*" (or an empty Principal list, which OSS
	// reads the same way): every caller, anonymous ones included.
	anyone bool
	// accounts are the account IDs the statement names.
	accounts  []string
	resources []policyResource
	// conditions must all hold for the statement to apply.
	conditions []policyCondition
}

// policyResource is the part of a resource ARN after
// "acs:oss:<region>:<account>:", a pattern over "<bucket>" (the bucket
// itself) and "<bucket>/<key>" (its objects).
type policyResource struct {
	pattern string
	// someObject reports that the pattern matches at least one possible
	// object of the bucket, allObjects that it matches every one; they
	// decide requests that name their keys only in their bodies
	// (DeleteMultipleObjects).
	someObject, allObjects bool
}

// policyJSON is the wire form of a policy document.
type policyJSON struct {
	Version   json.RawMessage `json:"Version"`
	Statement []statementJSON `json:"Statement"`
}

type statementJSON struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    stringList                     `json:"Action"`
	Principal *stringList                    `json:"Principal"`
	Resource  stringList                     `json:"Resource"`
	Condition map[string]map[string]jsonList `json:"Condition"`
}

// stringList is a JSON string or array of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or an array of strings")
	}
	*l = many
	return nil
}

// jsonList is a condition's values: a string, boolean or number, or an
// array of them, each kept as its text.
type jsonList []string

func (l *jsonList) UnmarshalJSON(b []byte) error {
	var many []json.RawMessage
	if err := json.Unmarshal(b, &many); err != nil {
		many = []json.RawMessage{b}
	}
	out := make(jsonList, 0, len(many))
	for _, raw := range many {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case bool, float64:
			out = append(out, string(raw))
		default:
			return errors.New("want strings, booleans or numbers")
		}
	}
	*l = out
	return nil
}

func malformedPolicy(msg string) *apiError {
	return newError(ossxml.CodeInvalidPolicyDocument, "Invalid policy: "+msg)
}

// parseBucketPolicy checks a policy document for bucket strictly: anything it
// could not enforce as written is refused, so that no statement is
// silently weaker than it reads.
func parseBucketPolicy(bucket string, data []byte) (*bucketPolicy, error) {
	if len(data) > limits.MaxBucketPolicySize {
		e := malformedPolicy("the policy is larger than 16 KB.")
		e.body.EC = ossxml.ECPolicyTooLarge
		return nil, e
	}
	if !utf8.Valid(data) {
		e := malformedPolicy("the policy is not UTF-8.")
		e.body.EC = ossxml.ECPolicyNotUTF8
		return nil, e
	}
	var doc policyJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, malformedPolicy("the policy is not a valid JSON document: " + err.Error() + ".")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformedPolicy("the policy has data after its JSON document.")
	}
	var version string
	if err := json.Unmarshal(doc.Version, &version); err != nil {
		return nil, malformedPolicy("Version must be the string \"1\".")
	}
	if version != "1" {
		e := malformedPolicy("Version must be \"1\".")
		e.body.EC = ossxml.ECPolicyVersion
		return nil, e
	}
	if len(doc.Statement) == 0 {
		return nil, malformedPolicy("the policy has no Statement.")
	}
	p := &bucketPolicy{statements: make([]policyStatement, 0, len(doc.Statement))}
	for _, sj := range doc.Statement {
		st, err := parseStatement(bucket, sj)
		if err != nil {
			return nil, err
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

func parseStatement(bucket string, sj statementJSON) (policyStatement, error) {
	var st policyStatement
	switch sj.Effect {
	case "Allow":
	case "Deny":
		st.deny = true
	default:
		return st, malformedPolicy("Effect must be Allow or Deny, not " + quote(sj.Effect) + ".")
	}
	if len(sj.Action) == 0 {
		return st, malformedPolicy("a statement has no Action.")
	}
	for _, a := range sj.Action {
		a = strings.ToLower(a)
		if a != "*" && (!strings.HasPrefix(a, "oss:") || len(a) == len("oss:")) {
			return st, malformedPolicy("Action " + quote(a) + " is not an OSS action (oss:<name>).")
		}
		st.actions = append(st.actions, a)
	}
	if sj.Principal == nil {
		return st, malformedPolicy("a statement has no Principal.")
	}
	st.anyone = len(*sj.Principal) == 0
	for _, pr := range *sj.Principal {
		switch {
		case pr == "*":
			st.anyone = true
		case strings.TrimSpace(pr) == "":
			return st, malformedPolicy("a Principal is empty.")
		default:
			st.accounts = append(st.accounts, pr)
		}
	}
	if len(sj.Resource) == 0 {
		return st, malformedPolicy("a statement has no Resource.")
	}
	for _, arn := range sj.Resource {
		res, err := parseResource(bucket, arn)
		if err != nil {
			return st, err
		}
		st.resources = append(st.resources, res)
	}
	conds, err := parseConditions(sj.Condition)
	if err != nil {
		return st, err
	}
	st.conditions = conds
	return st, nil
}

// parseResource reads "acs:oss:<region>:<account>:<bucket>[/<key>]". The
// region and account are not checked: this server has one of each. The
// rest must be able to name this bucket or its objects.
func parseResource(bucket, arn string) (policyResource, error) {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) != 5 || parts[0] != "acs" || parts[1] != "oss" || parts[4] == "" {
		return policyResource{}, malformedPolicy("Resource " + quote(arn) + " is not acs:oss:<region>:<account>:<bucket>[/<key>].")
	}
	pat := parts[4]
	head, _, _ := strings.Cut(pat, "/")
	if !glob(head, bucket) && !glob(pat, bucket) {
		return policyResource{}, malformedPolicy("Resource " + quote(arn) + " is not of bucket " + bucket + ".")
	}
	objects := bucket + "/"
	res := policyResource{pattern: pat, allObjects: strings.HasSuffix(pat, "*") && glob(pat, objects)}
	// Some object matches when a leading part of the pattern matches
	// "<bucket>/": whatever follows it matches some string.
	for i := 0; i <= len(pat) && !res.someObject; i++ {
		res.someObject = glob(pat[:i], objects)
	}
	return res, nil
}

func quote(s string) string { return `"` + s + `"` }

// readPolicy reads a PutBucketPolicy body, checking its Content-MD5 and
// x-oss-content-sha256.
func (s *Server) readPolicy(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := func() error {
		e := malformedPolicy("the policy is larger than 16 KB.")
		e.body.EC = ossxml.ECPolicyTooLarge
		return e
	}
	if r.ContentLength > limits.MaxBucketPolicySize {
		return nil, tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(s.body(w, r), limits.MaxBucketPolicySize+1))
	if isTimeout(err) {
		return nil, newError(ossxml.CodeRequestTimeout, "")
	}
	if err != nil {
		return nil, newError(ossxml.CodeIncompleteBody, "")
	}
	if len(data) > limits.MaxBucketPolicySize {
		return nil, tooLarge()
	}
	sum, err := contentMD5(r)
	if err != nil {
		return nil, err
	}
	if got := md5.Sum(data); sum != nil && !bytes.Equal(sum, got[:]) {
		return nil, newError(ossxml.CodeInvalidDigest, "")
	}
	if err := checkPayload(r, data); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, malformedPolicy("the request has no policy.")
	}
	return data, nil
}

// putBucketPolicy answers PutBucketPolicy: the document replaces the
// bucket's policy once it parses; one that does not leaves the old one.
func (s *Server) putBucketPolicy(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	data, err := s.readPolicy(w, r)
	if err != nil {
		return err
	}
	p, err := parseBucketPolicy(rq.bucket, data)
	if err != nil {
		return err
	}
	s.policies.write.Lock()
	defer s.policies.write.Unlock()
	if err := s.store.PutBucketConfig(ctx, rq.bucket, policyConfig, data); err != nil {
		return storeError(err, rq)
	}
	s.policies.set(rq.b, p)
	w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketPolicy answers GetBucketPolicy with the document as it was put.
func (s *Server) getBucketPolicy(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	doc, err := s.store.GetBucketConfig(ctx, rq.bucket, policyConfig)
	if errors.Is(err, store.ErrNoSuchConfig) {
		e := newError(ossxml.CodeNoSuchBucketPolicy, "")
		e.body.BucketName = rq.bucket
		return e
	}
	if err != nil {
		return storeError(err, rq)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(doc)
	return err
}

// deleteBucketPolicy answers DeleteBucketPolicy; a bucket without a
// policy answers 204 too.
func (s *Server) deleteBucketPolicy(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	s.policies.write.Lock()
	defer s.policies.write.Unlock()
	if err := s.store.DeleteBucketConfig(ctx, rq.bucket, policyConfig); err != nil && !errors.Is(err, store.ErrNoSuchConfig) {
		return storeError(err, rq)
	}
	s.policies.set(rq.b, nil)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sourceAddr is the address a request came from, as the connection says
// (headers such as X-Forwarded-For are not trusted).
func sourceAddr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, err := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap().WithZone(""), err == nil
	}
	return ap.Addr().Unmap().WithZone(""), true
}
