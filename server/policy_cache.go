package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ossup/ossup/server/store"
)

// policyCache holds the parsed policy of each bucket that has been asked
// for (nil for one without), with the creation time of the bucket it was
// read for: a bucket deleted and created again has none until it is put.
// Writes of policies are serialised by write, and each bumps gen, so that
// a reader that loaded the store before a write does not cache what it
// read.
type policyCache struct {
	write sync.Mutex
	mu    sync.Mutex
	gen   uint64
	m     map[string]cachedPolicy
}

type cachedPolicy struct {
	created time.Time
	p       *bucketPolicy
}

func (c *policyCache) lookup(b store.Bucket) (*bucketPolicy, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[b.Name]
	return e.p, c.gen, ok && e.created.Equal(b.Created)
}

// remember caches p for b unless a policy was written since gen.
func (c *policyCache) remember(b store.Bucket, p *bucketPolicy, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil {
		c.m = make(map[string]cachedPolicy)
	}
	c.m[b.Name] = cachedPolicy{created: b.Created, p: p}
}

// set records a write of b's policy: p, or none.
func (c *policyCache) set(b store.Bucket, p *bucketPolicy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if c.m == nil {
		c.m = make(map[string]cachedPolicy)
	}
	c.m[b.Name] = cachedPolicy{created: b.Created, p: p}
}

// forget drops what is cached for a bucket, when it is deleted.
func (c *policyCache) forget(bucket string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, bucket)
}

// bucketPolicy returns b's parsed policy, nil when it has none.
func (s *Server) bucketPolicy(ctx context.Context, b store.Bucket) (*bucketPolicy, error) {
	p, gen, ok := s.policies.lookup(b)
	if ok {
		return p, nil
	}
	doc, err := s.store.GetBucketConfig(ctx, b.Name, policyConfig)
	switch {
	case errors.Is(err, store.ErrNoSuchConfig):
		p = nil
	case err != nil:
		return nil, err
	default:
		if p, err = parseBucketPolicy(b.Name, doc); err != nil {
			// Stored documents were checked when put: this one cannot be
			// enforced, and requests fail rather than go unchecked.
			return nil, errors.New("server: stored policy of bucket " + b.Name + " does not parse: " + err.Error())
		}
	}
	s.policies.remember(b, p, gen)
	return p, nil
}
