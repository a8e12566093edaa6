package awsclient

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// answer is what a fake AWS endpoint sends back for one call.
type answer struct {
	status int
	body   string
}

// startQueryServer serves the AWS Query protocol on loopback: each POST's form goes to
// answerFor, whose answer is sent as text/xml (or as given when the body is not XML).
func startQueryServer(t *testing.T, answerFor func(form url.Values) answer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeAnswer(w, queryError(http.StatusBadRequest, "MalformedQueryString", "cannot parse the form: "+err.Error()))
			return
		}
		writeAnswer(w, answerFor(form))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// dropConnection is an answer that closes the connection without a response.
var dropConnection = answer{}

func writeAnswer(w http.ResponseWriter, a answer) {
	if a.status == 0 {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close()
		}
		return
	}
	contentType := "text/xml"
	if !strings.HasPrefix(a.body, "<") || strings.HasPrefix(strings.ToLower(a.body), "<!doctype html") {
		contentType = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", "req-0000")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

// queryResult wraps result in <{action}Response><{action}Result>, as IAM and STS answer.
func queryResult(action, result string) answer {
	return answer{http.StatusOK, fmt.Sprintf(`<%[1]sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`+
		`<%[1]sResult>%[2]s</%[1]sResult><ResponseMetadata><RequestId>req-0000</RequestId></ResponseMetadata></%[1]sResponse>`,
		action, result)}
}

// queryError is an AWS Query error document, as IAM and STS send it.
func queryError(status int, code, msg string) answer {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	return answer{status, fmt.Sprintf(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`+
		`<Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-0000</RequestId></ErrorResponse>`,
		typ, code, html.EscapeString(msg))}
}

// newTestClient builds the client exactly as the provider does, with static keys and
// both endpoints on srv, and no call made while building it.
func newTestClient(ctx context.Context, t *testing.T, srv *httptest.Server, maxRetries int) *Client {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	c, diags := New(ctx, Config{
		Region:                    "us-east-1",
		AccessKey:                 testAccessKey,
		SecretKey:                 testSecretKey,
		IAMEndpoint:               srv.URL,
		STSEndpoint:               srv.URL,
		MaxRetries:                maxRetries,
		SkipCredentialsValidation: true,
		SkipRequestingAccountID:   true,
		Version:                   "test",
	})
	for _, d := range diags {
		if d.Error {
			t.Fatalf("New: %s", d)
		}
	}
	return c
}

const (
	testAccessKey = "AKIAIOSFODNN7EXAMPLE"
	testSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)
