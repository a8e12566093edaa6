package provider

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idtoken"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// What awsoidc_trust_check does beyond translating values: read the role's policy,
// read and verify a token, and keep out of state what the user did not ask to keep.

// maxTokenFileBytes bounds what is read from token_file; STS takes tokens of at most
// 20000 characters.
const maxTokenFileBytes = 64 << 10

// defaultKeptClaims are the claims of a real token kept in state without being asked
// for: they say who issued the token, for which client and when, and name no person.
var defaultKeptClaims = []string{"iss", "aud", "azp", "amr", "exp", "nbf", "iat"}

// readTokenFile returns the token in a file, without surrounding white space. Its
// errors name the file, never its content.
func readTokenFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxTokenFileBytes {
		return "", fmt.Errorf("%s is larger than %d bytes; an ID token STS accepts is at most 20000 characters", name, maxTokenFileBytes)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	return tok, nil
}

// rolePolicy reads the trust policy of the role roleARN names. A role of another
// account than the provider's credentials is refused: reading it by name would read
// this account's role of the same name.
func rolePolicy(ctx context.Context, c *awsclient.Client, roleARN string, at path.Path, diags *diag.Diagnostics) (string, bool) {
	a, err := arn.Parse(roleARN)
	name, isRole := strings.CutPrefix(a.Resource, "role/")
	if err != nil || a.Service != "iam" || !isRole || name == "" {
		diags.AddAttributeError(at, "Invalid Role ARN",
			fmt.Sprintf("%q is not an IAM role ARN; expected arn:<partition>:iam::<account-id>:role/<path><name>, for example awsoidc_role.x.arn.", roleARN))
		return "", false
	}
	name = name[strings.LastIndex(name, "/")+1:]
	if c.AccountID != "" && a.AccountID != c.AccountID {
		diags.AddAttributeError(at, "Role In Another Account",
			fmt.Sprintf("role_arn %q is in account %s, but the provider's credentials are for account %s, so the role's trust policy cannot be read here; "+
				"reading role %q would read this account's role of that name instead. Use a provider configured for account %s "+
				"(for example with assume_role) for this data source, or pass the policy itself as trust_policy.", roleARN, a.AccountID, c.AccountID, name, a.AccountID))
		return "", false
	}
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		diags.AddAttributeError(at, "Cannot Read Role", fmt.Sprintf("reading the trust policy of %s: %s", roleARN, describeAWSError(err)))
		return "", false
	}
	// Without the account ID (skip_requesting_account_id), the role IAM returns tells.
	if got := aws.ToString(out.Role.Arn); got != "" && !strings.EqualFold(got, roleARN) {
		diags.AddAttributeError(at, "Role ARN Does Not Match",
			fmt.Sprintf("role_arn is %q, but the role named %q in the account of the provider's credentials is %q: the ARN names another account or path. "+
				"Use %q, or a provider configured for the account in role_arn.", roleARN, name, got, got))
		return "", false
	}
	return aws.ToString(out.Role.AssumeRolePolicyDocument), true
}

// tokenCheck is a real token to verify as STS would.
type tokenCheck struct {
	raw string
	// provider is the provider_arn given, or "" to find it from the token's iss.
	provider string
	// clientIDs are the client_ids given; when nil, they are read from IAM.
	clientIDs []string
}

// verifyToken checks a token as STS would and returns the result with the provider it
// comes through ("" when the policy trusts no provider for its iss). Keys are read
// only from that provider's issuer.
func verifyToken(ctx context.Context, data *providerData, policy trustpolicy.Policy, tc tokenCheck, diags *diag.Diagnostics) (idtoken.Result, string) {
	provider := tc.provider
	if provider == "" {
		// iss is read unverified only to choose among the providers the policy trusts.
		peeked, _ := idtoken.Peek(tc.raw)
		iss, _ := peeked["iss"].(string)
		provider = providerForIssuer(policy, iss)
	}
	opts := idtoken.Options{Audiences: tc.clientIDs}
	if provider != "" {
		opts.Issuer = issuerOf(provider)
	}
	if tc.clientIDs == nil && strings.HasPrefix(provider, "arn:") {
		opts.Audiences = providerClientIDs(ctx, data.aws, provider, diags)
	}
	fetch := func(ctx context.Context, url string) ([]byte, error) {
		r, err := data.idp.Get(ctx, url)
		if err != nil {
			return nil, err
		}
		return r.Body, nil
	}
	return idtoken.Verify(ctx, tc.raw, fetch, opts), provider
}

