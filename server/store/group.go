package store

import (
	"fmt"
	"os"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// committer runs the write transactions of concurrent callers together:
// one bbolt transaction, and so one pair of fdatasync calls, for every
// change that arrived while the previous transaction was being committed.
// A caller returns only after the transaction holding its change is on
// disk, so durability is that of one transaction per change. There is no
// waiting for company: a change that finds no transaction running starts
// one at once.
//
// Inside a group the changes run one after the other in arrival order,
// each seeing the ones before it, as if each had its own transaction.
// When one fails, the transaction is rolled back, that caller gets its
// error, and the others run again, in order, in a new transaction: a
// change function may therefore run more than once, and must set its
// results afresh on every run (commit's does). A change that panics is
// treated as failed and the panic is raised again in its caller.
type committer struct {
	db    *bolt.DB
	blobs *os.Root // the blobs directory, whose subdirectories changes name

	mu      sync.Mutex
	queue   []*change
	running bool // a caller is leading groups
}

// change is one caller's transaction function and its outcome.
type change struct {
	fn func(*bolt.Tx) error
	// dirs (within blobs) hold the new blobs the change references;
	// they are fsynced before the transaction.
	dirs     []string
	err      error
	panicked any
	// wake receives true when the change is settled, false when its
	// caller is to lead the next group.
	wake chan bool
}

// update fsyncs dirs, then runs fn in a write transaction shared with
// concurrent callers, and returns fn's error, or the fsync's or the
// commit's.
func (c *committer) update(dirs []string, fn func(*bolt.Tx) error) error {
	ch := &change{fn: fn, dirs: dirs, wake: make(chan bool, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, ch)
	lead := !c.running
	c.running = true
	c.mu.Unlock()
	if !lead {
		lead = !<-ch.wake
	}
	if lead {
		c.lead()
	}
	if ch.panicked != nil {
		panic(ch.panicked)
	}
	return ch.err
}

// lead commits the queued changes as one group, then hands the lead to
// the first caller that arrived meanwhile, so that no caller commits the
// changes of others for longer than one group.
func (c *committer) lead() {
	c.mu.Lock()
	group := c.queue
	c.queue = nil
	c.mu.Unlock()
	c.run(group)
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.running = false
		c.mu.Unlock()
	} else {
		next := c.queue[0]
		c.mu.Unlock()
		next.wake <- false
	}
	for _, ch := range group {
		ch.wake <- true
	}
}

// run fsyncs the directories the group's changes need, once each, then
// commits the group, dropping each change that fails and running the rest
// again, and records every change's outcome.
func (c *committer) run(group []*change) {
	group = c.syncDirs(group)
	for len(group) > 0 {
		failed := -1
		err := c.db.Update(func(tx *bolt.Tx) error {
			for i, ch := range group {
				if err := ch.call(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, ch := range group {
				ch.err = err
			}
			return
		}
		group = append(group[:failed:failed], group[failed+1:]...)
	}
}

// call runs the change's function, recording its error or panic.
func (ch *change) call(tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			ch.panicked = p
			err = fmt.Errorf("store: change panicked: %v", p)
			ch.err = err
		}
	}()
	ch.err = ch.fn(tx)
	return ch.err
}

// syncDirs fsyncs every directory the changes of group name, once, and
// returns the changes whose directories all synced; the others fail.
func (c *committer) syncDirs(group []*change) []*change {
	var synced []string
	failed := map[string]error{}
	ok := group[:0:0]
	for _, ch := range group {
		for _, dir := range ch.dirs {
			if slices.Contains(synced, dir) || failed[dir] != nil {
				continue
			}
			if err := syncDir(c.blobs, dir); err != nil {
				failed[dir] = err
			} else {
				synced = append(synced, dir)
			}
		}
		ch.err = nil
		for _, dir := range ch.dirs {
			if err := failed[dir]; err != nil {
				ch.err = err
			}
		}
		if ch.err == nil {
			ok = append(ok, ch)
		}
	}
	return ok
}
