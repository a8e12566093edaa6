package discovery

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/oidcurl"
)

// Code identifies a finding. Codes are stable; messages may be reworded.
type Code string

// Problems: AWS refuses the IdP, or STS fails every token.
const (
	CodeDocumentMissing      Code = "document_missing"
	CodeIssuerMissing        Code = "issuer_missing"
	CodeIssuerMismatch       Code = "issuer_mismatch"
	CodeIssuerNotRegistrable Code = "issuer_not_registrable"
	CodeIssuerTemplate       Code = "issuer_template"
	CodeJWKSURIMissing       Code = "jwks_uri_missing"
	CodeJWKSURIInvalid       Code = "jwks_uri_invalid"
	CodeJWKSUnreachable      Code = "jwks_unreachable"
	CodeJWKSInvalid          Code = "jwks_invalid"
	CodeJWKSEmpty            Code = "jwks_empty"
	CodeJWKSNoUsableKey      Code = "jwks_no_usable_key"
)

// Warnings: departures from AWS's documented checklist that AWS tolerates.
const (
	CodeIDTokenResponseTypeMissing Code = "id_token_response_type_missing"
	CodePublicSubjectTypeMissing   Code = "public_subject_type_missing"
	CodeClaimsSupportedMissing     Code = "claims_supported_missing"
	CodeClaimsSupportedIncomplete  Code = "claims_supported_incomplete"
	CodeRS256NotListed             Code = "rs256_not_listed"
	CodeMemberMalformed            Code = "member_malformed"
	CodeJWKSKeyUnusable            Code = "jwks_key_unusable"
	CodeJWKSPrivateKey             Code = "jwks_private_key"
)

// Finding is one problem or warning.
type Finding struct {
	Code    Code
	Message string
}

func (f Finding) String() string { return string(f.Code) + ": " + f.Message }

// Verdict is what AWS would make of an IdP.
type Verdict struct {
	// AWSCompatible is false when there is any problem.
	AWSCompatible bool
	// Problems make AWS refuse the IdP or fail every token.
	Problems []Finding
	// Warnings are departures from AWS's checklist that AWS tolerates in
	// practice; each message says what it may affect.
	Warnings []Finding
}

// requiredClaims are the claims AWS's checklist asks claims_supported to list.
var requiredClaims = []string{"aud", "iat", "iss", "sub"}

// Check judges a discovery document, and the key set it names, as AWS would.
//
// requestedIssuer is the issuer the user asked for, compared with the
// document's issuer exactly: IAM and STS treat "https://x/" and "https://x"
// as different issuers. jwks is the parsed key set, or nil when it was not
// read; jwksErr is why it was not read. An error wrapping ErrMalformedJWKS
// (as ParseJWKS returns) reports a broken key set, any other error an
// unreachable one. With jwks and jwksErr both nil the key set is not judged.
func Check(requestedIssuer string, doc *Document, jwks *KeySet, jwksErr error) Verdict {
	var v Verdict
	if doc == nil {
		v.problem(CodeDocumentMissing, "no discovery document was read, so nothing about the IdP can be checked")
		return v
	}
	v.checkIssuer(requestedIssuer, doc)
	if v.checkJWKSURI(doc) {
		v.checkKeySet(doc.JWKSURI, jwks, jwksErr)
	}
	v.checkChecklist(doc)
	v.AWSCompatible = len(v.Problems) == 0
	return v
}

func (v *Verdict) problem(c Code, format string, args ...any) {
	v.Problems = append(v.Problems, Finding{Code: c, Message: fmt.Sprintf(format, args...)})
}

func (v *Verdict) warning(c Code, format string, args ...any) {
	v.Warnings = append(v.Warnings, Finding{Code: c, Message: fmt.Sprintf(format, args...)})
}

