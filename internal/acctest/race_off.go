//go:build !race

package acctest

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = false
