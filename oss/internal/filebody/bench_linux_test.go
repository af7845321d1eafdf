package filebody

import (
	"fmt"
	"testing"

	"github.com/ossup/ossup/internal/crc64"
)

// BenchmarkChecksum checksums 8 MiB ranges of a file in the page cache,
// over memory maps of two window sizes and by reading through a buffer.
func BenchmarkChecksum(b *testing.B) {
	const size = 64 << 20
	f, _ := writeRandom(b, size)
	const part = 8 << 20
	for _, win := range []int64{1 << 20, 2 << 20, 4 << 20, 16 << 20} {
		b.Run(fmt.Sprintf("map-%dMiB", win>>20), func(b *testing.B) {
			old := mapWindow
			mapWindow = win
			defer func() { mapWindow = old }()
			b.SetBytes(part)
			for i := 0; b.Loop(); i++ {
				if err := scan(f, int64(i%8)*part, part, crcOf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(part)
		for i := 0; b.Loop(); i++ {
			if err := readScan(f, int64(i%8)*part, part, crcOf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var benchCRC uint64

// crcOf is what CRC64 does with each window.
func crcOf(p []byte) { benchCRC = crc64.Update(benchCRC, p) }
