package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ossup/ossup/internal/limits"
	"github.com/ossup/ossup/internal/ossxml"
	"github.com/ossup/ossup/server/store"
)

// MaxPartNumber is the highest part number of a multipart upload.
const MaxPartNumber = limits.MaxPartNumber

func (s *Server) initiateUpload(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	enc, err := encodingURL(rq)
	if err != nil {
		return err
	}
	meta, err := s.objectMetadata(ctx, r, rq)
	if err != nil {
		return err
	}
	if forbidOverwrite(r) {
		if _, err := s.store.HeadObject(ctx, rq.bucket, rq.key); err == nil {
			return newError(ossxml.CodeFileAlreadyExists, "")
		}
	}
	up, err := s.store.CreateUpload(ctx, rq.bucket, rq.key, meta)
	if err != nil {
		return storeError(err, rq)
	}
	if alg := r.Header.Get("x-amz-checksum-algorithm"); alg != "" && requestDialect(r) == dialectS3 {
		// Every part and object gets its CRC-64/NVME; the parts' checksums
		// in the algorithm asked for are checked as they arrive.
		w.Header().Set("x-amz-checksum-algorithm", alg)
		w.Header().Set("x-amz-checksum-type", cmp.Or(r.Header.Get("x-amz-checksum-type"), "COMPOSITE"))
	}
	res := ossxml.InitiateMultipartUploadResult{Bucket: rq.bucket, Key: rq.key, UploadID: up.ID}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

func partNumber(rq *request) (int, error) {
	v := rq.query.Get("partNumber")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPartNumber {
		return 0, invalidArgument("PartNumber", v, "Part number must be an integer between 1 and 10000, inclusive.")
	}
	return n, nil
}

func (s *Server) uploadPart(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	n, err := partNumber(rq)
	if err != nil {
		return err
	}
	id := rq.query.Get("uploadId")
	if id == "" {
		return invalidArgument("uploadId", "", "The uploadId parameter is required.")
	}
	body, size, err := s.sizedBody(w, r, rq)
	if err != nil {
		return err
	}
	sum, err := contentMD5(r)
	if err != nil {
		return err
	}
	part, err := s.store.PutPart(ctx, rq.bucket, rq.key, id, n, body, size, sum)
	if err != nil {
		return storeError(err, rq)
	}
	setWriteHeaders(w.Header(), part.ETag, etagMD5(part.ETag), part.CRC64)
	setS3NVME(w.Header(), r, part.CRC64NVME, part.HasNVME, false)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) completeUpload(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	enc, err := encodingURL(rq)
	if err != nil {
		return err
	}
	id := rq.query.Get("uploadId")
	if _, err := s.store.GetUpload(ctx, rq.bucket, rq.key, id); err != nil {
		return storeError(err, rq)
	}
	acl, err := objectACL(r)
	if err != nil {
		return err
	}
	cb, err := parseCallback(r, rq)
	if err != nil {
		return err
	}
	var body ossxml.CompleteMultipartUpload
	hasBody, err := s.readXML(w, r, &body)
	if err != nil {
		return err
	}
	var parts []store.CompletePart
	if strings.EqualFold(r.Header.Get("x-oss-complete-all"), "yes") {
		if hasBody {
			e := invalidArgument("x-oss-complete-all", "yes", ossxml.MessageCompleteAllWithBody)
			e.body.EC = ossxml.ECCompleteAllWithBody
			return e
		}
	} else {
		if !hasBody {
			return newError(ossxml.CodeMalformedXML, "")
		}
		// A well-formed empty list completes a 0-byte object, as OSS does.
		parts = make([]store.CompletePart, 0, len(body.Parts))
		for _, p := range body.Parts {
			if p.PartNumber < 1 || p.PartNumber > MaxPartNumber {
				return invalidArgument("PartNumber", strconv.Itoa(p.PartNumber), "Part number must be an integer between 1 and 10000, inclusive.")
			}
			cp := store.CompletePart{Number: p.PartNumber, ETag: p.ETag}
			if p.ChecksumCRC64NVME != "" {
				v, err := parseNVME(p.ChecksumCRC64NVME, "ChecksumCRC64NVME")
				if err != nil {
					return err
				}
				cp.CRC64NVME = &v
			}
			parts = append(parts, cp)
		}
	}
	opts := store.PutOptions{ForbidOverwrite: forbidOverwrite(r)}
	if v := r.Header.Get("x-amz-checksum-crc64nvme"); v != "" && requestDialect(r) == dialectS3 {
		// The whole object's checksum (FULL_OBJECT), checked before it
		// is committed.
		nvme, err := parseNVME(v, "x-amz-checksum-crc64nvme header")
		if err != nil {
			return err
		}
		opts.CRC64NVME = &nvme
	}
	obj, err := s.store.CompleteUpload(ctx, rq.bucket, rq.key, id, parts, acl, opts)
	if err != nil {
		e := storeError(err, rq)
		if ae, ok := errors.AsType[*apiError](e); ok && errors.Is(err, store.ErrFileAlreadyExists) {
			ae.body.EC = ossxml.ECFileAlreadyExistsComplete
		}
		return e
	}
	setWriteHeaders(w.Header(), obj.ETag, "", obj.CRC64)
	setVersionHeaders(w.Header(), obj)
	setS3NVME(w.Header(), r, obj.CRC64NVME, obj.HasNVME, true)
	if cb != nil {
		return s.runCallback(ctx, w, rq, cb, obj)
	}
	res := ossxml.CompleteMultipartUploadResult{
		Location: "http://" + r.Host + "/" + rq.bucket + "/" + rq.key,
		Bucket:   rq.bucket, Key: rq.key, ETag: quoteETag(obj.ETag),
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

func (s *Server) abortUpload(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	if err := s.store.AbortUpload(ctx, rq.bucket, rq.key, rq.query.Get("uploadId")); err != nil {
		return storeError(err, rq)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listParts(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	enc, err := encodingURL(rq)
	if err != nil {
		return err
	}
	max, err := parseMax(rq, "max-parts", 1000)
	if err != nil {
		return err
	}
	marker := 0
	if v := rq.query.Get("part-number-marker"); v != "" {
		if marker, err = strconv.Atoi(v); err != nil || marker < 0 {
			return invalidArgument("part-number-marker", v, "The part-number-marker parameter must be a non-negative integer.")
		}
	}
	id := rq.query.Get("uploadId")
	up, err := s.store.GetUpload(ctx, rq.bucket, rq.key, id)
	if err != nil {
		return storeError(err, rq)
	}
	parts, truncated, err := s.store.ListParts(ctx, rq.bucket, rq.key, id, marker, max)
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.ListPartsResult{
		Bucket: rq.bucket, Key: rq.key, UploadID: id, StorageClass: storageClass(up.Meta),
		PartNumberMarker: marker, NextPartNumberMarker: marker, MaxParts: max, IsTruncated: truncated,
	}
	for _, p := range parts {
		res.Parts = append(res.Parts, ossxml.PartSummary{
			PartNumber: p.Number, LastModified: ossxml.Time{Time: p.Modified}, ETag: quoteETag(p.ETag),
			HashCRC64: p.CRC64, Size: p.Size,
		})
		if p.HasNVME && requestDialect(r) == dialectS3 {
			res.Parts[len(res.Parts)-1].ChecksumCRC64NVME = nvmeValue(p.CRC64NVME)
		}
		res.NextPartNumberMarker = p.Number
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}

func (s *Server) listUploads(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	enc, err := encodingURL(rq)
	if err != nil {
		return err
	}
	max, err := parseMax(rq, "max-uploads", 1000)
	if err != nil {
		return err
	}
	q := rq.query
	opts := store.ListUploadsOptions{
		Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker"), UploadIDMarker: q.Get("upload-id-marker"), Max: max,
	}
	page, err := s.store.ListUploads(ctx, rq.bucket, opts)
	if err != nil {
		return storeError(err, rq)
	}
	res := ossxml.ListMultipartUploadsResult{
		Bucket: rq.bucket, KeyMarker: opts.KeyMarker, UploadIDMarker: opts.UploadIDMarker,
		NextKeyMarker: page.NextKeyMarker, NextUploadIDMarker: page.NextUploadIDMarker,
		Delimiter: opts.Delimiter, Prefix: opts.Prefix, MaxUploads: max, IsTruncated: page.Truncated,
		CommonPrefixes: prefixes(page.CommonPrefixes),
	}
	for _, u := range page.Uploads {
		res.Uploads = append(res.Uploads, ossxml.UploadSummary{
			Key: u.Key, UploadID: u.ID, Initiated: ossxml.Time{Time: u.Initiated}, StorageClass: storageClass(u.Meta),
		})
	}
	if enc {
		res.EncodeURL()
	}
	return writeXML(w, &res)
}
