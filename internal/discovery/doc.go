// Package discovery reads an OpenID Connect discovery document and the JSON
// Web Key Set it names, and judges them the way AWS IAM and STS do.
//
// The package does no network I/O: callers fetch the bytes and hand them in.
// Check returns a two-tier Verdict because the IdPs that work with AWS do
// not all follow AWS's documented checklist: Problems are what make AWS
// refuse the IdP or fail every token, Warnings are departures from the
// checklist that AWS tolerates in practice.
package discovery
