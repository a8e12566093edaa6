// Package localidp runs an OpenID Connect identity provider on the loopback interface,
// for tests and for the demo. It has a real PKI (root, intermediates, leaf per host),
// serves discovery documents and key sets over HTTPS under real-looking host names
// such as idp.test, and reaches them through an HTTP CONNECT proxy, so issuers carry no
// port: a client with HTTPS_PROXY=Server.ProxyURL() and the CA bundle from
// Server.CABundlePEM() talks to https://idp.test as it would to a real IdP.
//
//	s, err := localidp.Start(localidp.Config{})          // serves https://idp.test
//	defer s.Close()
//	os.Setenv("HTTPS_PROXY", s.ProxyURL())
//	token, err := s.MintToken(map[string]any{"sub": "repo:org/app:ref:refs/heads/main"}, localidp.TokenOptions{})
//	want := localidp.Thumbprint(s.Host("idp.test").LastServed())
//
// Tests use StartForTest, which fails the test on error and closes the server at the
// end. Nothing here needs the testing package, so a plain program can use it too.
//
// # Variants
//
// Each is chosen per host, per CA or per route:
//
//   - a separate JWKS host with its own chain: IssuerConfig.JWKSURI on another host,
//     and a HostConfig for that host naming its own CA;
//   - chain order and content: HostConfig.Chain (ChainWrongOrder, ChainWithRoot,
//     ChainLeafOnly, ChainDuplicate) or explicit HostConfig.Serve indices;
//   - certificate validity: HostConfig.ExpiredLeaf, LeafNotBefore/LeafNotAfter,
//     CAConfig.IntermediateNotAfter; an untrusted CA: CAConfig.Untrusted;
//   - answers: HostConfig.Routes or Server.SetRoute with Redirect, Oversized,
//     InvalidJSON, HTMLPage, NotFound, Raw, JSON, and Route.WithDelay for a slow one;
//   - issuer shapes: IssuerConfig.URL with a trailing slash (https://tenant.test/) or
//     a path (https://idp.test/org/abc), and IssuerConfig.Document or a Raw route for
//     a document shaped like any IdP's.
//
// # Counting
//
// Requests are counted per host and path, TLS handshakes per SNI name and CONNECTs per
// host; ResetCounters zeroes them. Tests use the counts to show that a client fetched
// once and shook hands once.
//
// # Bounds
//
// Listeners bind 127.0.0.1 only, the proxy dials nothing but the local TLS listener,
// delays are capped at MaxDelay, and Close stops every listener, connection and
// goroutine the Server started.
package localidp
