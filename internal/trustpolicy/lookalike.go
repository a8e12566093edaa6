package trustpolicy

import (
	"fmt"
	"strings"
)

// LookAlike is a provider URL that resembles an issuer but can never match
// its tokens: STS compares a token's iss with the provider URL exactly
// (/work/shared/AWS-FACTS.md, "trailing slash" and "Url ... case-sensitive").
type LookAlike struct {
	// Message says what differs from the issuer and why no token matches.
	Message string
	// Fix is the URL to write instead, with https://.
	Fix string
}

// LookAlikes lists what makes a provider key (`<host><path>`, the URL
// without https://) a look-alike: a discovery-document or key-set path, an
// upper-case host, or a trailing slash on an issuer whose iss has none.
// The awsoidc_provider resource and the role's trust blocks both warn with
// it.
func LookAlikes(key string) []LookAlike {
	key = strings.TrimPrefix(key, "https://")
	host, path, _ := strings.Cut(key, "/")
	if path != "" || strings.HasSuffix(key, "/") {
		path = "/" + path
	}
	fixedHost, fixedPath := strings.ToLower(host), path
	var whys []string
	if i := strings.Index(path, "/.well-known/"); i >= 0 {
		fixedPath = path[:i]
		whys = append(whys, fmt.Sprintf("the path ends in %q, which is where the identity provider publishes its discovery document or keys, not its issuer; tokens carry the issuer without it", path[i:]))
	}
	if fixedHost != host {
		whys = append(whys, fmt.Sprintf("the host %q has upper-case letters, and issuers write their host in lower case in iss", host))
	}
	if strings.HasSuffix(fixedPath, "/") {
		bare := fixedHost + strings.TrimSuffix(fixedPath, "/")
		if r := lookupRow(bare); r != nil && r.noTrailingSlash {
			fixedPath = strings.TrimSuffix(fixedPath, "/")
			whys = append(whys, fmt.Sprintf("%s writes iss without a trailing slash (https://%s)", r.name, bare))
		}
	}
	if len(whys) == 0 {
		return nil
	}
	fix := "https://" + fixedHost + fixedPath
	out := make([]LookAlike, len(whys))
	for n, why := range whys {
		out[n] = LookAlike{
			Message: fmt.Sprintf("%s. STS compares a token's iss with the provider URL exactly, so tokens from %s would never match this provider; use %s", why, fix, fix),
			Fix:     fix,
		}
	}
	return out
}
