package ossxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// ErrUnexpectedRoot is wrapped by the error [Unmarshal] returns when the
// document's root element is not the one the target type describes, for
// example an <Error> body where a <ListBucketResult> was expected.
var ErrUnexpectedRoot = errors.New("ossxml: unexpected root element")

// rooted is implemented by the package's body types; rootName returns the
// local name of the root element that [Unmarshal] requires.
type rooted interface {
	rootName() string
}

// Marshal returns v as XML preceded by the prolog
// `<?xml version="1.0" encoding="UTF-8"?>` and a newline, with no
// indentation.
//
// Characters that XML 1.0 forbids (C0 controls other than tab, newline and
// carriage return, U+FFFE and U+FFFF) are written as character references
// such as &#x0C;, which [Unmarshal] and real OSS accept. Invalid UTF-8 is
// written as U+FFFD, as encoding/xml does.
func Marshal(v any) ([]byte, error) {
	if v == nil {
		return nil, errors.New("ossxml: marshal nil")
	}
	protect := needsProtect(reflect.ValueOf(v))
	if protect {
		v = cloneProtected(reflect.ValueOf(v)).Interface()
	}
	body, err := xml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("ossxml: marshal %T: %w", v, err)
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("ossxml: marshal %T: no element to write", v)
	}
	out := make([]byte, 0, len(xml.Header)+len(body))
	out = append(out, xml.Header...)
	if protect {
		return appendUnprotected(out, body), nil
	}
	return append(out, body...), nil
}

// Unmarshal decodes the XML document data into v, which must be a non-nil
// pointer. On success *v is replaced, not merged: fields absent from data are
// left at their zero values. On error v is left unchanged.
//
// Unmarshal ignores unknown elements, attributes and namespaces, and accepts
// character references to characters XML 1.0 forbids (&#x0C;, &#12;), which
// the SDKs send for control characters in keys, when they are at most 64
// bytes long (longer ones have leading zeros no SDK writes). It returns an error wrapping
// [ErrUnexpectedRoot] when v is one of this package's types and the root
// element has another name, and an error for malformed XML, an empty
// document or data after the root element. Unmarshal does not limit the size
// of data; callers limit the body they read.
func Unmarshal(data []byte, v any) error {
	if c, ok := v.(*CompleteMultipartUpload); ok && c != nil {
		if got, ok := decodeCompleteFast(data); ok {
			*c = got
			return nil
		}
	}
	return unmarshal(data, v)
}

// unmarshal is Unmarshal through encoding/xml, for every document.
func unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("ossxml: unmarshal needs a non-nil pointer, got %T", v)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	pre, protected := protectRefs(data)
	d := xml.NewDecoder(bytes.NewReader(pre))
	start, err := rootElement(d)
	if err != nil {
		return err
	}
	if r, ok := v.(rooted); ok && start.Name.Local != r.rootName() {
		return fmt.Errorf("%w: got <%s>, want <%s>", ErrUnexpectedRoot, start.Name.Local, r.rootName())
	}
	fresh := reflect.New(rv.Elem().Type())
	if err := d.DecodeElement(fresh.Interface(), &start); err != nil {
		return fmt.Errorf("ossxml: decode <%s>: %w", start.Name.Local, err)
	}
	if err := checkTrailer(d); err != nil {
		return err
	}
	if protected {
		restoreValue(fresh.Elem())
	}
	rv.Elem().Set(fresh.Elem())
	return nil
}

// rootElement reads up to and including the root start element, allowing only
// the prolog, comments, processing instructions, directives and whitespace
// before it.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return xml.StartElement{}, errors.New("ossxml: empty document")
		}
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("ossxml: malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return xml.StartElement{}, errors.New("ossxml: malformed XML: text before the root element")
			}
		case xml.EndElement:
			return xml.StartElement{}, errors.New("ossxml: malformed XML: end element before the root element")
		}
	}
}

// checkTrailer reads the rest of the document after the root element and
// reports anything but whitespace, comments and processing instructions.
func checkTrailer(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ossxml: malformed XML after the root element: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return errors.New("ossxml: malformed XML: text after the root element")
			}
		case xml.StartElement, xml.EndElement:
			return errors.New("ossxml: malformed XML: element after the root element")
		}
	}
}
