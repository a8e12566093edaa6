package awsclient

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiErr(code, msg string) error {
	// Wrapped, as the SDK returns it inside an OperationError.
	return fmt.Errorf("operation error IAM: CreateRole: %w", &smithy.GenericAPIError{Code: code, Message: msg})
}

func TestClassifiers_readTheAWSErrorCode(t *testing.T) {
	cases := []struct {
		err  error
		want map[string]bool
	}{
		{apiErr("NoSuchEntity", "Role x not found"), map[string]bool{"notfound": true}},
		{apiErr("EntityAlreadyExists", "exists"), map[string]bool{"exists": true}},
		{apiErr("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"), map[string]bool{"limit": true}},
		{apiErr("Throttling", "Rate exceeded"), map[string]bool{"throttled": true, "transient": true}},
		{apiErr("ConcurrentModification", "busy"), map[string]bool{"concurrent": true, "transient": true}},
		{apiErr("ServiceFailure", "oops"), map[string]bool{"transient": true}},
		{apiErr("MalformedPolicyDocument", `Invalid principal in policy: "Federated":"arn:aws:iam::1:oidc-provider/x"`), map[string]bool{"principal": true, "transient": true}},
		{apiErr("MalformedPolicyDocument", "Syntax errors in policy."), map[string]bool{}},
		{errors.New("dial tcp: connection refused"), map[string]bool{}},
	}
	for _, c := range cases {
		got := map[string]bool{
			"notfound":   IsNotFound(c.err),
			"exists":     IsAlreadyExists(c.err),
			"limit":      IsLimitExceeded(c.err),
			"throttled":  IsThrottled(c.err),
			"concurrent": IsConcurrentModification(c.err),
			"principal":  IsInvalidPrincipal(c.err),
			"transient":  IsTransient(c.err),
		}
		for k, v := range got {
			if v != c.want[k] {
				t.Errorf("%v: %s = %v, want %v", c.err, k, v, c.want[k])
			}
		}
	}
}

func TestExplainWebIdentityError_pointsAtTheLikelyCause(t *testing.T) {
	cases := []struct {
		code, msg       string
		summary, phrase string
	}{
		{"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "Token Not Allowed To Assume Role", "awsoidc_trust_check"},
		{"InvalidIdentityToken", "Incorrect token audience", "Invalid Identity Token", "client_ids"},
		{"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://idp.test/", "Invalid Identity Token", "trailing slash"},
		{"InvalidIdentityToken", "The OpenID Connect provider's HTTPS certificate doesn't match configured thumbprint", "Invalid Identity Token", "awsoidc_thumbprint"},
		{"InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider", "Invalid Identity Token", "jwks_uri"},
		{"ExpiredTokenException", "Token expired", "Expired Identity Token", "fresh token"},
		{"IDPCommunicationError", "timeout", "Identity Provider Unreachable", "port 443"},
		{"PackedPolicyTooLarge", "too large", "Invalid Session Policy", "2048"},
		{"RegionDisabledException", "disabled", "STS Region Disabled", "Activate STS"},
		{"SomethingNew", "who knows", "Cannot Assume Role With Web Identity", "SomethingNew: who knows"},
	}
	for _, c := range cases {
		summary, detail := ExplainWebIdentityError(apiErr(c.code, c.msg))
		if summary != c.summary {
			t.Errorf("%s %q: summary %q, want %q", c.code, c.msg, summary, c.summary)
		}
		if !strings.Contains(detail, c.phrase) || !strings.Contains(detail, c.msg) {
			t.Errorf("%s %q: detail %q should quote STS and mention %q", c.code, c.msg, detail, c.phrase)
		}
	}
}

// withStatus wraps err as the SDK returns a failed call: an OperationError around a
// ResponseError that carries the HTTP status.
func withStatus(status int, err error) error {
	return &smithy.OperationError{ServiceID: "IAM", OperationName: "GetRole", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err},
		RequestID:     "req-0000",
	}}
}

