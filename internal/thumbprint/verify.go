package thumbprint

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
)

// Codes for a chain that does not verify against the client's trusted roots. Analyze
// cannot see this (it has no roots); callers that verified the chain add it with
// VerificationFinding.
const (
	CodeUntrusted   Code = "untrusted"
	CodeNotVerified Code = "not_verified"
)

// VerificationFinding turns the error from verifying a served chain (as crypto/x509
// reports it) into a finding, unless Analyze already reported the same fault in found:
// an expired or not-yet-valid certificate, or a leaf for another host. A nil error
// gives no finding.
//
// An untrusted chain matters to AWS in a particular way: IAM verifies the jwks_uri
// host's certificate against the root CAs it trusts and falls back on the registered
// thumbprints only when that fails, so for such a host the thumbprints are what keeps
// tokens working.
func VerificationFinding(host string, verifyErr error, found []Finding) (Finding, bool) {
	if verifyErr == nil {
		return Finding{}, false
	}
	has := func(codes ...Code) bool {
		return slices.ContainsFunc(found, func(f Finding) bool { return slices.Contains(codes, f.Code) })
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostErr x509.HostnameError
	switch {
	case errors.As(verifyErr, &unknown):
		return Finding{Code: CodeUntrusted, Position: -1, Message: fmt.Sprintf(
			"the chain served by %s does not lead to a trusted root CA (%v): the CA is private, or the server leaves out an intermediate; "+
				"AWS then relies on the registered thumbprints alone, so keep them current (to read the host here, add its root CA to the CA bundle)",
			host, verifyErr)}, true
	case errors.As(verifyErr, &invalid) && invalid.Reason == x509.Expired && has(CodeExpired, CodeNotYetValid):
		return Finding{}, false
	case errors.As(verifyErr, &hostErr) && has(CodeHostMismatch):
		return Finding{}, false
	}
	return Finding{Code: CodeNotVerified, Position: -1, Message: fmt.Sprintf(
		"the chain served by %s does not verify (%v); TLS clients, AWS among them, may reject it", host, verifyErr)}, true
}
