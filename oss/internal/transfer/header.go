package transfer

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
)

// Every journal (upload and download checkpoints, batch journals) starts
// with the same header block:
//
//	magic (8 bytes) | u32 n | n bytes of JSON | u32 CRC-32C of the JSON
//
// (little-endian), written once and atomically.

// encodeHeaderBlock returns the header block of v under magic.
func encodeHeaderBlock(magic string, v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	b := append([]byte(magic), binary.LittleEndian.AppendUint32(nil, uint32(len(js)))...)
	b = append(b, js...)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(js, castagnoli)), nil
}

// headerBlock finds the header block under magic at the start of data. It
// returns the JSON, where the records begin, and whether the JSON's CRC-32C
// holds; err (wrapping errCorruptHeader) when there is no whole block.
func headerBlock(data []byte, magic, what string) (js []byte, end int, crcOK bool, err error) {
	if len(data) < len(magic)+8 || string(data[:len(magic)]) != magic {
		return nil, 0, false, fmt.Errorf("%w: not an ossup %s", errCorruptHeader, what)
	}
	n := int(binary.LittleEndian.Uint32(data[len(magic):]))
	off := len(magic) + 4
	if n > len(data)-off-4 {
		return nil, 0, false, fmt.Errorf("%w: truncated", errCorruptHeader)
	}
	js = data[off : off+n]
	return js, off + n + 4, crc32.Checksum(js, castagnoli) == binary.LittleEndian.Uint32(data[off+n:]), nil
}
