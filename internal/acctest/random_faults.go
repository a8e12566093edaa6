package acctest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FaultSeedEnv names the environment variable that replays a run of random
// faults: set it to the seed a failed test logged.
const FaultSeedEnv = "AWSOIDC_FAULT_SEED"

// defaultMaxDelay is RandomFaults.MaxDelay when zero.
const defaultMaxDelay = 2 * time.Second

// RandomFaults makes shares of an Endpoint's calls meet faults chosen by a
// seeded random source. Each share is a fraction of all calls, from 0 to 1,
// and together they are at most 1; a call meets at most one fault. Faults
// planned with Fail come first: a call they take is not drawn for.
//
// Calls arrive concurrently, so which call meets which fault depends on their
// order of arrival as well as on the seed; the seed reproduces the sequence of
// draws.
type RandomFaults struct {
	// Seed seeds the draws; zero means the seed in $AWSOIDC_FAULT_SEED, or
	// else one taken from the clock.
	Seed uint64
	// Throttle answers IAM's or STS's throttling error (HTTP 400 Throttling).
	Throttle float64
	// ServerError answers ServiceFailure with HTTP 500.
	ServerError float64
	// Reset resets the connection without forwarding the call.
	Reset float64
	// Slow holds the call for a random time up to MaxDelay, then forwards it.
	Slow float64
	// LostAnswer forwards a write (any action but Get…, List… and STS calls),
	// lets moto act on it, then closes the connection before the answer. A
	// read drawn for it passes through untouched.
	LostAnswer float64
	// MaxDelay bounds slow answers; 2s when zero.
	MaxDelay time.Duration
}

func (rf RandomFaults) validate() error {
	total := 0.0
	for _, share := range []float64{rf.Throttle, rf.ServerError, rf.Reset, rf.Slow, rf.LostAnswer} {
		if share < 0 || share > 1 {
			return fmt.Errorf("random fault share %v: expected between 0 and 1", share)
		}
		total += share
	}
	if total > 1 {
		return fmt.Errorf("random fault shares add up to %v: expected at most 1", total)
	}
	if rf.MaxDelay < 0 || rf.MaxDelay > maxFaultDelay {
		return fmt.Errorf("random fault MaxDelay %s: expected between 0 and %s", rf.MaxDelay, maxFaultDelay)
	}
	return nil
}

// randomFaults is the drawing state; the Endpoint's mutex guards it.
type randomFaults struct {
	cfg RandomFaults
	rng *rand.Rand
}

// draw picks the fault, if any, for one call of action.
func (r *randomFaults) draw(action string) (Fault, bool) {
	u := r.rng.Float64()
	// The delay is drawn for every call, so the sequence of draws does not
	// depend on which kinds were chosen before.
	delay := time.Duration(r.rng.Int64N(int64(r.cfg.MaxDelay))) + time.Millisecond
	for _, c := range []struct {
		share float64
		fault Fault
	}{
		{r.cfg.Throttle, Throttling()},
		{r.cfg.ServerError, ServiceFailure()},
		{r.cfg.Reset, ResetConnection()},
		{r.cfg.Slow, Delay(delay)},
		{r.cfg.LostAnswer, LoseAnswer()},
	} {
		if u < c.share {
			if c.fault.LoseAnswer && !isWrite(action) {
				return Fault{}, false
			}
			return c.fault, true
		}
		u -= c.share
	}
	return Fault{}, false
}

// isWrite reports whether an IAM action changes something.
func isWrite(action string) bool {
	if action == "" || stsActions[action] {
		return false
	}
	return !strings.HasPrefix(action, "Get") && !strings.HasPrefix(action, "List")
}

// InjectRandomFaults makes calls meet random faults as rf says, from now
// until StopRandomFaults or Reset, replacing earlier random faults. It logs
// the seed, and on failure the faults injected, so a run can be replayed with
// $AWSOIDC_FAULT_SEED. It returns the seed. Nonsensical shares panic, as they
// are a mistake in the test.
func (e *Endpoint) InjectRandomFaults(tb testing.TB, rf RandomFaults) uint64 {
	tb.Helper()
	if err := rf.validate(); err != nil {
		panic("acctest: InjectRandomFaults: " + err.Error())
	}
	if rf.MaxDelay == 0 {
		rf.MaxDelay = defaultMaxDelay
	}
	if rf.Seed == 0 {
		rf.Seed = seedFromEnv(tb)
	}
	tb.Logf("random faults on %s with seed %d (replay with %s=%d): %+v", e.URL, rf.Seed, FaultSeedEnv, rf.Seed, rf)
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("random faults with seed %d injected %s", rf.Seed, FormatFaultCounts(e.FaultCounts()))
		}
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	e.random = &randomFaults{cfg: rf, rng: rand.New(rand.NewPCG(rf.Seed, rf.Seed^0x9e3779b97f4a7c15))}
	return rf.Seed
}

func seedFromEnv(tb testing.TB) uint64 {
	tb.Helper()
	if v := os.Getenv(FaultSeedEnv); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil || seed == 0 {
			tb.Fatalf("%s=%q: expected a positive integer seed", FaultSeedEnv, v)
		}
		return seed
	}
	return uint64(time.Now().UnixNano()) | 1 //nolint:gosec // a clock reading is never negative
}

// StopRandomFaults ends random faults; the counts are kept.
func (e *Endpoint) StopRandomFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.random = nil
}

// FaultCounts is how many calls met each kind of fault, planned and random,
// since the endpoint started or was Reset.
func (e *Endpoint) FaultCounts() map[FaultKind]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return maps.Clone(e.counts)
}

// FormatFaultCounts renders fault counts in a stable order, e.g.
// "5xx=3 throttle=12 (15 in all)".
func FormatFaultCounts(counts map[FaultKind]int) string {
	if len(counts) == 0 {
		return "no faults"
	}
	var parts []string
	total := 0
	for _, kind := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", kind, counts[kind]))
		total += counts[kind]
	}
	return fmt.Sprintf("%s (%d in all)", strings.Join(parts, " "), total)
}

// callWatch is a channel closed once enough calls of some actions arrived.
type callWatch struct {
	actions map[string]bool
	left    int
	done    chan struct{}
}

// Reached returns a channel that is closed once the endpoint has received n
// calls of any of actions, counting those already received (since the last
// Reset). It lets a test act at a chosen point of a run, for example kill the
// provider after its 30th create.
func (e *Endpoint) Reached(n int, actions ...string) <-chan struct{} {
	w := &callWatch{actions: map[string]bool{}, left: n, done: make(chan struct{})}
	for _, a := range actions {
		w.actions[a] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.requests {
		if w.actions[r.Action] {
			w.left--
		}
	}
	if w.left <= 0 {
		close(w.done)
		return w.done
	}
	e.watches = append(e.watches, w)
	return w.done
}

// notifyWatches counts a call of action against the open watches; e.mu is held.
func (e *Endpoint) notifyWatches(action string) {
	open := e.watches[:0]
	for _, w := range e.watches {
		if w.actions[action] {
			w.left--
		}
		if w.left <= 0 {
			close(w.done)
			continue
		}
		open = append(open, w)
	}
	e.watches = open
}
