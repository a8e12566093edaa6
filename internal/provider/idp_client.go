package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/awsclient"
	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

// newIdPClient builds the client that reads identity providers, with the proxy and CA
// settings of the provider block, so an IdP behind a corporate proxy or a private CA is
// reached the same way AWS is.
func newIdPClient(_ context.Context, c awsclient.Config, version string) (*idpfetch.Client, error) {
	cfg := idpfetch.Config{
		NoProxy:   c.NoProxy,
		UserAgent: awsclient.ProductName + "/" + version,
		Logger: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	}
	if c.HTTPProxy != nil {
		cfg.HTTPProxy = *c.HTTPProxy
	}
	if c.HTTPSProxy != nil {
		cfg.HTTPSProxy = *c.HTTPSProxy
	}
	bundle := c.CustomCABundle
	if bundle == "" {
		bundle = os.Getenv("AWS_CA_BUNDLE")
	}
	if bundle != "" {
		pem, err := os.ReadFile(bundle)
		if err != nil {
			return nil, fmt.Errorf("reading the CA bundle %s: %w", bundle, err)
		}
		cfg.CABundlePEM = pem
	}
	return idpfetch.New(cfg)
}
