package ossxml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// ErrTooManyObjects is wrapped by the error [DecodeDelete] returns when a
// document names more objects than allowed.
var ErrTooManyObjects = errors.New("ossxml: too many objects")

// DecodeDelete decodes a [Delete] document as it reads it from r, building
// at most max entries: it fails with an error wrapping [ErrTooManyObjects]
// as soon as the object after the max-th begins, without reading further.
// Otherwise it accepts and rejects what [Unmarshal] does, and it reads r to
// its end before it returns a document.
//
// Errors from r are returned as they are (wrapped); everything else is a
// malformed or unexpected document.
func DecodeDelete(r io.Reader, max int) (*Delete, error) {
	br := bufio.NewReaderSize(r, 4<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	d := xml.NewDecoder(newProtectReader(br))
	start, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	if start.Name.Local != (Delete{}).rootName() {
		return nil, fmt.Errorf("%w: got <%s>, want <Delete>", ErrUnexpectedRoot, start.Name.Local)
	}
	del := &Delete{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("ossxml: decode <Delete>: %w", err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if err := checkTrailer(d); err != nil {
				return nil, err
			}
			return del, nil
		case xml.StartElement:
			if err := decodeDeleteChild(d, t, del, max); err != nil {
				return nil, err
			}
		}
	}
}

// decodeDeleteChild decodes one child element of <Delete> into del.
func decodeDeleteChild(d *xml.Decoder, t xml.StartElement, del *Delete, max int) error {
	var err error
	switch t.Name.Local {
	case "Object":
		if len(del.Objects) >= max {
			return fmt.Errorf("%w: more than %d", ErrTooManyObjects, max)
		}
		var o DeleteObject
		if err = d.DecodeElement(&o, &t); err == nil {
			restoreValue(reflect.ValueOf(&o).Elem())
			del.Objects = append(del.Objects, o)
		}
	case "Quiet":
		err = d.DecodeElement(&del.Quiet, &t)
	default:
		err = d.Skip()
	}
	if err != nil {
		return fmt.Errorf("ossxml: decode <Delete>: %w", err)
	}
	return nil
}
