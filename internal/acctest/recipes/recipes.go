// Package recipes describes the configurations under examples/recipes as the tests and
// the playground exercise them: for each, the identity provider it trusts (issuer,
// discovery document shaped like the real one's, served by the local IdP under the real
// host name), the variables it is applied with, the identities that must be allowed to
// assume its role, and their nearest neighbours, which must be refused.
//
// Claims are shaped as each IdP writes them (subject formats, custom claims, nested
// objects, the https://aws.amazon.com/tags claim); the values are invented and
// consistent with the variables.
package recipes

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/acctest/localidp"
)

//go:embed documents/*.json
var documents embed.FS

// Recipe is one way of applying a directory under examples/recipes.
type Recipe struct {
	// Name identifies the recipe (a directory may be applied in several ways, such as
	// github.com and a GHE.com tenant).
	Name string
	// Dir is the directory under examples/recipes.
	Dir string
	// Title names the identity provider for people.
	Title string
	// Issuer is the iss of the recipe's tokens.
	Issuer string
	// BuiltIn is the built-in issuer name (accounts.google.com, ...) for issuers AWS
	// trusts without an IAM OIDC provider; empty otherwise.
	BuiltIn string
	// Provider is the address of the recipe's awsoidc_provider; empty for built-in
	// issuers.
	Provider string
	// Role is the address of the role identities assume unless they name another.
	Role string
	// Vars are the recipe's variables, as in a .tfvars.json file. A value of CABundle
	// stands for the path of the local IdP's CA bundle.
	Vars map[string]any
	// Allowed identities must be able to assume their role; the first is the one whose
	// token is traded for credentials.
	Allowed []Identity
	// Refused identities are the nearest neighbours of the allowed ones: another
	// repository, branch, project, workspace, namespace, group or pool.
	Refused []Identity

	document string
}

// CABundle is the placeholder, in Recipe.Vars, for the path of a file holding the local
// IdP's CA certificates.
const CABundle = "<local IdP CA bundle>"

// Identity is one caller: the claims of its token, and the role it asks for.
type Identity struct {
	// Name says who this is, for people: "another repository of the organisation".
	Name string
	// Role is the address of the role it asks for; empty means the recipe's Role.
	Role string
	// Claims are the token's claims, without iat, nbf and exp.
	Claims map[string]any
}

// RoleOf returns the address of the role id asks for.
func (r Recipe) RoleOf(id Identity) string {
	if id.Role != "" {
		return id.Role
	}
	return r.Role
}

// IssuerConfig is how the local IdP serves the recipe's issuer: the real host name, and
// a discovery document shaped like the IdP's.
func (r Recipe) IssuerConfig() (localidp.IssuerConfig, error) {
	raw, err := documents.ReadFile(path.Join("documents", r.document))
	if err != nil {
		return localidp.IssuerConfig{}, fmt.Errorf("recipe %s: %w", r.Name, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return localidp.IssuerConfig{}, fmt.Errorf("recipe %s: document %s: %w", r.Name, r.document, err)
	}
	if doc["issuer"] != r.Issuer {
		return localidp.IssuerConfig{}, fmt.Errorf("recipe %s: document %s has issuer %v, want %s", r.Name, r.document, doc["issuer"], r.Issuer)
	}
	jwks, _ := doc["jwks_uri"].(string)
	return localidp.IssuerConfig{URL: r.Issuer, JWKSURI: jwks, Document: doc}, nil
}

// Document returns the discovery document the local IdP serves for the recipe.
func (r Recipe) Document() (map[string]any, error) {
	ic, err := r.IssuerConfig()
	return ic.Document, err
}

// IssuerHost is the host of the recipe's issuer.
func (r Recipe) IssuerHost() string {
	u, _ := url.Parse(r.Issuer)
	return u.Hostname()
}

// Mint signs a token for id with the local IdP's keys. opts sets the times (an hour
// from now when zero) and the algorithm; the claims come from id.
func (r Recipe) Mint(idp *localidp.Server, id Identity, opts localidp.TokenOptions) (string, error) {
	opts.Issuer, _ = id.Claims["iss"].(string)
	return idp.MintToken(maps.Clone(id.Claims), opts)
}

// VarsWith returns the recipe's variables with CABundle replaced by bundlePath.
func (r Recipe) VarsWith(bundlePath string) map[string]any {
	out := make(map[string]any, len(r.Vars))
	for k, v := range r.Vars {
		if v == CABundle {
			v = bundlePath
		}
		out[k] = v
	}
	return out
}

// All returns every recipe, in a stable order.
func All() []Recipe { return slices.Clone(catalogue) }

// ByName returns the recipe called name.
func ByName(name string) (Recipe, bool) {
	for _, r := range catalogue {
		if r.Name == name {
			return r, true
		}
	}
	return Recipe{}, false
}

// IssuerConfigs returns how the local IdP serves every recipe's issuer, each once.
func IssuerConfigs() ([]localidp.IssuerConfig, error) {
	var out []localidp.IssuerConfig
	seen := map[string]bool{}
	for _, r := range catalogue {
		if seen[r.Issuer] {
			continue
		}
		seen[r.Issuer] = true
		ic, err := r.IssuerConfig()
		if err != nil {
			return nil, err
		}
		out = append(out, ic)
	}
	return out, nil
}

// with returns a copy of claims with the given members replaced (or, when nil, removed).
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(claims)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}
