package server

import (
	"context"
	"net/http"

	"github.com/ossup/ossup/internal/ossxml"
)

// getBucketStat answers GetBucketStat from the store's records: Storage
// is the objects' bytes and the bytes of the parts of uploads in
// progress; each class's storage counts its objects, and its "real"
// storage is the same (no minimum billable size is applied).
func (s *Server) getBucketStat(ctx context.Context, w http.ResponseWriter, r *http.Request, rq *request) error {
	st, err := s.store.BucketStat(ctx, rq.bucket)
	if err != nil {
		return storeError(err, rq)
	}
	std, ia, ar, cold, deep := st.ByClass["Standard"], st.ByClass["IA"], st.ByClass["Archive"], st.ByClass["ColdArchive"], st.ByClass["DeepColdArchive"]
	res := ossxml.BucketStat{
		Storage:                     st.Bytes + st.PartBytes,
		ObjectCount:                 st.Objects,
		MultipartUploadCount:        st.Uploads,
		MultipartPartCount:          st.Parts,
		LastModifiedTime:            st.LastModified / 1e9,
		StandardStorage:             std.Bytes,
		StandardObjectCount:         std.Objects,
		InfrequentAccessStorage:     ia.Bytes,
		InfrequentAccessRealStorage: ia.Bytes,
		InfrequentAccessObjectCount: ia.Objects,
		ArchiveStorage:              ar.Bytes,
		ArchiveRealStorage:          ar.Bytes,
		ArchiveObjectCount:          ar.Objects,
		ColdArchiveStorage:          cold.Bytes,
		ColdArchiveRealStorage:      cold.Bytes,
		ColdArchiveObjectCount:      cold.Objects,
		DeepColdArchiveStorage:      deep.Bytes,
		DeepColdArchiveRealStorage:  deep.Bytes,
		DeepColdArchiveObjectCount:  deep.Objects,
		DeleteMarkerCount:           st.DeleteMarkers,
	}
	return writeXML(w, &res)
}