func (v *Verdict) checkIssuer(requested string, doc *Document) {
	if m, bad := doc.malformed(FieldIssuer); bad {
		v.problem(CodeIssuerMissing, "the discovery document's \"issuer\" is not a string (found %s); STS matches every token's iss against the issuer, so no token can be accepted", m.Found)
		return
	}
	if doc.Issuer == "" {
		v.problem(CodeIssuerMissing, "the discovery document has no \"issuer\"; STS matches every token's iss against the issuer, so no token can be accepted")
		return
	}
	if doc.Issuer != requested {
		hint := ""
		switch {
		case strings.TrimSuffix(doc.Issuer, "/") == strings.TrimSuffix(requested, "/"):
			hint = " (they differ only in the trailing slash)"
		case strings.EqualFold(doc.Issuer, requested):
			hint = " (they differ only in letter case)"
		}
		advice := ", so register the issuer exactly as the document publishes it"
		if isTemplate(doc.Issuer) {
			advice = "" // the template finding below gives the advice that fits
		}
		v.problem(CodeIssuerMismatch, "the discovery document's issuer %q differs from the issuer asked for %q%s; STS compares a token's iss with the registered provider URL exactly%s", doc.Issuer, requested, hint, advice)
	}
	if isTemplate(doc.Issuer) {
		v.problem(CodeIssuerTemplate, "the discovery document's issuer %q is a template, as multi-tenant documents publish; tokens carry each tenant's own issuer, so register a tenant-specific issuer instead (for Entra ID, https://login.microsoftonline.com/<tenant-id>/v2.0)", doc.Issuer)
		return
	}
	if err := registrableURL(doc.Issuer); err != nil {
		v.problem(CodeIssuerNotRegistrable, "IAM cannot register the issuer %q as an OIDC provider: %v", doc.Issuer, err)
	}
}

// isTemplate spots placeholder issuers such as Entra ID's
// "https://login.microsoftonline.com/{tenantid}/v2.0".
func isTemplate(issuer string) bool {
	lower := strings.ToLower(issuer)
	return strings.ContainsAny(issuer, "{}") || strings.Contains(lower, "%7b") || strings.Contains(lower, "%7d")
}

// registrableURL applies IAM's rules for an OIDC provider URL. An issuer AWS has built in
// (Google) cannot be registered either, but needs no registration, so it passes.
func registrableURL(raw string) error {
	_, err := oidcurl.Parse(raw)
	var ue *oidcurl.Error
	if errors.As(err, &ue) && ue.BuiltIn {
		return nil
	}
	return err
}

// checkJWKSURI reports whether jwks_uri is worth judging the key set behind.
func (v *Verdict) checkJWKSURI(doc *Document) bool {
	if m, bad := doc.malformed(FieldJWKSURI); bad {
		v.problem(CodeJWKSURIMissing, "the discovery document's \"jwks_uri\" is not a string (found %s); STS reads the signing keys from it, so no token can be verified", m.Found)
		return false
	}
	if doc.JWKSURI == "" {
		v.problem(CodeJWKSURIMissing, "the discovery document has no \"jwks_uri\"; STS reads the signing keys from it, so no token can be verified")
		return false
	}
	u, err := url.Parse(doc.JWKSURI)
	switch {
	case err != nil:
		v.problem(CodeJWKSURIInvalid, "the discovery document's jwks_uri %q is not a valid URL (%v); STS cannot read the signing keys", doc.JWKSURI, err)
		return false
	case u.Scheme != "https":
		v.problem(CodeJWKSURIInvalid, "the discovery document's jwks_uri %q is not an https URL; STS reads signing keys over https only", doc.JWKSURI)
		return false
	case u.Hostname() == "":
		v.problem(CodeJWKSURIInvalid, "the discovery document's jwks_uri %q has no host; STS cannot read the signing keys", doc.JWKSURI)
		return false
	}
	return true
}

func (v *Verdict) checkKeySet(uri string, jwks *KeySet, jwksErr error) {
	switch {
	case jwksErr != nil && errors.Is(jwksErr, ErrMalformedJWKS):
		v.problem(CodeJWKSInvalid, "the JWKS at %q cannot be read (%v); STS cannot verify any token", uri, jwksErr)
		return
	case jwksErr != nil:
		v.problem(CodeJWKSUnreachable, "the JWKS at %q could not be fetched (%v); STS must fetch it to verify tokens", uri, jwksErr)
		return
	case jwks == nil:
		return
	case len(jwks.Keys) == 0:
		v.problem(CodeJWKSEmpty, "the JWKS at %q has no keys; STS cannot verify any token", uri)
		return
	}

	usable := jwks.UsableByAWS()
	if !usable {
		reasons := make([]string, 0, len(jwks.Keys))
		for i, k := range jwks.Keys {
			reasons = append(reasons, describeKey(i, k)+": "+k.Reason)
		}
		v.problem(CodeJWKSNoUsableKey, "none of the %d keys in the JWKS at %q can verify tokens for STS (%s)", len(jwks.Keys), uri, strings.Join(reasons, "; "))
	}
	for i, k := range jwks.Keys {
		// With no usable key the problem above already lists every reason.
		if usable && !k.UsableByAWS {
			v.warning(CodeJWKSKeyUnusable, "%s in the JWKS at %q cannot verify tokens for STS: %s; tokens signed with it will be refused", describeKey(i, k), uri, k.Reason)
		}
		if k.Private {
			v.warning(CodeJWKSPrivateKey, "%s in the JWKS at %q publishes private or symmetric key material; anyone who reads the JWKS can sign tokens, so the IdP's keys should be replaced", describeKey(i, k), uri)
		}
	}
}

