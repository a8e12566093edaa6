// Package idpfetch is the only package that opens connections to OpenID Connect
// identity providers. It fetches discovery documents and key sets over HTTPS and reads
// the certificate chains hosts serve, the way IAM and STS reach an IdP: certificate
// verification on, no redirect followed, bounded in time and size.
//
// A Client is made once per provider instance, that is once per Terraform run:
//
//	c, err := idpfetch.New(idpfetch.Config{
//		CABundlePEM: bundle,             // extra roots, added to the system roots
//		HTTPSProxy:  cfg.HTTPSProxy,     // "" falls back to HTTPS_PROXY
//		NoProxy:     cfg.NoProxy,        // "" falls back to NO_PROXY
//		UserAgent:   "terraform-provider-awsoidc/" + version,
//		Logger:      func(ctx context.Context, msg string, f map[string]any) { tflog.Debug(ctx, msg, f) },
//	})
//	doc, err := c.Get(ctx, "https://idp.example.com/.well-known/openid-configuration")
//	chain, err := c.ServedChain(ctx, "https://keys.example.com/jwks") // chain.VerifyErr says if it verifies
//
// # What is shared within a run
//
// Every URL is fetched once per Client: concurrent callers wait for the one request
// and later callers get its outcome, error included. Every host gets one TLS
// handshake: Get captures the chain from its own handshake and keeps the connection
// alive, so ServedChain on a host already fetched costs nothing, and a connection
// opened by ServedChain is handed to the next Get on that host. Ten data sources
// reading one IdP therefore make one discovery request, one JWKS request and one
// handshake per host. A Client with other roots (WithCABundle) has caches of its own;
// it is made once per distinct bundle.
//
// # Proxies
//
// Proxy settings are read with golang.org/x/net/http/httpproxy: the Config strings
// first, the environment for those left empty. A proxy that applies to a host is used
// through HTTP CONNECT for every connection to it, the chain reads included, so no
// request reaches the IdP other than through the tunnel. http:// and https:// proxies
// are supported, with Basic credentials from the proxy URL. Loopback hosts are never
// proxied.
//
// # Errors
//
// Get returns *RedirectError, *StatusError, *BodyTooLargeError, *CertificateError and
// *ProxyError for the failures a caller explains differently; timeouts wrap
// context.DeadlineExceeded. DescribeBody turns an unexpected body (an HTML error page,
// say) into a few words for a message.
package idpfetch
