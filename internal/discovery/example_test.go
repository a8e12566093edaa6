package discovery_test

import (
	"fmt"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/discovery"
)

func ExampleCheck() {
	issuer := "https://gitlab.example.com"
	fmt.Println("fetch", discovery.DocumentURL(issuer))

	doc, err := discovery.ParseDocument([]byte(`{
		"issuer": "https://gitlab.example.com",
		"jwks_uri": "https://gitlab.example.com/oauth/discovery/keys",
		"response_types_supported": ["code"],
		"subject_types_supported": ["public"],
		"claims_supported": ["iss", "sub", "aud", "exp", "iat"],
		"id_token_signing_alg_values_supported": ["RS256"]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	host, _ := doc.JWKSHost()
	fmt.Println("jwks host", host)

	// The key set would be fetched from doc.JWKSURI and read with ParseJWKS;
	// here its fetch failed.
	v := discovery.Check(issuer, doc, nil, fmt.Errorf("connection refused"))
	fmt.Println("compatible:", v.AWSCompatible)
	for _, p := range v.Problems {
		fmt.Println("problem:", p.Code)
	}
	for _, w := range v.Warnings {
		fmt.Println("warning:", w.Code)
	}
	// Output:
	// fetch https://gitlab.example.com/.well-known/openid-configuration
	// jwks host gitlab.example.com
	// compatible: false
	// problem: jwks_unreachable
	// warning: id_token_response_type_missing
}
