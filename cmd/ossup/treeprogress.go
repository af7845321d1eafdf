package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/ossup/ossup/oss"
)

// treeProgress draws a batch's progress with one progress: the files
// finished so far as the prefix ("[12 files] "; the total is not known
// while the walk or listing goes on), the bytes of the finished files,
// and the last file finished as the label.
type treeProgress struct {
	p *progress
}

func newTreeProgress(w io.Writer, quiet bool, label string) *treeProgress {
	return &treeProgress{p: newProgress(w, quiet, label)}
}

// start starts the display before the first file is done, so that a slow
// walk or a first big file still shows a line; call it once the notices
// of connecting are printed.
func (t *treeProgress) start() {
	t.p.setPrefix("[0 files] ")
	t.p.update(oss.ProgressEvent{Total: -1})
}

// onFile wraps a batch's OnFile: the file becomes the label.
func (t *treeProgress) onFile(next func(oss.FileResult)) func(oss.FileResult) {
	return func(r oss.FileResult) {
		name := r.Key
		if name == "" {
			name = filepath.ToSlash(r.Path)
		}
		if !t.p.quiet {
			t.p.setLabel(name)
		}
		next(r)
	}
}

// around wraps w as progress.around does.
func (t *treeProgress) around(w io.Writer) io.Writer { return t.p.around(w) }

// progress is a batch's Progress func.
func (t *treeProgress) progress(e oss.BatchProgressEvent) {
	if t.p.quiet { // nothing to draw: spare every file the formatting
		return
	}
	n := e.FilesDone + e.FilesSkipped + e.FilesFailed + e.FilesDeleted
	t.p.setPrefix(fmt.Sprintf("[%d files] ", n))
	t.p.update(oss.ProgressEvent{Done: e.BytesDone, Total: -1})
}

// finish ends the display, as progress.finish does.
func (t *treeProgress) finish(err error) { t.p.finish(err) }
