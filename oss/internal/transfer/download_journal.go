package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/ossup/ossup/internal/crc64"
)

// The checkpoint of a resumable download is a journal of the upload
// checkpoint's family (see checkpoint.go): a header written atomically,
// then one record per finished range, appended with one write:
//
//	header: "OSSUPDL1" | u32 n | n bytes of JSON (dcpHeader) | u32 CRC-32C of the JSON
//	record: as in the upload journal, with the range's 1-based index as
//	        its number, its size, the CRC-64 the client computed over the
//	        bytes it wrote, and no ETag
//
// The bytes themselves are in the partial file beside the target. A record
// is appended only once its range is written there; on resume, every
// recorded range is read back and its CRC-64 compared with the record's,
// so a range the journal names but the disk lost (a power failure between
// the two writes) is fetched again.
const (
	dcpMagic   = "OSSUPDL1"
	dcpVersion = 1
)

// dcpHeader describes the download a checkpoint belongs to. Any difference
// from the current request and object makes the checkpoint stale.
type dcpHeader struct {
	Version    int    `json:"version"`
	Endpoint   string `json:"endpoint"`
	Bucket     string `json:"bucket"`
	Key        string `json:"key"`
	ETag       string `json:"etag"`
	ObjectSize int64  `json:"object_size"`
	Offset     int64  `json:"offset"`
	Length     int64  `json:"length"`
	PartSize   int64  `json:"part_size"`
	Partial    string `json:"partial"` // absolute path of the partial file
}

func (d *downloader) header() dcpHeader {
	return dcpHeader{
		Version: dcpVersion, Endpoint: d.endpoint, Bucket: d.req.Bucket, Key: d.req.Key,
		ETag: d.info.ETag, ObjectSize: d.info.Size, Offset: d.plan.offset, Length: d.plan.length,
		PartSize: d.plan.partSize, Partial: d.plan.partial,
	}
}

// encodeDownloadHeader returns the bytes of a download checkpoint holding
// only h.
func encodeDownloadHeader(h *dcpHeader) ([]byte, error) {
	return encodeHeaderBlock(dcpMagic, h)
}

// readDownloadJournal reads a download checkpoint: its header, its intact
// records, and the length of the intact prefix.
func readDownloadJournal(path string) (*dcpHeader, []cpPart, int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, 0, err
	}
	js, off, crcOK, err := headerBlock(data, dcpMagic, "download checkpoint")
	if err != nil {
		return nil, nil, 0, err
	}
	var h dcpHeader
	if !crcOK || json.Unmarshal(js, &h) != nil {
		return nil, nil, 0, fmt.Errorf("%w: checksum or encoding", errCorruptHeader)
	}
	if h.Version != dcpVersion {
		return nil, nil, 0, fmt.Errorf("%w: version %d, want %d", errCorruptHeader, h.Version, dcpVersion)
	}
	var parts []cpPart
	for {
		p, size, ok := decodeRecord(data[off:])
		if !ok {
			break
		}
		parts = append(parts, p)
		off += size
	}
	return &h, parts, int64(off), nil
}

// resume opens the checkpoint and the partial file when they describe this
// download and keeps every recorded range whose bytes read back intact;
// otherwise it starts afresh and says why in restarted.
func (d *downloader) resume() (restarted *Restart, resumed int, err error) {
	want := d.header()
	h, parts, end, rerr := readDownloadJournal(d.plan.checkpoint)
	switch {
	case errors.Is(rerr, fs.ErrNotExist):
	case rerr != nil:
		restarted = &Restart{RestartCheckpointCorrupt, fmt.Sprintf("the checkpoint %s is unusable (%v)", d.plan.checkpoint, rerr)}
	case h.ETag != want.ETag || h.ObjectSize != want.ObjectSize:
		restarted = &Restart{RestartObjectChanged, "the object changed since the checkpoint was written"}
	case *h != want:
		restarted = staleDownload(h, &want)
	default:
		resumed, restarted, err = d.reopen(parts, end)
		if err != nil || restarted == nil {
			return restarted, resumed, err
		}
	}
	if err := d.fresh(); err != nil {
		return restarted, 0, err
	}
	b, err := encodeDownloadHeader(&want)
	if err != nil {
		return restarted, 0, err
	}
	if err := writeFileAtomic(d.plan.checkpoint, b); err != nil {
		return restarted, 0, err
	}
	d.journal, err = openJournal(d.plan.checkpoint, int64(len(b)))
	return restarted, 0, err
}

// staleDownload says how checkpoint header h, of the same object as
// want, differs from it.
func staleDownload(h, want *dcpHeader) *Restart {
	switch {
	case h.Endpoint != want.Endpoint || h.Bucket != want.Bucket || h.Key != want.Key:
		return &Restart{RestartOtherObject, fmt.Sprintf("the checkpoint is for %s/%s/%s", h.Endpoint, h.Bucket, h.Key)}
	case h.Offset != want.Offset || h.Length != want.Length:
		return &Restart{RestartOtherObject, fmt.Sprintf("the checkpoint is for %d bytes from byte %d, not %d from %d", h.Length, h.Offset, want.Length, want.Offset)}
	case h.PartSize != want.PartSize:
		return &Restart{RestartPartSizeChanged, fmt.Sprintf("the part size changed from %d to %d", h.PartSize, want.PartSize)}
	case h.Partial != want.Partial:
		return &Restart{RestartOtherFile, "the checkpoint is for another file, " + h.Partial}
	}
	return &Restart{RestartOtherObject, "the checkpoint describes another download"}
}

// reopen resumes from an intact checkpoint. It returns a reason to start
// afresh instead when the partial file is missing or has the wrong size.
func (d *downloader) reopen(parts []cpPart, end int64) (resumed int, restarted *Restart, err error) {
	f, err := os.OpenFile(d.plan.partial, os.O_RDWR, 0)
	if err != nil {
		return 0, &Restart{RestartPartialFileLost, "the partial file " + d.plan.partial + " is gone"}, nil
	}
	if st, err := f.Stat(); err != nil || st.Size() != d.plan.length {
		f.Close()
		return 0, &Restart{RestartPartialFileLost, "the partial file " + d.plan.partial + " has the wrong size"}, nil
	}
	d.file = f
	d.crcs = make([]uint64, d.plan.parts)
	d.done = make([]bool, d.plan.parts)
	for _, p := range parts {
		i := p.Number - 1
		if i < 0 || i >= d.plan.parts || d.done[i] {
			continue
		}
		off, size := d.plan.partRange(i)
		if p.Size != size {
			continue
		}
		crc, err := crcOfSection(d.req.CRC, f, off-d.plan.offset, size)
		if err != nil {
			f.Close()
			d.file = nil
			return 0, nil, err
		}
		if crc != p.CRC64 {
			continue // the disk lost what the journal names: fetch it again
		}
		d.crcs[i], d.done[i] = crc, true
		d.progress += size
		resumed++
	}
	d.journal, err = openJournal(d.plan.checkpoint, end)
	if err != nil {
		f.Close()
		d.file = nil
		return 0, nil, err
	}
	return resumed, nil, nil
}

// crcOfSection returns the CRC-64 of size bytes of f at off.
func crcOfSection(v crc64.Variant, f *os.File, off, size int64) (uint64, error) {
	h := v.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, off, size)); err != nil {
		return 0, err
	}
	return h.Sum64(), nil
}