func TestIsHopeless_tellsWhatNoRetryCanFix(t *testing.T) {
	htmlSyntax := fmt.Errorf("error while deserializing xml error response: %w", &xml.SyntaxError{Msg: "unquoted or missing attribute value in element", Line: 2})
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"invalid input", withStatus(400, &smithy.GenericAPIError{Code: "InvalidInput", Message: "bad url"}), true},
		{"validation error", withStatus(400, &smithy.GenericAPIError{Code: "ValidationError", Message: "1 validation error detected"}), true},
		{"malformed policy", withStatus(400, &smithy.GenericAPIError{Code: "MalformedPolicyDocument", Message: "Syntax errors in policy."}), true},
		{"invalid principal is propagation", withStatus(400, &smithy.GenericAPIError{Code: "MalformedPolicyDocument", Message: `Invalid principal in policy: "Federated":"arn"`}), false},
		{"quota", withStatus(409, &smithy.GenericAPIError{Code: "LimitExceeded", Message: "Cannot exceed quota"}), true},
		{"exists", withStatus(409, &smithy.GenericAPIError{Code: "EntityAlreadyExists", Message: "exists"}), true},
		{"not found", withStatus(404, &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "gone"}), true},
		{"unknown action", withStatus(400, &smithy.GenericAPIError{Code: "InvalidAction", Message: "Could not find operation AddClientIDToOpenIDConnectProvider for version 2010-05-08"}), true},
		{"not implemented message", withStatus(400, &smithy.GenericAPIError{Code: "Unsupported", Message: "The AddClientID action has not been implemented"}), true},
		{"501", withStatus(501, &smithy.GenericAPIError{Code: "UnknownError", Message: "UnknownError"}), true},
		{"moto's unknown action, once: 500 and an HTML page", withStatus(500, htmlSyntax), false},
		{"moto's unknown action, the last attempt", &repeatedServerPage{err: withStatus(500, htmlSyntax)}, true},
		{"404 page", withStatus(404, htmlSyntax), true},
		{"200 that is not the service's XML", withStatus(200, &smithy.DeserializationError{Err: errors.New("failed to decode response body, EOF")}), true},
		{"empty 500, once", withStatus(500, &smithy.GenericAPIError{Code: "UnknownError", Message: "UnknownError"}), false},
		{"throttling", withStatus(400, &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}), false},
		{"service failure", withStatus(500, &smithy.GenericAPIError{Code: "ServiceFailure", Message: "oops"}), false},
		{"concurrent modification", withStatus(409, &smithy.GenericAPIError{Code: "ConcurrentModification", Message: "busy"}), false},
		{"IdP unreachable", withStatus(400, &smithy.GenericAPIError{Code: "IDPCommunicationError", Message: "timeout"}), false},
		{"gateway page", withStatus(502, htmlSyntax), false},
		{"unavailable page", withStatus(503, htmlSyntax), false},
		{"gateway timeout page", withStatus(504, htmlSyntax), false},
		{"rate limited by a proxy", withStatus(429, htmlSyntax), false},
		{"connection reset", &smithy.OperationError{Err: &smithyhttp.RequestSendError{Err: errors.New("read tcp: connection reset by peer")}}, false},
		{"answer cut short", withStatus(200, &smithy.DeserializationError{Err: fmt.Errorf("failed to decode response body, %w", io.ErrUnexpectedEOF)}), false},
		{"XML that stops early", withStatus(200, &smithy.DeserializationError{Err: &xml.SyntaxError{Msg: "unexpected EOF", Line: 1}}), false},
		{"timeout", &smithy.OperationError{Err: &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}}, false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		if got := IsHopeless(c.err); got != c.want {
			t.Errorf("%s: IsHopeless(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// motoUnknownAction is what moto 5.2.1's server answers for an action it does not
// implement: its NotImplementedError becomes werkzeug's 500 page.
const motoUnknownAction = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n" +
	"<p>The server encountered an internal error and was unable to complete your request. " +
	"Either the server is overloaded or there is an error in the application.</p>\n"

// Calls through the provider's client against a loopback endpoint: a hopeless error
// ends the call at its first attempt; a transient one is retried max_retries times, so
// made max_retries + 1 times in all.
func TestClient_hopelessErrorsFailAtTheFirstAttempt(t *testing.T) {
	const maxRetries = 2
	type call func(ctx context.Context, c *Client, key string) error
	getRole := func(ctx context.Context, c *Client, key string) error {
		_, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(key)})
		return err
	}
	addClientID := func(ctx context.Context, c *Client, key string) error {
		_, err := c.IAM.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(providerARNPrefix + "idp.test"), ClientID: aws.String(key)})
		return err
	}
	createRoleWaitingForPropagation := func(ctx context.Context, c *Client, key string) error {
		_, err := c.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(key), AssumeRolePolicyDocument: aws.String(trustDocument(1))}, WithPropagationRetry)
		return err
	}
	assumeRole := func(ctx context.Context, c *Client, key string) error {
		_, err := c.AssumeRoleWithWebIdentity(ctx, WebIdentityRequest{RoleARN: "arn:aws:iam::123456789012:role/r", Token: "t.t.t", SessionName: key})
		return err
	}
	ok := func(form url.Values) answer { return echoIAM(form) }
	cases := []struct {
		name     string
		call     call
		answer   func(form url.Values, attempt int) answer
		attempts int
		success  bool
	}{
		// A server error page is tried again, but never more than ServerPageAttempts times.
		{"moto without the client-ID calls", addClientID, func(url.Values, int) answer { return answer{500, motoUnknownAction} }, min(maxRetries+1, ServerPageAttempts), false},
		{"unknown action", addClientID, func(url.Values, int) answer {
			return queryError(400, "InvalidAction", "Could not find operation AddClientIDToOpenIDConnectProvider for version 2010-05-08")
		}, 1, false},
		{"501 page", getRole, func(url.Values, int) answer { return answer{501, "<html><body>Not Implemented</body></html>"} }, 1, false},
		{"404 page", getRole, func(url.Values, int) answer { return answer{404, "404 page not found\n"} }, 1, false},
		{"200 page", getRole, func(url.Values, int) answer {
			return answer{200, "<!doctype html><html lang=en><title>Welcome</title>"}
		}, 1, false},
		{"invalid input", getRole, func(url.Values, int) answer { return queryError(400, "InvalidInput", "bad") }, 1, false},
		{"validation error", getRole, func(url.Values, int) answer { return queryError(400, "ValidationError", "1 validation error detected") }, 1, false},
		{"quota", getRole, func(url.Values, int) answer { return queryError(409, "LimitExceeded", "Cannot exceed quota") }, 1, false},
		{"not found", getRole, func(url.Values, int) answer { return queryError(404, "NoSuchEntity", "gone") }, 1, false},
		{"malformed policy", createRoleWaitingForPropagation, func(url.Values, int) answer {
			return queryError(400, "MalformedPolicyDocument", "Syntax errors in policy.")
		}, 1, false},
		{"exists", createRoleWaitingForPropagation, func(url.Values, int) answer { return queryError(409, "EntityAlreadyExists", "exists") }, 1, false},

		{"throttling", getRole, func(url.Values, int) answer { return queryError(400, "Throttling", "Rate exceeded") }, maxRetries + 1, false},
		{"service failure", getRole, func(url.Values, int) answer { return queryError(500, "ServiceFailure", "oops") }, maxRetries + 1, false},
		{"gateway page", getRole, func(url.Values, int) answer { return answer{503, "<html><body>Service Unavailable</body></html>"} }, maxRetries + 1, false},
		{"connection dropped", getRole, func(url.Values, int) answer { return dropConnection }, maxRetries + 1, false},
		{"throttled once", getRole, func(form url.Values, attempt int) answer {
			if attempt == 1 {
				return queryError(400, "Throttling", "Rate exceeded")
			}
			return queryResult("GetRole", "<Role><RoleName>"+form.Get("RoleName")+"</RoleName><Path>/</Path><RoleId>AROA1</RoleId>"+
				"<Arn>arn:aws:iam::123456789012:role/r</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>")
		}, 2, true},
		{"invalid principal while the provider propagates", createRoleWaitingForPropagation, func(form url.Values, attempt int) answer {
			if attempt == 1 {
				return queryError(400, "MalformedPolicyDocument", `Invalid principal in policy: "Federated":"arn:aws:iam::123456789012:oidc-provider/idp.test"`)
			}
			return ok(form)
		}, 2, true},
		{"IdP unreachable from STS", assumeRole, func(url.Values, int) answer { return queryError(400, "IDPCommunicationError", "timeout") }, WebIdentityAttempts, false},
		{"expired token", assumeRole, func(url.Values, int) answer { return queryError(400, "ExpiredTokenException", "expired") }, 1, false},
	}

	var mu sync.Mutex
	attempts := map[string]int{}
	answers := map[string]func(url.Values, int) answer{}
	for _, c := range cases {
		answers[c.name] = c.answer
	}
	srv := startQueryServer(t, func(form url.Values) answer {
		key := form.Get("RoleName") + form.Get("ClientID") + form.Get("RoleSessionName")
		mu.Lock()
		attempts[key]++
		n := attempts[key]
		mu.Unlock()
		if a, found := answers[key]; found {
			return a(form, n)
		}
		return queryError(400, "InvalidInput", "unknown test case "+key)
	})
	ctx := context.Background()
	c := newTestClient(ctx, t, srv, maxRetries)

	type result struct {
		err     error
		elapsed time.Duration
	}
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := tc.call(ctx, c, tc.name)
			results[i] = result{err, time.Since(start)}
		}()
	}
	wg.Wait()
	for i, tc := range cases {
		mu.Lock()
		got := attempts[tc.name]
		mu.Unlock()
		if got != tc.attempts {
			t.Errorf("%s: %d attempts, want %d (error: %v)", tc.name, got, tc.attempts, results[i].err)
		}
		if (results[i].err == nil) != tc.success {
			t.Errorf("%s: error %v, want success %v", tc.name, results[i].err, tc.success)
		}
		t.Logf("%s: %d attempts in %s", tc.name, got, results[i].elapsed.Round(time.Millisecond))
	}
}

