package provider

import (
	"context"
	"encoding/json"
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
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idtoken"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/trustpolicy"
)

// What awsoidc_trust_check does beyond translating values: read the role's policy,
// read and verify a token, and keep out of state what the user did not ask to keep.

// trustCheckDocs are the descriptions both forms of awsoidc_trust_check share.
var trustCheckDocs = struct {
	intro, verification, evaluation                              string
	trustPolicy, roleARN, tokenFile, claims, provider, clientIDs string
	allowed, matched, summary, reasons, problems                 string
}{
	intro: "Answers \"would this token be allowed to assume this role?\" as STS would, and says why, before anyone runs a pipeline.",
	verification: "the token is first verified as STS does: signature against the keys the trusted issuer publishes (read through the provider's proxy and CA settings; " +
		"only keys published for signatures, `use` absent or `sig`, and for the token's `alg` count), `kid`, `iss` against the trusted provider " +
		"(Google's `accounts.google.com` with or without `https://`), `aud` against the provider's client IDs, `exp`, `nbf` and `iat` (5 minutes of clock skew). " +
		"Keys are read only from an issuer the trust policy trusts, never from a URL the token names: a token whose `iss` no trusted provider has is refused without any request. " +
		"With `claims`, only the policy is evaluated.",
	evaluation: "The evaluation models `StringEquals`, `StringLike`, their `Not`, `IgnoreCase` and `IfExists` forms, `Null`, the `ForAnyValue:` and `ForAllValues:` qualifiers " +
		"(`ForAllValues:` is true when the claim is absent), wildcards, several statements, explicit `Deny`, Google's `aud`/`azp`/`oaud` mapping, Cognito's multi-valued `amr`, " +
		"and session tags (`https://aws.amazon.com/tags` needs `sts:TagSession`). Numbers keep every digit, however long.\n\n" +
		"It does **not** model: permissions boundaries, SCPs and RCPs (they do not apply to the trust decision but do to what the session may do), " +
		"numeric, date, IP and ARN condition operators (treated as not matching in `Allow`), policy variables other than those of the request, " +
		"STS's own limits on session names and durations, the IdP certificate thumbprint check, and anything STS changes after this provider was released. " +
		"When the audience cannot be checked (the IAM provider does not exist yet, or is in another account) a warning says so. " +
		"Use it in `check` blocks and tests, for example: the main branch may deploy, a fork may not.",
	trustPolicy: "The role's trust policy JSON. Exactly one of `trust_policy` and `role_arn`.",
	roleARN: "ARN of a role whose trust policy is read from IAM. It must be in the account of the provider's credentials; " +
		"for a role of another account, use a provider configured for that account.",
	tokenFile: "Path of a file holding an ID token to verify and evaluate, for example the file `AWS_WEB_IDENTITY_TOKEN_FILE` names. " +
		"Read each time the check is read; only the path is stored.",
	claims: "A token's claims as the identity provider writes them, an object of strings, numbers, booleans and lists, " +
		"e.g. `{ iss = \"https://token.actions.githubusercontent.com\", aud = \"sts.amazonaws.com\", sub = \"repo:org/app:ref:refs/heads/main\" }`.",
	provider: "The identity provider the call comes through: an IAM OIDC provider ARN or a built-in issuer such as `accounts.google.com`. " +
		"Defaults to the provider the policy trusts for the token's `iss`, or to the only provider the policy trusts.",
	clientIDs: "The IAM OIDC provider's client IDs, to check a token's `aud` against. " +
		"Defaults to those IAM holds for `provider_arn` when it exists in this account; when it does not, a warning says the audience was not checked.",
	allowed: "Whether STS would let the token assume the role.",
	matched: "Index of the trust policy statement that allows the call, -1 when none does.",
	summary: "One sentence saying why the call is allowed or denied.",
	reasons: "Every check made, statement by statement: `statement`, `effect`, `action`, `key` (`Principal`, `Action` or a condition key), " +
		"`operator`, `expected` and `actual` values, `result`, `note`.",
	problems: "Why STS would refuse the token itself (`code`, `message`): `malformed`, `issuer_mismatch` (also for an `iss` no trusted provider has), " +
		"`keys_unavailable`, `unknown_kid`, `unusable_key` (the key is published for encryption or for another algorithm), `bad_signature`, `expired`, `not_yet_valid`, " +
		"`issued_in_future`, `no_expiry`, `audience_mismatch`. Empty with `claims`.",
}

