package trustpolicy

import "github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"

// splitProviderARN splits `arn:<partition>:iam::<account>:oidc-provider/<host><path>`;
// the rules live in oidcurl.
func splitProviderARN(arn string) (oidcurl.ProviderARN, error) {
	return oidcurl.ParseProviderARN(arn)
}
