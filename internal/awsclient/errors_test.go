package awsclient

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
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
