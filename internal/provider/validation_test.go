package provider

import (
	"strings"
	"testing"
)

// TestAccProvider_invalidConfigurationsFailAtPlan runs each invalid configuration through
// terraform plan: it must fail on the right attribute, say which rule, and send IAM nothing.
func TestAccProvider_invalidConfigurationsFailAtPlan(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	res := func(url, body string) string { return providerResourceConfig(url, body) }
	ok := "https://idp.example.com"

	cases := []invalidConfig{
		{"http scheme", res("http://idp.example.com", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", `the scheme is "http"; IAM accepts only https`)},
		{"no scheme", res("idp.example.com", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "has no https:// scheme")},
		{"port", res("https://idp.example.com:8443", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "has a port")},
		{"explicit 443", res("https://idp.example.com:443/x", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "has a port")},
		{"query", res("https://idp.example.com/?tenant=1", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "has a query")},
		{"fragment", res("https://idp.example.com/#x", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "has a fragment")},
		{"user info", res("https://me:secret@idp.example.com", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "has user info")},
		{"256 characters", res("https://"+long(248), `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "256 characters long; IAM accepts at most 255")},
		{"built-in Google", res("https://accounts.google.com", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "built into AWS", `trust { built_in = "accounts.google.com" }`)},
		{"built-in Cognito", res("https://cognito-identity.amazonaws.com", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "Amazon Cognito identity pools")},
		{"empty url", res("", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "the URL is empty")},
		{"IP literal", res("https://[::1]/x", `client_ids = ["a"]`),
			attributeErrorPattern("Invalid OIDC Provider URL", "url", "IP address literal")},
		{"thumbprint of 39 characters", res(ok, `
  client_ids  = ["a"]
  thumbprints = ["`+tpA[:39]+`"]`),
			attributeErrorPattern("Invalid Thumbprint", "thumbprints", `Thumbprint "`+tpA[:39]+`" is 39 characters`, `"It is always a 40-character string"`, "CreateOpenIDConnectProvider")},
		{"thumbprint of 41 characters", res(ok, `
  client_ids  = ["a"]
  thumbprints = ["`+tpA+`0"]`),
			attributeErrorPattern("Invalid Thumbprint", "thumbprints", "is 41 characters")},
		{"non-hex thumbprint", res(ok, `
  client_ids  = ["a"]
  thumbprints = ["`+strings.Repeat("g", 40)+`"]`),
			attributeErrorPattern("Invalid Thumbprint", "thumbprints", "has characters other than 0-9 and a-f")},
		{"thumbprint with colons", res(ok, `
  client_ids  = ["a"]
  thumbprints = ["9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B:02:E2:2D:A2:B0:AB:72:80"]`),
			attributeErrorPattern("Invalid Thumbprint", "thumbprints", "is 59 characters; remove the colons")},
		{"six thumbprints", res(ok, `
  client_ids  = ["a"]
  thumbprints = [for i in range(6) : format("%040x", i)]`),
			attributeErrorPattern("Too Many Thumbprints", "thumbprints", "has 6 thumbprints", `"IAM lets you have up to five thumbprints for an OIDC provider"`, "leave thumbprints unset")},
		{"same thumbprint in two cases", res(ok, `
  client_ids  = ["a"]
  thumbprints = ["`+tpA+`", "`+strings.ToUpper(tpA)+`"]`),
			attributeErrorPattern("Duplicate Thumbprint", "thumbprints", "are the same thumbprint in different case")},
		{"no client ID", res(ok, `client_ids = []`),
			attributeErrorPattern("No Client IDs", "client_ids", "client_ids is empty", "sts.amazonaws.com")},
		{"client_ids missing", res(ok, ``),
			errorPattern("Missing required argument", `The argument "client_ids" is required`)},
		{"101 client IDs", res(ok, `client_ids = [for i in range(101) : "client-${i}"]`),
			attributeErrorPattern("Too Many Client IDs", "client_ids", "has 101 client IDs", `"You cannot register more than 100 client IDs with a single IAM OIDC provider"`,
				"CreateOpenIDConnectProvider, ClientIDList", "ClientIdsPerOpenIdConnectProvider", "share one audience")},
		{"256-character client ID", res(ok, `client_ids = ["`+long(256)+`"]`),
			attributeErrorPattern("Invalid Client ID", "client_ids", "is 256 characters", "accepts client IDs up to 255 characters long")},
		{"empty client ID", res(ok, `client_ids = [""]`),
			attributeErrorPattern("Invalid Client ID", "client_ids", "holds an empty string")},
		{"reserved tag key", res(ok, `
  client_ids = ["a"]
  tags       = { "aws:owner" = "me" }`),
			attributeErrorPattern("Reserved Tag Key", "tags", `"aws:owner" starts with aws:`)},
		{"51 tags", res(ok, `
  client_ids = ["a"]
  tags       = { for i in range(51) : "k${i}" => "v" }`),
			attributeErrorPattern("Invalid Attribute Value", "tags", "map must contain at most 50 elements, got: 51")},
		{"129-character tag key", res(ok, `
  client_ids = ["a"]
  tags       = { "`+long(129)+`" = "v" }`),
			attributeErrorPattern("Invalid Attribute Value Length", "tags", "string length must be between 1 and 128, got: 129")},
		{"257-character tag value", res(ok, `
  client_ids = ["a"]
  tags       = { k = "`+long(257)+`" }`),
			attributeErrorPattern("Invalid Attribute Value Length", "tags", "string length must be at most 256, got: 257")},
		{"data source with http URL", `
data "awsoidc_provider" "test" {
  url = "http://idp.example.com"
}`, attributeErrorPattern("Invalid OIDC Provider URL", "url", `the scheme is "http"`)},
		{"data source with a role ARN", `
data "awsoidc_provider" "test" {
  arn = "arn:aws:iam::123456789012:role/deploy"
}`, attributeErrorPattern("Invalid OIDC Provider ARN", "arn", "is not an OIDC provider ARN")},
		{"data source with url and arn", `
data "awsoidc_provider" "test" {
  url = "https://idp.example.com"
  arn = "arn:aws:iam::123456789012:oidc-provider/idp.example.com"
}`, attributeErrorPattern("Invalid Attribute Combination", "url", "Exactly one of these attributes must be configured: [url,arn]")},
	}

	invalidConfigsFailAtPlan(t, 25, cases)
}