// providerClientIDs reads the client IDs IAM holds for providerARN, to check a token's
// aud against. When they cannot be read, a warning says the audience was not checked.
func providerClientIDs(ctx context.Context, c *awsclient.Client, providerARN string, diags *diag.Diagnostics) []string {
	const summary = "Token Audience Not Checked"
	const fix = "Set client_ids to the provider's client IDs to check it."
	a, err := oidcurl.ParseProviderARN(providerARN)
	if err != nil {
		diags.AddAttributeWarning(path.Root("provider_arn"), summary, fmt.Sprintf("The token's aud was not checked: %s. %s", err, fix))
		return nil
	}
	if c.AccountID != "" && a.AccountID != c.AccountID {
		diags.AddWarning(summary, fmt.Sprintf("The token's aud was not checked against the client IDs of %s: that provider is in account %s, "+
			"and the provider's credentials are for account %s. %s", providerARN, a.AccountID, c.AccountID, fix))
		return nil
	}
	p, err := getOIDCProvider(ctx, c.IAM, providerARN)
	switch {
	case awsclient.IsNotFound(err):
		diags.AddWarning(summary, fmt.Sprintf("The token's aud was not checked: IAM has no OpenID Connect provider %s in this account, "+
			"so STS would refuse the token with \"No OpenIDConnect provider found in your account\" until it is created. %s", providerARN, fix))
		return nil
	case err != nil:
		diags.AddWarning(summary, fmt.Sprintf("The token's aud was not checked against the client IDs of %s: %s. %s", providerARN, describeAWSError(err), fix))
		return nil
	}
	return p.clientIDs
}

// issuerOf is the https URL a token through provider must carry in iss.
func issuerOf(provider string) string {
	if a, err := oidcurl.ParseProviderARN(provider); err == nil {
		return a.URL()
	}
	return oidcurl.FromKey(provider)
}

// federated lists the Federated principals of the policy's statements.
func federated(policy trustpolicy.Policy) []string {
	var out []string
	for _, s := range policy.Statements {
		if s.Principal == nil {
			continue
		}
		for _, p := range s.Principal.ByType["Federated"] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// providerForIssuer picks the trusted provider whose URL is the token's iss, as STS
// matches them.
func providerForIssuer(policy trustpolicy.Policy, iss string) string {
	if iss == "" {
		return ""
	}
	for _, p := range federated(policy) {
		if idtoken.SameIssuer(iss, issuerOf(p)) {
			return p
		}
	}
	return ""
}

// soleProvider is the provider claims come through: the one trusted for their iss, or
// without an iss the only one trusted.
func soleProvider(policy trustpolicy.Policy, claims map[string]any) string {
	if iss, _ := claims["iss"].(string); iss != "" {
		return providerForIssuer(policy, iss)
	}
	if ps := federated(policy); len(ps) == 1 {
		return ps[0]
	}
	return ""
}

// claimFilter keeps a token's claims out of state unless they were asked for. A value
// of a claim not kept is replaced wherever the evaluation would repeat it: in the
// reasons' actual values and in the summary.
type claimFilter struct {
	kept   map[string]any
	hidden map[string]string // a value of a claim not kept → the claim's name
}

func newClaimFilter(claims map[string]any, keep []string) claimFilter {
	f := claimFilter{kept: map[string]any{}, hidden: map[string]string{}}
	keptValues := map[string]bool{}
	for name, v := range claims {
		if slices.Contains(defaultKeptClaims, name) || slices.Contains(keep, name) {
			f.kept[name] = v
			for _, s := range scalarStrings(v) {
				keptValues[s] = true
			}
			continue
		}
		for _, s := range scalarStrings(v) {
			f.hidden[s] = name
		}
	}
	// A value a kept claim also holds is in state anyway.
	for s := range keptValues {
		delete(f.hidden, s)
	}
	return f
}

// scalarStrings lists the strings and numbers in a claim's value, as the evaluator
// would show them. Booleans say nothing about anyone and are left alone.
func scalarStrings(v any) []string {
	switch t := v.(type) {
	case string:
		if t != "" {
			return []string{t}
		}
	case interface{ String() string }: // json.Number
		return []string{t.String()}
	case float64:
		return []string{strconv.FormatFloat(t, 'f', -1, 64)}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, scalarStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range t {
			out = append(out, scalarStrings(x)...)
		}
		return out
	}
	return nil
}

func (f claimFilter) placeholder(claim string) string {
	return fmt.Sprintf("(claim %q not kept)", claim)
}

// reasons returns rs with the values of claims not kept replaced.
func (f claimFilter) reasons(rs []trustpolicy.Reason) []trustpolicy.Reason {
	out := make([]trustpolicy.Reason, len(rs))
	for i, r := range rs {
		r.Actual = slices.Clone(r.Actual)
		for j, v := range r.Actual {
			if claim, ok := f.hidden[v]; ok {
				r.Actual[j] = f.placeholder(claim)
			}
		}
		r.Note = f.text(r.Note)
		out[i] = r
	}
	return out
}

// text replaces the quoted values of claims not kept in a sentence of the evaluator's.
func (f claimFilter) text(s string) string {
	for v, claim := range f.hidden {
		s = strings.ReplaceAll(s, strconv.Quote(v), f.placeholder(claim))
	}
	return s
}