func TestAsNotAWSAnswer_tellsTheOperationEndpointAndStatus(t *testing.T) {
	htmlSyntax := fmt.Errorf("error while deserializing xml error response: %w", &xml.SyntaxError{Msg: "unquoted or missing attribute value in element", Line: 2})
	if a, ok := AsNotAWSAnswer(withStatus(500, htmlSyntax)); !ok || a != (NotAWSAnswer{Service: "IAM", Operation: "GetRole", Status: 500}) || a.FromGateway() {
		t.Errorf("an HTML 500: %+v %v", a, ok)
	}
	if a, ok := AsNotAWSAnswer(withStatus(503, htmlSyntax)); !ok || !a.FromGateway() {
		t.Errorf("an HTML 503 is a gateway's answer: %+v %v", a, ok)
	}
	for _, err := range []error{
		nil,
		withStatus(400, &smithy.GenericAPIError{Code: "ValidationError", Message: "bad"}),
		withStatus(200, &smithy.DeserializationError{Err: &xml.SyntaxError{Msg: "unexpected EOF", Line: 1}}),
		&smithy.OperationError{Err: &smithyhttp.RequestSendError{Err: errors.New("connection reset by peer")}},
	} {
		if a, ok := AsNotAWSAnswer(err); ok {
			t.Errorf("%v is AWS's answer or no answer at all, yet read as %+v", err, a)
		}
	}

	// Through the provider's client, the endpoint is the one the request went to.
	srv := startQueryServer(t, func(url.Values) answer { return answer{500, motoUnknownAction} })
	c := newTestClient(context.Background(), t, srv, 1)
	_, err := c.IAM.AddClientIDToOpenIDConnectProvider(context.Background(), &iam.AddClientIDToOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(providerARNPrefix + "idp.test"), ClientID: aws.String("app")})
	want := NotAWSAnswer{Service: "IAM", Operation: "AddClientIDToOpenIDConnectProvider", Endpoint: srv.URL, Status: 500}
	if a, ok := AsNotAWSAnswer(err); !ok || a != want {
		t.Errorf("moto's page for an action it lacks (%v): %+v %v, want %+v", err, a, ok, want)
	}
}