// trustCheckCommon holds what the data source and the ephemeral resource
// awsoidc_trust_check both take and return.
type trustCheckCommon struct {
	TrustPolicy      types.String  `tfsdk:"trust_policy"`
	RoleARN          types.String  `tfsdk:"role_arn"`
	TokenFile        types.String  `tfsdk:"token_file"`
	Claims           types.Dynamic `tfsdk:"claims"`
	Provider         types.String  `tfsdk:"provider_arn"`
	ClientIDs        types.Set     `tfsdk:"client_ids"`
	Allowed          types.Bool    `tfsdk:"allowed"`
	MatchedStatement types.Int64   `tfsdk:"matched_statement"`
	Summary          types.String  `tfsdk:"summary"`
	Reasons          types.List    `tfsdk:"reasons"`
	TokenProblems    types.List    `tfsdk:"token_problems"`
	TokenClaims      types.String  `tfsdk:"token_claims"`
}

// trustCheckInput is what differs between the two forms.
type trustCheckInput struct {
	// token is a token given directly (the ephemeral form's token), or "".
	token string
	// filter keeps a token's claims other than defaultKeptClaims and keep out of the
	// results, since the data source's results are stored.
	filter bool
	keep   []string
}

// check answers the question c asks and sets c's results; false when an error was
// added to diags.
func (c *trustCheckCommon) check(ctx context.Context, data *providerData, in trustCheckInput, diags *diag.Diagnostics) bool {
	if data == nil {
		diags.AddError("Provider Not Configured",
			"The trust check was read before the provider was configured. This is a bug in the provider; please report it.")
		return false
	}
	policyText, policyPath := c.TrustPolicy.ValueString(), path.Root("trust_policy")
	if !c.RoleARN.IsNull() {
		policyPath = path.Root("role_arn")
		var ok bool
		if policyText, ok = rolePolicy(ctx, data.aws, c.RoleARN.ValueString(), policyPath, diags); !ok {
			return false
		}
	}
	policy, err := trustpolicy.Parse(policyText)
	if err != nil {
		diags.AddAttributeError(policyPath, "Invalid Trust Policy", err.Error())
		return false
	}

	raw := in.token
	if !c.TokenFile.IsNull() {
		if raw, err = readTokenFile(c.TokenFile.ValueString()); err != nil {
			diags.AddAttributeError(path.Root("token_file"), "Cannot Read Token File",
				fmt.Sprintf("The token to check could not be read: %s. token_file must name a file holding one ID token (a JWT).", err))
			return false
		}
	}
	var (
		claims   map[string]any
		problems []idtoken.Problem
		filter   *claimFilter
	)
	provider := c.Provider.ValueString()
	if raw == "" {
		claims = dynamicToGo(c.Claims.UnderlyingValue())
		if _, ok := claims[""]; ok || claims == nil {
			diags.AddAttributeError(path.Root("claims"), "Invalid Claims",
				"claims must be an object of claim names to strings, numbers, booleans or lists, for example { sub = \"repo:org/app:ref:refs/heads/main\" }.")
			return false
		}
	} else {
		tc := tokenCheck{raw: raw, provider: provider}
		if !c.ClientIDs.IsNull() {
			tc.clientIDs = setStrings(ctx, c.ClientIDs, diags)
			if tc.clientIDs == nil {
				tc.clientIDs = []string{}
			}
		}
		var res idtoken.Result
		res, provider = verifyToken(ctx, data, policy, tc, diags)
		claims, problems = res.Claims, res.Problems
		if in.filter {
			f := newClaimFilter(claims, in.keep)
			filter = &f
		}
	}
	if provider == "" {
		provider = soleProvider(policy, claims)
	}

	decision := trustpolicy.EvaluatePolicy(policy, trustpolicy.Request{Provider: provider, Claims: claims})
	allowed := decision.Allowed && len(problems) == 0
	summary := decision.Summary
	if len(problems) > 0 {
		summary = fmt.Sprintf("denied: STS would refuse the token itself (%s)", problems[0].Message)
		if decision.Allowed {
			summary += "; its claims would otherwise satisfy the trust policy"
		}
	}
	reasons, shown := decision.Reasons, claims
	if filter != nil {
		reasons, shown, summary = filter.reasons(reasons), filter.kept, filter.text(summary)
	}
	claimsJSON, err := json.Marshal(shown)
	if err != nil {
		diags.AddError("Cannot Encode Claims", fmt.Sprintf("The claims could not be written as JSON: %s. This is a bug in the provider; please report it.", err))
		return false
	}

	c.Allowed = types.BoolValue(allowed)
	c.MatchedStatement = types.Int64Value(int64(decision.MatchedStatement))
	c.Summary = types.StringValue(summary)
	c.Reasons = reasonsValue(ctx, reasons, diags)
	c.TokenProblems = problemsValue(ctx, problems, diags)
	c.TokenClaims = types.StringValue(string(claimsJSON))
	return !diags.HasError()
}

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
