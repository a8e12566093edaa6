package provider

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
)

// motoUnknownActionPage is what moto 5.2.1's server answers, with status 500, for an
// action it does not implement (AddClientIDToOpenIDConnectProvider, in some builds).
const motoUnknownActionPage = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n" +
	"<p>The server encountered an internal error and was unable to complete your request. " +
	"Either the server is overloaded or there is an error in the application.</p>\n"

// TestDescribeAWSError_saysWhenTheEndpointDidNotAnswerAsAWSDoes calls a loopback
// endpoint through the client the provider builds: an HTML page instead of AWS's XML is
// described as such, naming the endpoint and the operation, not as the XML syntax error
// the SDK met in it; an AWS error keeps its code and message.
func TestDescribeAWSError_saysWhenTheEndpointDidNotAnswerAsAWSDoes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		switch form.Get("Action") {
		case "AddClientIDToOpenIDConnectProvider":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, motoUnknownActionPage)
		case "GetRole":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
		case "ListOpenIDConnectProviders":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<!doctype html><html lang=en><title>Welcome</title>")
		default:
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>`+
				`<Code>ValidationError</Code><Message>1 validation error detected</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	ctx := context.Background()
	client, diags := awsclient.New(ctx, awsclient.Config{
		Region: "us-east-1", AccessKey: "testing", SecretKey: "testing", IAMEndpoint: srv.URL, STSEndpoint: srv.URL,
		MaxRetries: 1, SkipCredentialsValidation: true, SkipRequestingAccountID: true, Version: "test",
	})
	if client == nil {
		t.Fatalf("AWS client: %v", diags)
	}

	_, err := client.IAM.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(providerARNFor("idp.test")), ClientID: aws.String("app"),
	})
	want := "the IAM endpoint " + srv.URL + " did not answer AddClientIDToOpenIDConnectProvider as AWS does (HTTP 500, not AWS's XML): " +
		"it may not implement that operation, or it failed without saying why. " +
		"Check that iam in the provider's endpoints block (or AWS_ENDPOINT_URL_IAM) names an IAM endpoint that implements AddClientIDToOpenIDConnectProvider."
	if got := describeAWSError(err); got != want {
		t.Errorf("an HTML 500 for AddClientIDToOpenIDConnectProvider (error %v) is described as\n%s\nwant\n%s", err, got, want)
	}
	if !strings.Contains(err.Error(), "XML syntax error") {
		t.Errorf("the SDK's error %q no longer holds the XML syntax error this test is about", err)
	}

	_, err = client.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	got := describeAWSError(err)
	if !strings.HasPrefix(got, "the IAM endpoint "+srv.URL+" did not answer GetRole as AWS does (HTTP 503, not AWS's XML): a proxy or gateway on the way answered instead") ||
		!strings.Contains(got, "Try again") {
		t.Errorf("a 503 page for GetRole (error %v) is described as %q", err, got)
	}

	_, err = client.IAM.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	want = "the IAM endpoint " + srv.URL + " did not answer ListOpenIDConnectProviders as AWS does (HTTP 200, not AWS's XML): it may not be an IAM endpoint at all, " +
		"or the answer was damaged on the way. Check that iam in the provider's endpoints block (or AWS_ENDPOINT_URL_IAM) names an IAM endpoint, and try again."
	if got := describeAWSError(err); got != want {
		t.Errorf("a web page for ListOpenIDConnectProviders (error %v) is described as\n%s\nwant\n%s", err, got, want)
	}

	_, err = client.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String("{}")})
	if got, want := describeAWSError(err), "ValidationError: 1 validation error detected"; got != want {
		t.Errorf("an AWS error is described as %q, want %q", got, want)
	}
}
