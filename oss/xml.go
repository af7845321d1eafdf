package oss

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
)

// maxXMLResponse caps the XML answers read into memory.
const maxXMLResponse = 64 << 20

// doXML sends op with in (if not nil) as its XML body, with Content-MD5,
// decodes the answer into out (if not nil) and returns its request id.
func (c *Client) doXML(ctx context.Context, op *operation, in, out any) (requestID string, err error) {
	resp, err := c.doXMLResponse(ctx, op, in)
	if err != nil {
		return "", err
	}
	return decodeXMLBody(op, resp, out)
}

// decodeXMLBody reads the XML body of a successful response into out (if
// not nil), closes it and returns the response's request id.
func decodeXMLBody(op *operation, resp *http.Response, out any) (requestID string, err error) {
	defer resp.Body.Close()
	requestID = resp.Header.Get("x-oss-request-id")
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return requestID, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxXMLResponse))
	if err != nil {
		return "", op.wrap(fmt.Errorf("read response: %w", err))
	}
	if err := ossxml.Unmarshal(data, out); err != nil {
		return "", op.wrap(fmt.Errorf("decode response (request id %s): %w", requestID, err))
	}
	return requestID, nil
}

// doXMLResponse sends op with in (if not nil) as its XML body, with
// Content-MD5, and returns the successful response.
func (c *Client) doXMLResponse(ctx context.Context, op *operation, in any) (*http.Response, error) {
	if in != nil {
		b, err := ossxml.Marshal(in)
		if err != nil {
			return nil, op.wrap(err)
		}
		sum := md5.Sum(b)
		if op.header == nil {
			op.header = http.Header{}
		}
		op.header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		op.header.Set("Content-Type", "application/xml")
		op.body, op.size = bytes.NewReader(b), int64(len(b))
	}
	return c.do(ctx, op)
}
