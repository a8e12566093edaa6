package acctest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awsxml "github.com/aws/aws-sdk-go-v2/aws/protocol/xml"
)

// testClient never uses a proxy from the environment and opens a fresh
// connection per call, so a dropped connection is never retried silently.
var testClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	Timeout:   30 * time.Second,
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// post sends a Query form to base; signed adds a SigV4-shaped Authorization
// header for service, as the SDK would.
func post(ctx context.Context, base, service string, signed bool, form url.Values) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if signed {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/"+service+
			"/aws4_request, SignedHeaders=content-type;host, Signature=0000")
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: body}, err
}

func mustPost(t *testing.T, base, service, action string, params url.Values) answer {
	t.Helper()
	form := cloneValues(params)
	form.Set("Action", action)
	form.Set("Version", apiVersions[service])
	a, err := post(context.Background(), base, service, true, form)
	if err != nil {
		t.Fatalf("%s %s: %v", service, action, err)
	}
	return a
}

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEndpoint_recordsEachCallAndForwardsItUnchanged(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	ep := m.NewEndpoint(t)
	host := uniqueName("recorded") + ".example.com"
	arn := "arn:aws:iam::" + AccountID + ":oidc-provider/" + host

	mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil)
	create := mustPost(t, ep.URL, ServiceIAM, "CreateOpenIDConnectProvider", url.Values{
		"Url": {"https://" + host}, "ClientIDList.member.1": {"a"},
	})
	if create.status != http.StatusOK {
		t.Fatalf("CreateOpenIDConnectProvider through the endpoint: %d %s", create.status, create.body)
	}
	mustPost(t, ep.URL, ServiceIAM, "AddClientIDToOpenIDConnectProvider", url.Values{
		"OpenIDConnectProviderArn": {arn}, "ClientID": {"b"},
	})
	// Unsigned, as the SDK sends it: known as STS by its action.
	web, err := post(context.Background(), ep.URL, ServiceSTS, false, url.Values{
		"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::" + AccountID + ":role/r"}, "RoleSessionName": {"s"}, "WebIdentityToken": {"token"},
	})
	if err != nil || web.status != http.StatusOK {
		t.Fatalf("unsigned AssumeRoleWithWebIdentity: %v %d %s", err, web.status, web.body)
	}

	// moto got the bodies the endpoint read: the provider exists with both IDs.
	if got := clientIDsOf(t, m, arn); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("client IDs at moto %q, expected [a b]", got)
	}

	want := []Request{
		{Service: ServiceSTS, Action: "GetCallerIdentity", Status: 200},
		{Service: ServiceIAM, Action: "CreateOpenIDConnectProvider", Status: 200},
		{Service: ServiceIAM, Action: "AddClientIDToOpenIDConnectProvider", Status: 200},
		{Service: ServiceSTS, Action: "AssumeRoleWithWebIdentity", Status: 200},
	}
	got := ep.Requests()
	if len(got) != len(want) {
		t.Fatalf("recorded %d calls (%q), expected %d", len(got), ep.Actions(), len(want))
	}
	for i := range want {
		if got[i].Service != want[i].Service || got[i].Action != want[i].Action || got[i].Status != want[i].Status || got[i].Faulted {
			t.Errorf("call %d recorded as %s %s status %d faulted %t, expected %s %s status %d unfaulted",
				i, got[i].Service, got[i].Action, got[i].Status, got[i].Faulted, want[i].Service, want[i].Action, want[i].Status)
		}
	}
	if p := got[2].Params; p.Get("ClientID") != "b" || p.Get("OpenIDConnectProviderArn") != arn || p.Get("Version") != "2010-05-08" {
		t.Errorf("AddClientIDToOpenIDConnectProvider params %v, expected ClientID b, the ARN and Version", p)
	}
	if !slices.Equal(ep.Actions(), []string{"GetCallerIdentity", "CreateOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider", "AssumeRoleWithWebIdentity"}) {
		t.Errorf("Actions() = %q", ep.Actions())
	}
	if ep.Count("CreateOpenIDConnectProvider") != 1 || ep.Count("DeleteRole") != 0 {
		t.Errorf("Count: CreateOpenIDConnectProvider %d, DeleteRole %d; expected 1 and 0",
			ep.Count("CreateOpenIDConnectProvider"), ep.Count("DeleteRole"))
	}
	if ep.ServiceCount(ServiceIAM) != 2 || ep.ServiceCount(ServiceSTS) != 2 {
		t.Errorf("ServiceCount: iam %d, sts %d; expected 2 and 2", ep.ServiceCount(ServiceIAM), ep.ServiceCount(ServiceSTS))
	}

	// Requests hands out copies.
	got[2].Params.Set("ClientID", "changed")
	if ep.Requests()[2].Params.Get("ClientID") != "b" {
		t.Error("changing a returned Request changed the endpoint's log")
	}

	ep.Reset()
	if n := len(ep.Requests()); n != 0 {
		t.Errorf("%d calls recorded after Reset, expected 0", n)
	}
}

