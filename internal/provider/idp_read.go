package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/discovery"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

// Shared by awsoidc_discovery and awsoidc_thumbprint: the client a data source reads
// with, the discovery document read, and the checks on their URL and CA bundle inputs.

// caBundleDescription documents the ca_bundle argument of both data sources.
const caBundleDescription = "PEM-encoded root CA certificates to trust for this data source, in addition to the " +
	"system's and to the provider's `custom_ca_bundle`; for an IdP whose certificates come from a private CA. " +
	"Data sources with the same bundle share their fetches."

// strictDescription documents the strict argument of both data sources.
const strictDescription = "When `true`, every entry of `problems` is an error that stops the run. " +
	"By default each is a warning and the data source still returns everything it read."

// idpClient returns the provider's IdP client, or one that also trusts caBundle.
func idpClient(data *providerData, caBundle types.String, diags *diag.Diagnostics) *idpfetch.Client {
	if data == nil || data.idp == nil {
		diags.AddError("Provider Not Configured",
			"The data source was read before the provider was configured. This is a bug in the provider; please report it.")
		return nil
	}
	if caBundle.IsNull() || caBundle.ValueString() == "" {
		return data.idp
	}
	c, err := data.idp.WithCABundle([]byte(caBundle.ValueString()))
	if err != nil {
		diags.AddAttributeError(path.Root("ca_bundle"), "Invalid CA Bundle", err.Error())
		return nil
	}
	return c
}

// readDiscoveryDocument fetches and parses the discovery document of issuer. Its error
// says what was fetched and what came back, ready for a diagnostic.
func readDiscoveryDocument(ctx context.Context, c *idpfetch.Client, issuer string) (*discovery.Document, error) {
	docURL := discovery.DocumentURL(issuer)
	resp, err := c.Get(ctx, docURL)
	if err != nil {
		return nil, describeFetchError(err)
	}
	doc, err := discovery.ParseDocument(resp.Body)
	if err != nil {
		found := idpfetch.DescribeBody(resp.ContentType, resp.Body)
		if !strings.HasPrefix(found, "an HTML page") {
			// The parser's own account is more precise for JSON that is broken or
			// not an object (it gives the offset of a syntax error).
			return nil, fmt.Errorf("GET %s answered %d: %w", docURL, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("GET %s answered %d with %s; a discovery document is a JSON object", docURL, resp.StatusCode, found)
	}
	return doc, nil
}

// describeFetchError adds to an idpfetch error what the user can do about it; the
// error itself already names the URL and what came back.
func describeFetchError(err error) error {
	var ce *idpfetch.CertificateError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w (this data source's ca_bundle, or the provider's custom_ca_bundle)", err)
	}
	return err
}

// httpsURLValidator accepts absolute https URLs that an IdP can be read from.
type httpsURLValidator struct {
	// issuer adds the rules of an OpenID Connect issuer: no query and no fragment,
	// since the discovery document's address is built by appending to it.
	issuer bool
}

var _ validator.String = httpsURLValidator{}

func (v httpsURLValidator) Description(context.Context) string {
	if v.issuer {
		return "must be an https URL with a host and no query, fragment or user info"
	}
	return "must be an https URL with a host and no user info"
}

func (v httpsURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v httpsURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	if problem := v.check(raw); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", fmt.Sprintf("%q %s.", raw, problem))
	}
}

func (v httpsURLValidator) check(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("is not a URL (%v)", errors.Unwrap(err))
	case u.Scheme != "https":
		return fmt.Sprintf("must start with https:// (identity providers are read over https only), found scheme %q", u.Scheme)
	case u.Hostname() == "":
		return "has no host: expected https://<host>[/path]"
	case u.User != nil:
		return "carries user information, which an IdP URL never needs: remove the part before @"
	case v.issuer && (u.RawQuery != "" || u.ForceQuery):
		return "has a query; an OpenID Connect issuer has none, and the discovery document is read from <issuer>/.well-known/openid-configuration"
	case v.issuer && (u.Fragment != "" || strings.Contains(raw, "#")):
		return "has a fragment; an OpenID Connect issuer has none"
	}
	return ""
}

// caBundleValidator checks at plan time that a ca_bundle holds PEM certificates.
type caBundleValidator struct{}

var _ validator.String = caBundleValidator{}

func (caBundleValidator) Description(context.Context) string {
	return "must hold one or more PEM CERTIFICATE blocks"
}

func (v caBundleValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (caBundleValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || strings.TrimSpace(req.ConfigValue.ValueString()) == "" {
		return
	}
	if _, err := idpfetch.ParseCertificatesPEM([]byte(req.ConfigValue.ValueString())); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CA Bundle",
			fmt.Sprintf("Expected PEM-encoded CA certificates (-----BEGIN CERTIFICATE----- blocks), for example file(\"ca.pem\"): %s.", err))
	}
}

// fetchableURL reports whether raw is an https URL with a host, the only kind read from IdPs.
func fetchableURL(raw string) bool {
	u, err := url.Parse(raw)
	return raw != "" && err == nil && u.Scheme == "https" && u.Hostname() != ""
}

// jwksHostOf returns the host of a jwks_uri that can be read over https.
func jwksHostOf(doc *discovery.Document) (string, error) {
	switch {
	case doc.JWKSURI == "":
		return "", errors.New("it has no jwks_uri")
	case !fetchableURL(doc.JWKSURI):
		return "", fmt.Errorf("its jwks_uri %q is not an https URL with a host", doc.JWKSURI)
	}
	return doc.JWKSHost()
}
