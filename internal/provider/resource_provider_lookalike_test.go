package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// validateProviderURL runs awsoidc_provider's ValidateConfig on a configuration with url
// and one client ID.
func validateProviderURL(t *testing.T, url string) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	r := newProviderResource()
	var sresp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["url"] = tftypes.NewValue(tftypes.String, url)
	vals["client_ids"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "sts.amazonaws.com")})
	var resp resource.ValidateConfigResponse
	r.(resource.ResourceWithValidateConfig).ValidateConfig(ctx, resource.ValidateConfigRequest{
		Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)},
	}, &resp)
	return resp.Diagnostics
}

// TestProvider_issuerLookAlikesWarnAtPlan: a URL IAM accepts but no token of the issuer it
// resembles can match is a warning on url that names the URL to write.
func TestProvider_issuerLookAlikesWarnAtPlan(t *testing.T) {
	cases := map[string]string{
		"https://token.actions.githubusercontent.com/.well-known/openid-configuration": "use https://token.actions.githubusercontent.com",
		"https://token.actions.githubusercontent.com/":                                 "GitHub Actions writes iss without a trailing slash",
		"https://gitlab.com/": "GitLab.com writes iss without a trailing slash",
		"https://oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B/": "Amazon EKS writes iss without a trailing slash",
		"https://Token.Actions.GitHubUserContent.com":               "upper-case letters",
	}
	for url, want := range cases {
		diags := validateProviderURL(t, url)
		if len(diags) != 1 {
			t.Errorf("%s: %d diagnostics %v, want one warning", url, len(diags), diags)
			continue
		}
		d := diags[0]
		wp, ok := d.(diag.DiagnosticWithPath)
		if d.Severity() != diag.SeverityWarning || d.Summary() != "Issuer Look-Alike" || !ok || !wp.Path().Equal(path.Root("url")) ||
			!strings.Contains(d.Detail(), want) || !strings.Contains(d.Detail(), url) {
			t.Errorf("%s: %s %q on %v: %s; want a warning on url with %q", url, d.Severity(), d.Summary(), wp, d.Detail(), want)
		}
	}
	for _, url := range []string{"https://token.actions.githubusercontent.com", "https://tenant.auth0.com/", "https://oidc.eks.eu-west-1.amazonaws.com/id/5C2D8E1F0A9B"} {
		if diags := validateProviderURL(t, url); len(diags) != 0 {
			t.Errorf("%s: unexpected diagnostics %v", url, diags)
		}
	}
}
