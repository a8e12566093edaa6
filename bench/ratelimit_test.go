package main

import (
	"testing"
	"time"
)

func TestTokenBucket_admitsTheRateAndAnswersTheRestAtOnce(t *testing.T) {
	start := time.Now()
	b := tokenBucket{rate: 10, burst: 2, tokens: 2, last: start}
	admitted := 0
	// 100 calls spread evenly over 2 seconds: the burst, then 10 per second.
	for i := range 100 {
		if b.take(start.Add(time.Duration(i) * 20 * time.Millisecond)) {
			admitted++
		}
	}
	if admitted < 21 || admitted > 23 {
		t.Errorf("admitted %d of 100 calls over 2 s at 10/s with a burst of 2, want 21 to 23", admitted)
	}
}