func TestEndpoint_eachTestSeesOnlyItsOwnCalls(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	first, second := m.NewEndpoint(t), m.NewEndpoint(t)
	if first.URL == second.URL {
		t.Fatalf("two endpoints share the URL %s", first.URL)
	}
	second.Fail("GetCallerIdentity", 1, Throttling())
	mustPost(t, first.URL, ServiceSTS, "GetCallerIdentity", nil)
	if a := mustPost(t, first.URL, ServiceSTS, "GetCallerIdentity", nil); a.status != http.StatusOK {
		t.Errorf("a fault planned on another endpoint answered here: %d %s", a.status, a.body)
	}
	if first.Count("GetCallerIdentity") != 2 || second.Count("GetCallerIdentity") != 0 {
		t.Errorf("counts %d and %d, expected 2 and 0", first.Count("GetCallerIdentity"), second.Count("GetCallerIdentity"))
	}
}

func TestEndpoint_faultAnswersWithTheExactAWSErrorThenPassesThrough(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	providerARN := "arn:aws:iam::" + AccountID + ":oidc-provider/" + uniqueName("token") + ".example.com"
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, providerARN)

	tests := []struct {
		name      string
		service   string
		action    string
		params    func(attempt int) url.Values
		times     int
		fault     Fault
		wantXML   string
		wantState int
	}{
		{
			name: "invalid principal", service: ServiceIAM, action: "CreateRole", times: 2,
			params: func(int) url.Values {
				return url.Values{"RoleName": {uniqueName("fault-role")}, "AssumeRolePolicyDocument": {trust}}
			},
			fault:     InvalidPrincipal(providerARN),
			wantState: 400,
			wantXML: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
				`<Code>MalformedPolicyDocument</Code><Message>Invalid principal in policy: &#34;Federated&#34;:&#34;` + providerARN +
				`&#34;</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		},
		{
			name: "IAM throttling", service: ServiceIAM, action: "ListOpenIDConnectProviders", times: 3,
			params:    func(int) url.Values { return nil },
			fault:     Throttling(),
			wantState: 400,
			wantXML: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
				`<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		},
		{
			name: "STS throttling", service: ServiceSTS, action: "GetCallerIdentity", times: 1,
			params:    func(int) url.Values { return nil },
			fault:     Throttling(),
			wantState: 400,
			wantXML: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
				`<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		},
		{
			name: "service failure", service: ServiceIAM, action: "ListRoles", times: 1,
			params:    func(int) url.Values { return nil },
			fault:     ServiceFailure(),
			wantState: 500,
			wantXML: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Receiver</Type>` +
				`<Code>ServiceFailure</Code><Message>The request processing has failed because of an unknown error, exception or failure.</Message>` +
				`</Error><RequestId>%s</RequestId></ErrorResponse>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := m.NewEndpoint(t)
			ep.Fail(tt.action, tt.times, tt.fault)
			if left := ep.FaultsLeft(tt.action); left != tt.times {
				t.Errorf("FaultsLeft = %d before any call, expected %d", left, tt.times)
			}
			for attempt := range tt.times {
				a := mustPost(t, ep.URL, tt.service, tt.action, tt.params(attempt))
				requestID := a.header.Get("X-Amzn-Requestid")
				if !requestIDPattern.MatchString(requestID) {
					t.Errorf("attempt %d: request ID %q, expected a UUID", attempt, requestID)
				}
				if a.status != tt.wantState {
					t.Errorf("attempt %d: status %d, expected %d", attempt, a.status, tt.wantState)
				}
				if want := fmt.Sprintf(tt.wantXML, requestID); string(a.body) != want {
					t.Errorf("attempt %d: body\n%s\nexpected\n%s", attempt, a.body, want)
				}
				if ct := a.header.Get("Content-Type"); ct != "text/xml" {
					t.Errorf("attempt %d: Content-Type %q, expected text/xml", attempt, ct)
				}
				// The AWS SDK's own Query error parser reads it back.
				parsed, err := awsxml.GetErrorResponseComponents(bytes.NewReader(a.body), false)
				if err != nil || parsed.Code != tt.fault.Code || parsed.Message != tt.fault.Message || parsed.RequestID != requestID {
					t.Errorf("attempt %d: SDK parser read %+v, %v; expected code %q, message %q, request ID %q",
						attempt, parsed, err, tt.fault.Code, tt.fault.Message, requestID)
				}
			}
			if a := mustPost(t, ep.URL, tt.service, tt.action, tt.params(tt.times)); a.status != http.StatusOK {
				t.Errorf("call %d after %d faults: %d %s, expected moto's answer", tt.times+1, tt.times, a.status, a.body)
			}
			if n := ep.Count(tt.action); n != tt.times+1 {
				t.Errorf("Count = %d, expected %d", n, tt.times+1)
			}
			if left := ep.FaultsLeft(tt.action); left != 0 {
				t.Errorf("FaultsLeft = %d after use, expected 0", left)
			}
			var faulted []bool
			for _, r := range ep.Requests() {
				faulted = append(faulted, r.Faulted)
			}
			wantFaulted := append(slices.Repeat([]bool{true}, tt.times), false)
			if !slices.Equal(faulted, wantFaulted) {
				t.Errorf("Faulted flags %v, expected %v", faulted, wantFaulted)
			}
		})
	}
}

func TestEndpoint_faultPlansApplyInOrderAndOnlyToTheirAction(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	ep.Fail("ListRoles", 1, Throttling())
	ep.Fail("ListRoles", 1, ServiceFailure())
	ep.Fail(AnyAction, 1, AWSError(403, "AccessDenied", "not you"))

	steps := []struct {
		action     string
		wantStatus int
	}{
		{"ListPolicies", 403}, // only the AnyAction plan matches
		{"ListRoles", 400},
		{"ListRoles", 500},
		{"ListRoles", 200},
		{"ListPolicies", 200},
	}
	for i, s := range steps {
		if a := mustPost(t, ep.URL, ServiceIAM, s.action, nil); a.status != s.wantStatus {
			t.Errorf("step %d %s: status %d, expected %d (%s)", i, s.action, a.status, s.wantStatus, a.body)
		}
	}
	if left := ep.FaultsLeft(AnyAction); left != 0 {
		t.Errorf("FaultsLeft(AnyAction) = %d, expected 0", left)
	}
}

func TestEndpoint_faultsAreCountedExactlyUnderConcurrentCalls(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	const calls, faults = 20, 5
	ep.Fail("GetCallerIdentity", faults, Throttling())
	statuses := make(chan int, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
			a, err := post(context.Background(), ep.URL, ServiceSTS, true, form)
			if err != nil {
				t.Error(err)
				return
			}
			statuses <- a.status
		})
	}
	wg.Wait()
	close(statuses)
	byStatus := map[int]int{}
	for s := range statuses {
		byStatus[s]++
	}
	if byStatus[400] != faults || byStatus[200] != calls-faults {
		t.Errorf("statuses %v, expected %d×400 and %d×200", byStatus, faults, calls-faults)
	}
}

func TestEndpoint_delayHoldsTheCallThenForwardsIt(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	const delay = 300 * time.Millisecond
	ep.Fail("GetCallerIdentity", 1, Delay(delay))
	start := time.Now()
	a := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil)
	if elapsed := time.Since(start); elapsed < delay {
		t.Errorf("answered after %s, expected at least %s", elapsed, delay)
	}
	if a.status != http.StatusOK || !strings.Contains(string(a.body), "<GetCallerIdentityResult>") {
		t.Errorf("delayed call answered %d %s, expected moto's answer", a.status, a.body)
	}
	mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil)
	// The record says which call the fault held; how long the second call takes
	// depends on the machine's load, not on the endpoint.
	got := ep.Requests()
	if len(got) != 2 || !got[0].Faulted || got[1].Faulted || got[1].Status != http.StatusOK {
		t.Errorf("requests %+v, expected the first held by the fault and the second passed straight to moto", got)
	}
}

func TestEndpoint_delayEndsWhenTheClientGivesUpOrTheEndpointCloses(t *testing.T) {
	t.Parallel()
	m := MotoForTest(t)
	ep := m.NewEndpoint(t)
	ep.Fail("GetCallerIdentity", 2, Delay(time.Minute))
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := post(ctx, ep.URL, ServiceSTS, true, form); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("call with a 200ms deadline: %v, expected the deadline to end it", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := post(context.Background(), ep.URL, ServiceSTS, true, form)
		done <- err
	}()
	// Close once the second call is held.
	for i := 0; i < 100 && ep.Count("GetCallerIdentity") < 2; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("held call succeeded after Close, expected a failure")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("held call still waits 10s after Close")
	}
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("took %s, expected the minute-long delays to be cut short", elapsed)
	}
}

func TestEndpoint_dropClosesTheConnectionWithoutAnswer(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	ep.Fail("GetCallerIdentity", 1, DropConnection())
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	if a, err := post(context.Background(), ep.URL, ServiceSTS, true, form); err == nil {
		t.Errorf("dropped call answered %d %s, expected a connection error", a.status, a.body)
	}
	if a := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil); a.status != http.StatusOK {
		t.Errorf("call after the drop: %d, expected 200", a.status)
	}
	got := ep.Requests()
	if len(got) != 2 || !got[0].Faulted || got[0].Status != 0 || got[1].Status != 200 {
		t.Errorf("recorded %+v, expected a faulted call with status 0 and then a 200", got)
	}
}

func TestEndpoint_failRefusesNonsensicalPlans(t *testing.T) {
	ep := &Endpoint{}
	tests := []struct {
		name   string
		action string
		times  int
		fault  Fault
	}{
		{"no action", "", 1, Throttling()},
		{"zero times", "ListRoles", 0, Throttling()},
		{"negative delay", "ListRoles", 1, Delay(-time.Second)},
		{"endless delay", "ListRoles", 1, Delay(time.Hour)},
		{"drop and answer", "ListRoles", 1, Fault{Drop: true, Code: "Throttling"}},
		{"reset and lose the answer", "ListRoles", 1, Fault{Reset: true, LoseAnswer: true}},
		{"lose the answer and answer", "ListRoles", 1, Fault{LoseAnswer: true, Code: "Throttling"}},
		{"status without code", "ListRoles", 1, Fault{Status: 400}},
		{"success status", "ListRoles", 1, AWSError(200, "Throttling", "Rate exceeded")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Fail(%q, %d, %+v) accepted the plan, expected a panic", tt.action, tt.times, tt.fault)
				}
			}()
			ep.Fail(tt.action, tt.times, tt.fault)
		})
	}
}

func TestServiceOf_readsTheCredentialScopeOrTheAction(t *testing.T) {
	tests := []struct {
		authorization, action, want string
	}{
		{"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab", "ListRoles", ServiceIAM},
		{"AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab", "GetCallerIdentity", ServiceSTS},
		// The scope wins over the action.
		{"AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/iam/aws4_request,SignedHeaders=host,Signature=ab", "GetCallerIdentity", ServiceIAM},
		{"", "AssumeRoleWithWebIdentity", ServiceSTS},
		{"", "GetCallerIdentity", ServiceSTS},
		{"", "CreateRole", ServiceIAM},
		{"garbage", "", ServiceIAM},
	}
	for _, tt := range tests {
		if got := serviceOf(tt.authorization, tt.action); got != tt.want {
			t.Errorf("serviceOf(%q, %q) = %q, expected %q", tt.authorization, tt.action, got, tt.want)
		}
	}
}

func TestEndpoint_recordsTheSigningKeyAndMotosAnswer(t *testing.T) {
	t.Parallel()
	ep := EndpointForTest(t)
	got := mustPost(t, ep.URL, ServiceSTS, "GetCallerIdentity", nil)
	if got.status != http.StatusOK {
		t.Fatalf("GetCallerIdentity: status %d", got.status)
	}
	form := url.Values{"Action": {"GetCallerIdentity"}, "Version": {apiVersions[ServiceSTS]}}
	if _, err := post(context.Background(), ep.URL, ServiceSTS, false, form); err != nil {
		t.Fatal(err)
	}
	reqs := ep.Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d calls, want 2", len(reqs))
	}
	if reqs[0].AccessKeyID != "test" {
		t.Errorf("AccessKeyID = %q, want the key of the Authorization header, %q", reqs[0].AccessKeyID, "test")
	}
	if reqs[1].AccessKeyID != "" {
		t.Errorf("an unsigned call recorded AccessKeyID %q", reqs[1].AccessKeyID)
	}
	if !bytes.Equal(reqs[0].Response, got.body) {
		t.Errorf("Response = %q, want moto's answer %q", reqs[0].Response, got.body)
	}
	if !bytes.Contains(reqs[0].Response, []byte("<Account>"+AccountID+"</Account>")) {
		t.Errorf("Response %q lacks the account", reqs[0].Response)
	}
}
