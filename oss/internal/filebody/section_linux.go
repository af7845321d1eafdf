package filebody

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
)

// mapWindow is how much of the file is mapped at once: large parts are
// checksummed a window at a time, so that a 5 GiB part never maps 5 GiB
// and mapped pages (which count in the resident set) stay few: at most
// GOMAXPROCS windows are mapped at once (mapSlots). Windows
// of 2 MiB checksum as fast as larger ones (BenchmarkChecksum).
// A variable for tests.
var mapWindow int64 = 2 << 20

// scan gives the range to fn over read-only memory maps of it, a window
// at a time, and falls back to reading it where the file cannot be
// mapped.
func scan(f *os.File, off, size int64, fn func([]byte)) error {
	page := int64(os.Getpagesize())
	for size > 0 {
		n := min(size, mapWindow)
		err := mapped(f, off, n, page, fn)
		if errors.Is(err, errNoMap) {
			return readScan(f, off, size, fn)
		}
		if err != nil {
			return err
		}
		off += n
		size -= n
	}
	return nil
}

var errNoMap = errors.New("cannot map the file")

// mapSlots bounds the windows mapped at once in the process to the
// number of threads that can run Go code: checksumming is CPU-bound, so
// more would only add mapped pages to the resident set (a batch of
// files, each with its parts in flight, would otherwise map a window
// per part).
var mapSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// testHookMapped, when set, runs between mapping a window and reading it.
var testHookMapped func()

// mapped maps [off, off+n) and gives it to fn. A file truncated under the
// map faults when the lost pages are touched: the fault is turned into a
// panic (debug.SetPanicOnFault) and recovered as ErrChanged.
func mapped(f *os.File, off, n, page int64, fn func([]byte)) (err error) {
	mapSlots <- struct{}{}
	defer func() { <-mapSlots }()
	start := off &^ (page - 1)
	skip := off - start
	sc, err := f.SyscallConn()
	if err != nil {
		return errNoMap
	}
	var mem []byte
	var merr error
	if err := sc.Control(func(fd uintptr) {
		mem, merr = syscall.Mmap(int(fd), start, int(skip+n), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	}); err != nil || merr != nil {
		return errNoMap
	}
	defer syscall.Munmap(mem)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if re, ok := r.(runtime.Error); ok && isFault(re) {
				err = ErrChanged
				return
			}
			panic(r)
		}
	}()
	if testHookMapped != nil {
		testHookMapped()
	}
	fn(mem[skip : skip+n])
	return nil
}

// isFault reports whether e is a memory fault made a panic by
// SetPanicOnFault: such errors carry the faulting address.
func isFault(e runtime.Error) bool {
	_, ok := e.(interface{ Addr() uintptr })
	return ok
}

// reopen opens the file again through /proc, which gives a new open file
// description (its own offset), and positions it at off; nil where that
// fails.
func reopen(f *os.File, off, size int64) *fileReader {
	sc, err := f.SyscallConn()
	if err != nil {
		return nil
	}
	// syscall.Open and os.NewFile rather than os.Open, which would offer
	// the descriptor to the network poller at the cost of four system
	// calls that a regular file always refuses.
	nfd := -1
	if cerr := sc.Control(func(fd uintptr) {
		nfd, err = syscall.Open(fmt.Sprintf("/proc/self/fd/%d", fd), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}); cerr != nil || err != nil {
		return nil
	}
	if _, err := syscall.Seek(nfd, off, io.SeekStart); err != nil {
		syscall.Close(nfd)
		return nil
	}
	return &fileReader{f: os.NewFile(uintptr(nfd), f.Name()), end: off + size}
}

// fileReader reads a range of a file through its own file offset. It is
// a syscall.Conn, which net/http's body copy looks for to use sendfile(2)
// from the current offset; its Read tells the end of the range from the
// same offset, so that both agree on what is left.
type fileReader struct {
	f     *os.File
	end   int64
	reads int // calls of Read, for tests
}

func (r *fileReader) Read(p []byte) (int, error) {
	r.reads++
	pos, err := r.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if pos >= r.end {
		return 0, io.EOF
	}
	if left := r.end - pos; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := r.f.Read(p)
	if err == io.EOF && pos+int64(n) < r.end {
		err = ErrChanged
	}
	return n, err
}

// SyscallConn gives the file's descriptor to sendfile.
func (r *fileReader) SyscallConn() (syscall.RawConn, error) { return r.f.SyscallConn() }

func (r *fileReader) Close() error { return r.f.Close() }
