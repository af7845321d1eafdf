// Package backoff computes the waits between retries, for the request
// layer and the transfer engine alike.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Full is the wait before retry number attempt (1 for the first
// retry): exponential from base, capped at max, with "full jitter" (a
// uniformly random point between zero and that) so that many clients
// failing together, as when a server restarts, do not come back in
// lockstep.
func Full(attempt int, base, max time.Duration) time.Duration {
	d := min(base, max)
	for i := 1; i < attempt && d < max; i++ {
		if d > max/2 { // doubling would pass max, or overflow
			d = max
		} else {
			d *= 2
		}
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}
