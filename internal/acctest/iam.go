package acctest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"
)

// IAMScope selects one test's objects in the shared moto account: tests run
// in parallel against one server, so each names its objects with a token of
// its own and reads back only those.
type IAMScope struct {
	// ProviderHostContains selects the OIDC providers whose URL (host and
	// path, as IAM keeps it) contains it.
	ProviderHostContains string
	// RoleNamePrefix selects the roles whose name starts with it.
	RoleNamePrefix string
}

// IAMSnapshot is what IAM holds in one scope, read straight from moto.
type IAMSnapshot struct {
	Providers []IAMProvider // sorted by ARN
	Roles     []IAMRole     // sorted by name
}

// IAMProvider is one OIDC identity provider as IAM holds it.
type IAMProvider struct {
	ARN         string
	URL         string   // without the scheme, as IAM returns it
	ClientIDs   []string // sorted
	Thumbprints []string // lower case, sorted
	Tags        map[string]string
}

// IAMRole is one role as IAM holds it.
type IAMRole struct {
	Name            string
	ARN             string
	ID              string
	Path            string
	TrustPolicy     string            // decoded JSON
	ManagedPolicies []string          // ARNs, sorted
	InlinePolicies  map[string]string // decoded JSON by policy name
	Tags            map[string]string
}

// Count is how many objects the snapshot holds.
func (s *IAMSnapshot) Count() int { return len(s.Providers) + len(s.Roles) }

// IAMClient is an IAM client for moto itself, bypassing every Endpoint: what
// it reads is what IAM holds, whatever the provider under test did. It is a
// plain SDK client, without the provider's client stack.
func (m *Moto) IAMClient() *iam.Client {
	return iam.New(iam.Options{
		Region:       Region,
		BaseEndpoint: aws.String(m.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, ""),
		HTTPClient:   m.client,
	})
}

// snapshotConcurrency bounds the calls ReadIAM makes at once.
const snapshotConcurrency = 8

// maxListItems is the largest page IAM's List calls give.
const maxListItems = 1000

