// Package trustpolicy builds, checks, parses, compares and evaluates IAM
// role trust policies for web identity federation (AssumeRoleWithWebIdentity).
//
// Build turns a typed Spec (one Trust per identity provider) into a
// byte-stable policy document. Validate lists what AWS would reject late or
// silently accept and never match (claims AWS does not expose for the
// issuer, keys under another provider's prefix, ForAllValues in Allow
// statements, policies over the size quota) and what would let a stranger
// in: an issuer anyone gets tokens from (GitHub Actions' shared issuer,
// gitlab.com, HCP Terraform, Buildkite, Pulumi Cloud) without subjects
// whose owner part is literal under every subject shape a stranger could
// choose (owner.go), allow_any_subject without a claim that pins the
// owner, a built-in issuer (Google, Cognito, Facebook, Login with Amazon)
// without a literal audience, a cluster's role without a namespace, and a
// Cognito role open to guest identities. The catalogue (catalogue.go)
// says, for each issuer, who can get its tokens and what pins the owner,
// with the public source of each fact. Parse, Normalize and Equivalent
// read any trust policy and compare two of them semantically
// (EquivalentTrust also ignores Sids). Infer reads a trust policy back into
// a Spec, for importing roles, and names what no trust block can say.
// Evaluate answers "would STS let this token assume the role?", with the
// reasons.
//
// A Trust's Conditions (condition blocks) are written as given, for keys the
// catalogue does not know yet; Validate checks those on known keys like the
// audiences, subjects or claims they amount to, and warns, naming the key,
// about the others.
//
// # Rendering
//
// Values are sorted and de-duplicated; a single value is written as a plain
// string and several as a list, in every element (Action, Principal and
// condition values). Object members have a fixed order (Version, Id,
// Statement; Sid, Effect, Principal, NotPrincipal, Action, NotAction,
// Resource, NotResource, Condition) and operators, condition keys and
// principal types are sorted. Build indents by two spaces; Normalize is
// compact.
//
// # What the evaluator does not model
//
//   - Token verification: signature, iss, exp/nbf/iat, the token's aud
//     against the IAM provider's client IDs, thumbprints. Evaluate starts
//     from claims that STS has already accepted.
//   - Which audience STS picks when a generic OIDC token carries several:
//     all of them become values of `<prefix>:aud`.
//   - Condition operators other than the String family and Null (Bool,
//     Numeric, Date, Arn, IpAddress, Binary): an unknown operator never
//     opens an Allow and always lets a Deny apply, so answers err towards
//     denial. Operator names are matched case-sensitively, as documented.
//   - Policy variables other than ${*}, ${?}, ${$} and single-valued keys
//     of the request (with an optional default).
//   - An operator without a set qualifier on a key holding several values is
//     read as "some value matches" (negated: "no value matches").
//   - Principal {"AWS": "*"} is treated like "*".
//   - Service control, resource control and session policies, permissions
//     boundaries, and STS limits (tag counts and sizes, session name rules).
package trustpolicy
