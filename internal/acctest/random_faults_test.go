package acctest

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// createProviderForm is a CreateOpenIDConnectProvider call for a host of its own.
func createProviderForm(host string) url.Values {
	return url.Values{
		"Action": {"CreateOpenIDConnectProvider"}, "Version": {apiVersions[ServiceIAM]},
		"Url": {"https://" + host}, "ClientIDList.member.1": {"sts.amazonaws.com"},
	}
}

func providerExists(t *testing.T, m *Moto, arn string) bool {
	t.Helper()
	_, err := m.Query(context.Background(), ServiceIAM, "GetOpenIDConnectProvider", url.Values{"OpenIDConnectProviderArn": {arn}})
	var qe *QueryError
	if errors.As(err, &qe) && qe.Code == "NoSuchEntity" {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

func TestEndpoint_resetConnectionResetsWithoutForwarding(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	ep := m.NewEndpoint(t)
	host := uniqueName("reset") + ".example.com"
	ep.Fail("CreateOpenIDConnectProvider", 1, ResetConnection())

	_, err := post(context.Background(), ep.URL, ServiceIAM, true, createProviderForm(host))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("reset call: %v, expected a connection reset (ECONNRESET)", err)
	}
	if providerExists(t, m, "arn:aws:iam::"+AccountID+":oidc-provider/"+host) {
		t.Error("the reset call reached moto: the provider exists")
	}
	got := ep.Requests()
	if len(got) != 1 || !got[0].Faulted || got[0].Fault != FaultReset || got[0].Status != 0 {
		t.Errorf("recorded %+v, expected one faulted call of kind reset with status 0", got)
	}
}

func TestEndpoint_loseAnswerLetsMotoActThenCutsTheConnection(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	ep := m.NewEndpoint(t)
	host := uniqueName("lost") + ".example.com"
	arn := "arn:aws:iam::" + AccountID + ":oidc-provider/" + host
	ep.Fail("CreateOpenIDConnectProvider", 1, LoseAnswer())

	a, err := post(context.Background(), ep.URL, ServiceIAM, true, createProviderForm(host))
	if err == nil {
		t.Fatalf("call whose answer was lost got %d %s, expected a connection error", a.status, a.body)
	}
	if !providerExists(t, m, arn) {
		t.Fatal("moto did not act on the call whose answer was lost")
	}
	// The caller retries, as the SDK does, and learns that its first call worked.
	retry := mustPost(t, ep.URL, ServiceIAM, "CreateOpenIDConnectProvider", createProviderForm(host))
	if retry.status != http.StatusConflict || !strings.Contains(string(retry.body), "EntityAlreadyExists") {
		t.Errorf("retry answered %d %s, expected 409 EntityAlreadyExists", retry.status, retry.body)
	}
	got := ep.Requests()
	if len(got) != 2 || got[0].Fault != FaultLostAnswer || got[0].Status != 0 || got[1].Faulted {
		t.Fatalf("recorded %+v, expected a lost answer with status 0, then an unfaulted call", got)
	}
	if !strings.Contains(string(got[0].Response), arn) {
		t.Errorf("recorded answer %q, expected moto's answer naming %s", got[0].Response, arn)
	}
	if c := ep.FaultCounts(); !maps.Equal(c, map[FaultKind]int{FaultLostAnswer: 1}) {
		t.Errorf("FaultCounts() = %v, expected one lost answer", c)
	}
}

func TestFault_kindNamesWhatTheCallerSees(t *testing.T) {
	tests := []struct {
		fault Fault
		want  FaultKind
	}{
		{Throttling(), FaultThrottle},
		{AWSError(400, "ThrottlingException", "slow down"), FaultThrottle},
		{ServiceFailure(), FaultServerError},
		{AWSError(503, "ServiceUnavailable", "try later"), FaultServerError},
		{InvalidPrincipal("arn:aws:iam::123456789012:oidc-provider/x"), FaultError},
		{DropConnection(), FaultDrop},
		{ResetConnection(), FaultReset},
		{LoseAnswer(), FaultLostAnswer},
		{Delay(time.Second), FaultSlow},
		{Fault{Delay: time.Second, Code: "Throttling", Status: 400}, FaultThrottle},
	}
	for _, tt := range tests {
		if got := tt.fault.Kind(); got != tt.want {
			t.Errorf("%+v.Kind() = %q, expected %q", tt.fault, got, tt.want)
		}
	}
}

// drawSequence makes calls one at a time (so their order is fixed) alternating a read
// and a write, and returns the fault kind each met.
func drawSequence(t *testing.T, ep *Endpoint, calls int) []FaultKind {
	t.Helper()
	for i := range calls {
		action := "ListOpenIDConnectProviders"
		form := url.Values{"Action": {action}, "Version": {apiVersions[ServiceIAM]}}
		if i%2 == 1 {
			// A write moto refuses (the provider does not exist), so nothing is left behind.
			action = "DeleteOpenIDConnectProvider"
			form = url.Values{"Action": {action}, "Version": {apiVersions[ServiceIAM]},
				"OpenIDConnectProviderArn": {"arn:aws:iam::" + AccountID + ":oidc-provider/" + uniqueName("absent") + ".example.com"}}
		}
		_, _ = post(context.Background(), ep.URL, ServiceIAM, true, form)
	}
	var kinds []FaultKind
	for _, r := range ep.Requests() {
		kinds = append(kinds, r.Fault)
	}
	return kinds
}

func TestEndpoint_randomFaultsFollowTheirSharesAndReplayBySeed(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	faults := RandomFaults{Seed: 20260501, Throttle: 0.3, ServerError: 0.1, Reset: 0.1, Slow: 0.1, LostAnswer: 0.2, MaxDelay: 20 * time.Millisecond}
	const calls = 400

	first, second := m.NewEndpoint(t), m.NewEndpoint(t)
	if seed := first.InjectRandomFaults(t, faults); seed != faults.Seed {
		t.Errorf("InjectRandomFaults returned seed %d, expected %d", seed, faults.Seed)
	}
	second.InjectRandomFaults(t, faults)
	kinds := drawSequence(t, first, calls)
	if replay := drawSequence(t, second, calls); !slices.Equal(kinds, replay) {
		t.Errorf("the same seed and the same calls met different faults:\n%v\n%v", kinds, replay)
	}

	counts := first.FaultCounts()
	for kind, share := range map[FaultKind]float64{FaultThrottle: 0.3, FaultServerError: 0.1, FaultReset: 0.1, FaultSlow: 0.1} {
		want := share * calls
		if got := float64(counts[kind]); got < 0.6*want || got > 1.4*want {
			t.Errorf("%d calls met %s, expected about %.0f (%.0f%% of %d): %s", counts[kind], kind, want, 100*share, calls, FormatFaultCounts(counts))
		}
	}
	// Lost answers are drawn for every call but only writes (half the calls) lose theirs.
	if got, want := float64(counts[FaultLostAnswer]), 0.2*calls/2; got < 0.6*want || got > 1.4*want {
		t.Errorf("%d lost answers, expected about %.0f: %s", counts[FaultLostAnswer], want, FormatFaultCounts(counts))
	}
	for i, r := range first.Requests() {
		if r.Fault == FaultLostAnswer && !isWrite(r.Action) {
			t.Errorf("call %d (%s, a read) lost its answer", i, r.Action)
		}
		wantStatus := map[FaultKind]int{FaultThrottle: 400, FaultServerError: 500, FaultReset: 0, FaultLostAnswer: 0}
		if want, ok := wantStatus[r.Fault]; ok && r.Status != want {
			t.Errorf("call %d met %s but the client got status %d, expected %d", i, r.Fault, r.Status, want)
		}
		if r.Fault == FaultSlow && r.Status == 0 {
			t.Errorf("call %d was slowed down but not answered", i)
		}
		if r.Faulted != (r.Fault != "") {
			t.Errorf("call %d: Faulted %t but Fault %q", i, r.Faulted, r.Fault)
		}
	}

	first.StopRandomFaults()
	before := first.FaultCounts()
	if a := mustPost(t, first.URL, ServiceIAM, "ListOpenIDConnectProviders", nil); a.status != http.StatusOK {
		t.Errorf("call after StopRandomFaults: %d %s", a.status, a.body)
	}
	if after := first.FaultCounts(); !maps.Equal(before, after) {
		t.Errorf("counts changed after StopRandomFaults: %v, then %v", before, after)
	}
}

func TestEndpoint_plannedFaultsComeBeforeRandomOnes(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	ep.InjectRandomFaults(t, RandomFaults{Seed: 7, Throttle: 1})
	ep.Fail("GetCallerIdentity", 1, ServiceFailure())
	if a := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil); a.status != http.StatusInternalServerError {
		t.Errorf("first call: %d, expected the planned 500", a.status)
	}
	if a := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil); a.status != http.StatusBadRequest {
		t.Errorf("second call: %d, expected random throttling (share 1)", a.status)
	}
	if c := ep.FaultCounts(); !maps.Equal(c, map[FaultKind]int{FaultServerError: 1, FaultThrottle: 1}) {
		t.Errorf("FaultCounts() = %v", c)
	}
	ep.Reset()
	if c := ep.FaultCounts(); len(c) != 0 {
		t.Errorf("FaultCounts() after Reset = %v, expected none", c)
	}
	if a := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil); a.status != http.StatusOK {
		t.Errorf("call after Reset: %d, expected random faults to be gone", a.status)
	}
}

