// Package oidcurl holds the rules IAM applies to an OpenID Connect identity provider URL,
// and the names derived from it: the provider ARN and the condition-key prefix.
//
// IAM keeps the URL case-sensitive and byte-exact apart from the scheme: `https://x/` and
// `https://x` are two different providers (`x/` and `x`), and STS matches a token's `iss`
// against the registered URL exactly. Nothing here lower-cases or trims.
package oidcurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxLength is the longest URL IAM accepts, scheme included.
const MaxLength = 255

const scheme = "https://"

// builtIn lists issuers AWS trusts without an IAM OIDC provider; IAM refuses to create one.
var builtIn = map[string]string{
	"accounts.google.com":            "Google",
	"graph.facebook.com":             "Facebook",
	"www.amazon.com":                 "Login with Amazon",
	"cognito-identity.amazonaws.com": "Amazon Cognito identity pools",
}

// URL is a validated IAM OIDC provider URL.
type URL struct {
	raw  string // as written, with https://
	host string
	path string // may be empty, may end in "/"
}

// Error is a rule a URL breaks: what was found, the rule, and how to fix it.
type Error struct {
	Value string
	Rule  string
	Fix   string
	// BuiltIn is set when the only fault is that AWS trusts this issuer without a provider.
	BuiltIn bool
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%q: %s", e.Value, e.Rule)
	if e.Fix != "" {
		msg += ". " + e.Fix
	}
	return msg
}

// Parse validates raw as the URL of an IAM OIDC provider. raw must start with https://.
func Parse(raw string) (URL, error) { return parse(raw, false) }

// ParseIssuer is Parse for an issuer that may be one AWS has built in (Google, Cognito
// identity pools, ...): such issuers have condition keys but no IAM provider.
func ParseIssuer(raw string) (URL, error) { return parse(raw, true) }

func parse(raw string, allowBuiltIn bool) (URL, error) {
	fail := func(rule, fix string) (URL, error) {
		return URL{}, &Error{Value: raw, Rule: rule, Fix: fix}
	}
	if raw == "" {
		return fail("the URL is empty", "Use the issuer URL of the identity provider, for example https://token.actions.githubusercontent.com")
	}
	if strings.TrimSpace(raw) != raw {
		return fail("the URL has leading or trailing white space", "Remove the white space")
	}
	if len(raw) > MaxLength {
		return fail(fmt.Sprintf("the URL is %d characters long; IAM accepts at most %d", len(raw), MaxLength), "Use a shorter issuer URL")
	}
	if !strings.HasPrefix(raw, scheme) {
		if i := strings.Index(raw, "://"); i >= 0 {
			return fail(fmt.Sprintf("the scheme is %q; IAM accepts only https", raw[:i]), "Use https://"+raw[i+3:])
		}
		return fail("the URL has no https:// scheme", "Write it as https://"+raw)
	}
	rest := raw[len(scheme):]
	if strings.ContainsAny(rest, " \t\r\n\\") {
		return fail("the URL contains white space or a backslash", "Remove them")
	}
	if strings.Contains(rest, "#") {
		return fail("the URL has a fragment (#...); IAM refuses fragments", "Remove everything from # on")
	}
	if strings.Contains(rest, "?") {
		return fail("the URL has a query (?...); IAM refuses query strings", "Remove everything from ? on")
	}
	hostPort, path, _ := strings.Cut(rest, "/")
	if path != "" || strings.HasSuffix(rest, "/") {
		path = "/" + path
	}
	if strings.Contains(hostPort, "@") {
		return fail("the URL has user info (user@host); IAM refuses credentials in the URL", "Remove the part up to and including @")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail("the URL cannot be parsed: "+unwrapURLError(err), "Check the spelling")
	}
	if u.Port() != "" || strings.HasSuffix(hostPort, ":") {
		return fail("the URL has a port; IAM accepts only the default https port", "Remove :"+u.Port()+" and serve the issuer on port 443")
	}
	host := u.Hostname()
	if host == "" {
		return fail("the URL has no host", "Write the issuer host, for example https://idp.example.com")
	}
	if strings.HasPrefix(hostPort, "[") {
		return fail("the host is an IP address literal; an OIDC issuer is a DNS name", "Use the issuer's host name")
	}
	if i := strings.IndexFunc(host, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_')
	}); i >= 0 {
		return fail(fmt.Sprintf("the host contains %q; a host name has only letters, digits, '-' and '.'", host[i:i+1]), "Check the spelling of the host")
	}
	if i := strings.IndexFunc(path, func(r rune) bool { return r <= ' ' || r > '~' }); i >= 0 {
		return fail("the path contains a character outside printable ASCII", "Percent-encode it exactly as the issuer writes it in its tokens")
	}
	if strings.Contains(path, "//") {
		return fail("the path has an empty segment (//)", "Remove the doubled slash; the URL must equal the token's iss claim")
	}
	if name, ok := builtIn[strings.ToLower(host)]; ok && (path == "" || path == "/") && !allowBuiltIn {
		key := strings.ToLower(host)
		return URL{}, &Error{Value: raw, BuiltIn: true,
			Rule: fmt.Sprintf("%s (%s) is built into AWS; IAM refuses to create an OIDC provider for it", host, name),
			Fix: fmt.Sprintf("Remove this provider and trust the issuer directly in awsoidc_role: trust { built_in = %q } "+
				"(no IAM provider, no provider_arn)", key)}
	}
	return URL{raw: raw, host: host, path: path}, nil
}

func unwrapURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// String is the URL as written, with https://.
func (u URL) String() string { return u.raw }

// Host is the host name as written.
func (u URL) Host() string { return u.host }

// Path is the path as written ("" when there is none); a trailing slash is kept.
func (u URL) Path() string { return u.path }

// Key is the form IAM registers and prints: the URL without https://. It is the
// condition-key prefix (`<Key>:aud`) and the last part of the provider ARN.
func (u URL) Key() string { return u.host + u.path }

// ConditionKey is the trust-policy condition key for a claim, e.g. `idp.example.com:sub`.
func (u URL) ConditionKey(claim string) string { return u.Key() + ":" + claim }

// ProviderARN is the ARN IAM gives the provider in the given partition and account.
func (u URL) ProviderARN(partition, accountID string) string {
	return ProviderARNForKey(partition, accountID, u.Key())
}

// ProviderARNForKey builds an OIDC provider ARN from a scheme-less key.
func ProviderARNForKey(partition, accountID, key string) string {
	if partition == "" {
		partition = "aws"
	}
	return fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, accountID, key)
}

// FromKey turns the scheme-less URL IAM returns into the https URL users write.
func FromKey(key string) string {
	if strings.HasPrefix(key, scheme) {
		return key
	}
	return scheme + key
}

// KeyOf strips https:// when present, so the URL users write and the one IAM returns compare.
func KeyOf(raw string) string {
	return strings.TrimPrefix(raw, scheme)
}

// Equal reports whether two spellings name the same IAM provider: the scheme may be
// present or not; everything else, case and trailing slash included, must match.
func Equal(a, b string) bool { return KeyOf(a) == KeyOf(b) }

// BuiltIn reports whether host is an issuer AWS trusts without an IAM provider, and its name.
func BuiltIn(host string) (string, bool) {
	name, ok := builtIn[strings.ToLower(host)]
	return name, ok
}

// ProviderARN is a parsed IAM OIDC provider ARN.
type ProviderARN struct {
	Partition string
	AccountID string
	Key       string // host and path, e.g. token.actions.githubusercontent.com
}

// URL is the https URL of the provider.
func (a ProviderARN) URL() string { return FromKey(a.Key) }

func (a ProviderARN) String() string { return ProviderARNForKey(a.Partition, a.AccountID, a.Key) }

// ParseProviderARN splits arn:<partition>:iam::<account>:oidc-provider/<host><path>.
func ParseProviderARN(arn string) (ProviderARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" {
		return ProviderARN{}, fmt.Errorf("%q is not an IAM ARN; expected arn:<partition>:iam::<account-id>:oidc-provider/<host><path>", arn)
	}
	account := parts[4]
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		return ProviderARN{}, fmt.Errorf("%q has account ID %q; expected a 12-digit account ID", arn, account)
	}
	key, ok := strings.CutPrefix(parts[5], "oidc-provider/")
	if !ok || key == "" || strings.HasPrefix(key, "/") {
		return ProviderARN{}, fmt.Errorf("%q is not an OIDC provider ARN; expected the resource part oidc-provider/<host><path>", arn)
	}
	return ProviderARN{Partition: parts[1], AccountID: account, Key: key}, nil
}