// TestClient_serverPagesAreTriedAFewTimesOnly pins the bound on server error pages that are
// not AWS's: an endpoint that never implements the operation is given up on after
// ServerPageAttempts attempts, however many max_retries allows, while one that broke on a
// request once answers the next attempt.
func TestClient_serverPagesAreTriedAFewTimesOnly(t *testing.T) {
	const maxRetries = 10
	var mu sync.Mutex
	attempts := map[string]int{}
	srv := startQueryServer(t, func(form url.Values) answer {
		key := form.Get("RoleName")
		mu.Lock()
		attempts[key]++
		n := attempts[key]
		mu.Unlock()
		if key == "always" || n < ServerPageAttempts {
			return answer{500, motoUnknownAction}
		}
		return queryResult("GetRole", "<Role><RoleName>"+key+"</RoleName><Path>/</Path><RoleId>AROA1</RoleId>"+
			"<Arn>arn:aws:iam::123456789012:role/"+key+"</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>")
	})
	ctx := context.Background()
	c := newTestClient(ctx, t, srv, maxRetries)

	_, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("always")})
	if err == nil || !IsHopeless(err) {
		t.Errorf("an endpoint that always answers a server page: error %v, want one IsHopeless reports", err)
	}
	if _, ok := AsNotAWSAnswer(err); !ok {
		t.Errorf("the final error %v no longer says the answer was not AWS's", err)
	}
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("recovers")})
	if err != nil || aws.ToString(out.Role.RoleName) != "recovers" {
		t.Errorf("an endpoint that answers server pages %d times, then the role: %v, %v", ServerPageAttempts-1, out, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts["always"] != ServerPageAttempts {
		t.Errorf("always a server page: %d attempts, want %d", attempts["always"], ServerPageAttempts)
	}
	if attempts["recovers"] != ServerPageAttempts {
		t.Errorf("server pages, then the role: %d attempts, want %d", attempts["recovers"], ServerPageAttempts)
	}
}