func TestEndpoint_randomFaultsRefuseNonsensicalShares(t *testing.T) {
	ep := &Endpoint{}
	for _, rf := range []RandomFaults{
		{Throttle: -0.1},
		{ServerError: 1.5},
		{Throttle: 0.6, Reset: 0.6},
		{Slow: 0.1, MaxDelay: -time.Second},
		{Slow: 0.1, MaxDelay: time.Hour},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("InjectRandomFaults(%+v) accepted the shares, expected a panic", rf)
				}
			}()
			ep.InjectRandomFaults(t, rf)
		}()
	}
}

func TestEndpoint_reachedClosesOnTheNthMatchingCall(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil)
	already := ep.Reached(1, "GetCallerIdentity")
	third := ep.Reached(3, "GetCallerIdentity", "ListRoles")
	select {
	case <-already:
	default:
		t.Error("Reached(1) for a call already received is not closed")
	}
	mustPost(t, ep.URL, ServiceIAM, "ListPolicies", nil)
	mustPost(t, ep.URL, ServiceIAM, "ListRoles", nil)
	select {
	case <-third:
		t.Fatal("Reached(3) closed after 2 matching calls")
	default:
	}
	mustPost(t, ep.URL, ServiceIAM, "ListRoles", nil)
	select {
	case <-third:
	case <-time.After(5 * time.Second):
		t.Fatal("Reached(3) not closed after the third matching call")
	}
}

func TestEndpoint_slowAnswerIsDelayedThenForwarded(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	ep.InjectRandomFaults(t, RandomFaults{Seed: 3, Slow: 1, MaxDelay: 300 * time.Millisecond})
	start := time.Now()
	a := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil)
	if a.status != http.StatusOK {
		t.Errorf("slow call answered %d %s, expected moto's answer", a.status, a.body)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("slow call took %s, expected at most MaxDelay plus moto's time", elapsed)
	}
	if got := ep.Requests(); len(got) != 1 || got[0].Fault != FaultSlow {
		t.Errorf("recorded %+v, expected one slow call", got)
	}
}
