package transfer

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
	"github.com/ossup/ossup/internal/limits"
)

// TestUploadSourceFake uploads a bytes.Reader, four parts at a time,
// through the fake API: every part the fake stores has the source's bytes
// at its offset, and the object's CRC-64 is the source's.
func TestUploadSourceFake(t *testing.T) {
	data := make([]byte, 9*limits.MinPartSize+17)
	for i := range data {
		data[i] = byte(i * 7)
	}
	m := newMemAPI()
	res, err := fakeUpload(t.Context(), m, &UploadRequest{Bucket: "b", Key: "k", Source: bytes.NewReader(data), Size: int64(len(data)), TaskNum: 4})
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 10; n++ {
		off := (n - 1) * limits.MinPartSize
		want := data[off:min(off+limits.MinPartSize, len(data))]
		if p := m.parts[n]; p.Size != int64(len(want)) || p.CRC64 != crc64.Checksum(want) {
			t.Errorf("part %d stored as %+v, want %d bytes with CRC-64 %d", n, p, len(want), crc64.Checksum(want))
		}
	}
	if want := crc64.Checksum(data); res.CRC64 != want || !res.Verified || res.BytesSent != int64(len(data)) {
		t.Errorf("result %+v, want CRC-64 %d verified and %d bytes sent", res, want, len(data))
	}
	if got := m.calls[len(m.calls)-1]; got != "Complete" || !slices.Contains(m.calls, "Initiate") {
		t.Errorf("calls %q, want Initiate ... Complete", m.calls)
	}
}