func describeKey(i int, k Key) string {
	if k.KeyID != "" {
		return fmt.Sprintf("key %d (kid %q)", i, k.KeyID)
	}
	return fmt.Sprintf("key %d", i)
}

// checkChecklist compares the document with AWS's documented checklist.
// Real IdPs that work with AWS depart from it, so these are warnings.
func (v *Verdict) checkChecklist(doc *Document) {
	for _, field := range []string{FieldAuthorizationEndpoint, FieldTokenEndpoint, FieldResponseTypesSupported, FieldSubjectTypesSupported, FieldClaimsSupported, FieldIDTokenSigningAlgValuesSupported} {
		if m, bad := doc.malformed(field); bad {
			v.warning(CodeMemberMalformed, "the discovery document's %q is not %s (found %s) and is ignored; clients that read it may fail", m.Field, m.Expected, m.Found)
		}
	}

	if _, bad := doc.malformed(FieldResponseTypesSupported); !bad && !slices.Contains(doc.ResponseTypesSupported, "id_token") {
		v.warning(CodeIDTokenResponseTypeMissing, "%s; AWS's checklist asks for a bare \"id_token\", but STS never calls the authorization endpoint, so only clients that need the implicit flow (an ID token straight from the authorization endpoint) are affected", listed(FieldResponseTypesSupported, doc.ResponseTypesSupported, "has no bare \"id_token\""))
	}

	if _, bad := doc.malformed(FieldSubjectTypesSupported); !bad && !slices.Contains(doc.SubjectTypesSupported, "public") {
		v.warning(CodePublicSubjectTypeMissing, "%s; with pairwise subjects each client sees a different sub for the same user, so a sub condition in a trust policy must use the value the client whose tokens reach AWS receives", listed(FieldSubjectTypesSupported, doc.SubjectTypesSupported, "does not include \"public\""))
	}

	if _, bad := doc.malformed(FieldClaimsSupported); !bad {
		if doc.ClaimsSupported == nil {
			v.warning(CodeClaimsSupportedMissing, "the discovery document does not list claims_supported; AWS tolerates this, but nothing confirms the tokens carry aud, iat, iss and sub, which STS checks and trust policies condition on")
		} else {
			var missing []string
			for _, c := range requiredClaims {
				if !slices.Contains(doc.ClaimsSupported, c) {
					missing = append(missing, c)
				}
			}
			if len(missing) > 0 {
				v.warning(CodeClaimsSupportedIncomplete, "claims_supported %s lacks %s; AWS's checklist asks for aud, iat, iss and sub, which STS checks and trust policies condition on, so make sure the IdP's tokens carry them", quoteList(doc.ClaimsSupported), quoteList(missing))
			}
		}
	}

	if _, bad := doc.malformed(FieldIDTokenSigningAlgValuesSupported); !bad && !slices.Contains(doc.IDTokenSigningAlgValuesSupported, "RS256") {
		algs := doc.IDTokenSigningAlgValuesSupported
		var others []string
		for _, a := range algs {
			if slices.Contains(awsAlgorithms, a) {
				others = append(others, a)
			}
		}
		switch {
		case algs == nil:
			v.warning(CodeRS256NotListed, "the discovery document does not list id_token_signing_alg_values_supported; AWS's checklist asks for \"RS256\" there, and STS refuses tokens signed with anything but RS256/384/512 or ES256/384/512")
		case len(others) > 0:
			v.warning(CodeRS256NotListed, "id_token_signing_alg_values_supported %s does not include \"RS256\"; AWS's checklist asks for it, but STS also verifies %s, which the IdP lists, so tokens signed that way work", quoteList(algs), quoteList(others))
		default:
			v.warning(CodeRS256NotListed, "id_token_signing_alg_values_supported %s has none of the algorithms STS verifies (RS256/384/512, ES256/384/512); tokens signed with the listed algorithms will be refused", quoteList(algs))
		}
	}
}

// listed phrases a list member for a message: the values and what is
// wrong with them, or that the member is absent.
func listed(field string, values []string, complaint string) string {
	if values == nil {
		return fmt.Sprintf("the discovery document does not list %s", field)
	}
	return fmt.Sprintf("%s %s %s", field, quoteList(values), complaint)
}

// quoteList renders values as a JSON-like list of quoted strings.
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, s := range values {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