// ReadIAM reads every OIDC provider and role in scope straight from moto:
// each provider with its URL, client IDs, thumbprints and tags; each role with
// its trust policy, managed attachments, inline policies and tags.
func (m *Moto) ReadIAM(ctx context.Context, scope IAMScope) (*IAMSnapshot, error) {
	if scope.ProviderHostContains == "" || scope.RoleNamePrefix == "" {
		return nil, fmt.Errorf("IAM scope %+v: expected both a provider host token and a role name prefix, so other tests' objects stay out", scope)
	}
	c := m.IAMClient()
	snap := &IAMSnapshot{}

	list, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return nil, fmt.Errorf("listing OIDC providers: %w", err)
	}
	var providerARNs []string
	for _, p := range list.OpenIDConnectProviderList {
		arn := aws.ToString(p.Arn)
		if _, key, ok := strings.Cut(arn, ":oidc-provider/"); ok && strings.Contains(key, scope.ProviderHostContains) {
			providerARNs = append(providerARNs, arn)
		}
	}
	listed, err := m.ListRoles(ctx, func(name string) bool { return strings.HasPrefix(name, scope.RoleNamePrefix) })
	if err != nil {
		return nil, err
	}
	roleNames := make([]string, 0, len(listed))
	roles := map[string]*IAMRole{}
	for _, r := range listed {
		name := aws.ToString(r.RoleName)
		trust, err := decodePolicy(aws.ToString(r.AssumeRolePolicyDocument))
		if err != nil {
			return nil, fmt.Errorf("trust policy of role %s: %w", name, err)
		}
		roleNames = append(roleNames, name)
		roles[name] = &IAMRole{
			Name: name, ARN: aws.ToString(r.Arn), ID: aws.ToString(r.RoleId), Path: aws.ToString(r.Path),
			TrustPolicy: trust, InlinePolicies: map[string]string{}, Tags: map[string]string{},
		}
	}

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(snapshotConcurrency)
	for _, arn := range providerARNs {
		g.Go(func() error {
			p, err := readProvider(gctx, c, arn)
			if err != nil || p == nil {
				return err
			}
			mu.Lock()
			snap.Providers = append(snap.Providers, *p)
			mu.Unlock()
			return nil
		})
	}
	for _, name := range roleNames {
		g.Go(func() error { return readRoleDetails(gctx, c, roles[name]) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(snap.Providers, func(a, b IAMProvider) int { return strings.Compare(a.ARN, b.ARN) })
	slices.Sort(roleNames)
	for _, name := range roleNames {
		snap.Roles = append(snap.Roles, *roles[name])
	}
	return snap, nil
}

// ListRoles lists the roles in moto whose name keep accepts, each once, in the order
// moto lists them.
//
// moto pages roles by their index in a list ordered by random role IDs, so while
// parallel tests create and delete roles a role can move from one page to the next and be
// listed twice or not at all. Pages as large as IAM allows keep the whole listing to one
// page (until moto holds more than 1000 roles); a role listed twice is returned once.
func (m *Moto) ListRoles(ctx context.Context, keep func(name string) bool) ([]iamtypes.Role, error) {
	var out []iamtypes.Role
	seen := map[string]bool{}
	pages := iam.NewListRolesPaginator(m.IAMClient(), &iam.ListRolesInput{MaxItems: aws.Int32(maxListItems)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing roles: %w", err)
		}
		for _, r := range page.Roles {
			name := aws.ToString(r.RoleName)
			if seen[name] || !keep(name) {
				continue
			}
			seen[name] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// readProvider reads one provider; nil when it was deleted since the list.
func readProvider(ctx context.Context, c *iam.Client, arn string) (*IAMProvider, error) {
	out, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if isNoSuchEntity(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading OIDC provider %s: %w", arn, err)
	}
	p := &IAMProvider{
		ARN:         arn,
		URL:         aws.ToString(out.Url),
		ClientIDs:   slices.Sorted(slices.Values(out.ClientIDList)),
		Thumbprints: lowerSorted(out.ThumbprintList),
		Tags:        map[string]string{},
	}
	tags := iam.NewListOpenIDConnectProviderTagsPaginator(c, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arn)})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if isNoSuchEntity(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the tags of OIDC provider %s: %w", arn, err)
		}
		for _, t := range page.Tags {
			p.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return p, nil
}

// readRoleDetails adds to r its tags, managed attachments and inline policies.
func readRoleDetails(ctx context.Context, c *iam.Client, r *IAMRole) error {
	name := aws.String(r.Name)
	tags := iam.NewListRoleTagsPaginator(c, &iam.ListRoleTagsInput{RoleName: name})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the tags of role %s: %w", r.Name, err)
		}
		for _, t := range page.Tags {
			r.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: name})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the managed policies of role %s: %w", r.Name, err)
		}
		for _, p := range page.AttachedPolicies {
			r.ManagedPolicies = append(r.ManagedPolicies, aws.ToString(p.PolicyArn))
		}
	}
	slices.Sort(r.ManagedPolicies)
	inline := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: name})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing the inline policies of role %s: %w", r.Name, err)
		}
		for _, pn := range page.PolicyNames {
			got, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: name, PolicyName: aws.String(pn)})
			if err != nil {
				return fmt.Errorf("reading inline policy %s of role %s: %w", pn, r.Name, err)
			}
			doc, err := decodePolicy(aws.ToString(got.PolicyDocument))
			if err != nil {
				return fmt.Errorf("inline policy %s of role %s: %w", pn, r.Name, err)
			}
			r.InlinePolicies[pn] = doc
		}
	}
	return nil
}

// decodePolicy undoes the URL encoding IAM applies to policy documents in
// its answers; a document that is already JSON is returned as it is.
func decodePolicy(doc string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc, nil
	}
	decoded, err := url.QueryUnescape(doc)
	if err != nil {
		return "", fmt.Errorf("policy document %q is neither JSON nor URL-encoded JSON: %w", doc, err)
	}
	return decoded, nil
}

func isNoSuchEntity(err error) bool {
	var nse *iamtypes.NoSuchEntityException
	return errors.As(err, &nse)
}

func lowerSorted(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	slices.Sort(out)
	return out
}
