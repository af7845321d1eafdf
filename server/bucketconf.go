package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// Bucket configurations that are stored, validated and returned but have
// no effect on a single node: logging, website, transfer acceleration,
// request payment, resource group, access monitor and HTTPS (here);
// inventory and replication, which hold several rules, in inventory.go
// and replication.go. Each is kept as the bucket's config document of its
// own name, holding the canonical XML of the checked body.

// maxConfBody caps the body of a Put of one of these configurations, in
// bytes, as maxCORSBody does for CORS.
const maxConfBody = 64 << 10

// bucketConf describes one configuration of a single document.
type bucketConf[T any] struct {
	// name is the configuration's name in the store.
	name string
	// check validates a Put body, normalising it in place; it answers
	// InvalidArgument (or MalformedXML for a missing element the schema
	// requires).
	check func(ctx context.Context, s *Server, rq *request, doc *T) error
	// absent answers a Get when the bucket has none: OSS's default
	// document, or its error.
	absent func(rq *request) (*T, error)
}

// readConf reads and decodes a configuration body of at most maxConfBody
// bytes; an empty, malformed or oversized one is MalformedXML.
func (s *Server) readConf(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength > maxConfBody {
		return newError(ossxml.CodeMalformedXML, "The configuration is larger than 64 KiB.")
	}
	ok, err := s.readXML(w, r, v)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ossxml.CodeMalformedXML, "")
	}
	return nil
}

// loadConf returns the bucket's configuration name, nil when it has none.
func loadConf[T any](ctx context.Context, s *Server, bucket, name string) (*T, error) {
	b, err := s.store.GetBucketConfig(ctx, bucket, name)
	if errors.Is(err, store.ErrNoSuchConfig) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doc := new(T)
	if err := ossxml.Unmarshal(b, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// saveConf stores doc as the bucket's configuration name.
func saveConf(ctx context.Context, s *Server, rq *request, name string, doc any) error {
	b, err := ossxml.Marshal(doc)
	if err != nil {
		return err
	}
	return storeError(s.store.PutBucketConfig(ctx, rq.bucket, name, b), rq)
}

// deleteConf removes the bucket's configuration name, if it has one.
func deleteConf(ctx context.Context, s *Server, rq *request, name string) error {
	err := s.store.DeleteBucketConfig(ctx, rq.bucket, name)
	if err != nil && !errors.Is(err, store.ErrNoSuchConfig) {
		return storeError(err, rq)
	}
	return nil
}

// put answers the configuration's Put: the checked body replaces it.
func (c bucketConf[T]) put(s *Server) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
		doc := new(T)
		if err := s.readConf(w, r, doc); err != nil {
			return err
		}
		if err := c.check(ctx, s, rq, doc); err != nil {
			return err
		}
		if err := saveConf(ctx, s, rq, c.name, doc); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
}

// get answers the configuration's Get: as put, or c.absent's answer.
func (c bucketConf[T]) get(s *Server) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
		doc, err := loadConf[T](ctx, s, rq.bucket, c.name)
		if err != nil {
			return storeError(err, rq)
		}
		if doc == nil {
			if doc, err = c.absent(rq); err != nil {
				return err
			}
		}
		return writeXML(w, doc)
	}
}

// del answers the configuration's Delete: 204, whether or not there was
// one.
func (c bucketConf[T]) del(s *Server) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
		if err := deleteConf(ctx, s, rq, c.name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// missing returns an absent function that answers code, naming the
// bucket.
func missing[T any](code string) func(rq *request) (*T, error) {
	return func(rq *request) (*T, error) {
		e := newError(code, "")
		e.body.BucketName = rq.bucket
		return nil, e
	}
}

// byDefault returns an absent function that answers def.
func byDefault[T any](def func() *T) func(rq *request) (*T, error) {
	return func(*request) (*T, error) { return def(), nil }
}

// oneOf checks that v, the value of element name, is one of allowed; an
// empty v is MalformedXML, as the schema requires the element.
func oneOf(name, v string, allowed ...string) error {
	if v == "" {
		return newError(ossxml.CodeMalformedXML, "The element "+name+" is required.")
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalidArgument(name, v, "The value of "+name+" is not valid.")
}

// required checks that an element the schema requires is present.
func required(name string, present bool) error {
	if !present {
		return newError(ossxml.CodeMalformedXML, "The element "+name+" is required.")
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
