package awsclient

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// WebIdentityAttempts bounds how often AssumeRoleWithWebIdentity is tried when STS cannot
// reach the identity provider.
const WebIdentityAttempts = 4

// WebIdentityRequest is a token exchange.
type WebIdentityRequest struct {
	RoleARN     string
	Token       string
	SessionName string
	Duration    time.Duration // 0: the role's default (one hour)
	Policy      string
	PolicyARNs  []string
}

// WebIdentityCredentials is what STS returns for a token.
type WebIdentityCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	AssumedRoleARN  string
	AssumedRoleID   string
	Subject         string
	Audience        string
	Provider        string
}

// AssumeRoleWithWebIdentity trades an ID token for temporary credentials. The call is not
// signed (STS trusts the token, not the caller), and STS's IDPCommunicationError, which
// means it could not reach the identity provider, is retried a few times.
func (c *Client) AssumeRoleWithWebIdentity(ctx context.Context, r WebIdentityRequest) (*WebIdentityCredentials, error) {
	in := &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(r.RoleARN),
		RoleSessionName:  aws.String(r.SessionName),
		WebIdentityToken: aws.String(r.Token),
	}
	if r.Duration > 0 {
		seconds := int64(r.Duration / time.Second)
		// Callers validate STS's 15m–12h range; this only keeps the conversion exact.
		if seconds < 1 || seconds > math.MaxInt32 {
			return nil, fmt.Errorf("session duration %s is outside what STS accepts, expected 15m to 12h", r.Duration)
		}
		in.DurationSeconds = aws.Int32(int32(seconds))
	}
	if r.Policy != "" {
		in.Policy = aws.String(r.Policy)
	}
	for _, arn := range r.PolicyARNs {
		in.PolicyArns = append(in.PolicyArns, ststypes.PolicyDescriptorType{Arn: aws.String(arn)})
	}
	out, err := c.STS.AssumeRoleWithWebIdentity(ctx, in, func(o *sts.Options) {
		o.Credentials = aws.AnonymousCredentials{}
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = WebIdentityAttempts
			so.RateLimiter = ratelimit.None
			so.Retryables = append([]retry.IsErrorRetryable{noRetryWhenHopeless}, so.Retryables...)
			so.Retryables = append(so.Retryables, retry.RetryableErrorCode{Codes: map[string]struct{}{"IDPCommunicationError": {}}})
		})
	})
	if err != nil {
		return nil, err
	}
	creds := &WebIdentityCredentials{
		Subject:  aws.ToString(out.SubjectFromWebIdentityToken),
		Audience: aws.ToString(out.Audience),
		Provider: aws.ToString(out.Provider),
	}
	if c := out.Credentials; c != nil {
		creds.AccessKeyID = aws.ToString(c.AccessKeyId)
		creds.SecretAccessKey = aws.ToString(c.SecretAccessKey)
		creds.SessionToken = aws.ToString(c.SessionToken)
		creds.Expiration = aws.ToTime(c.Expiration)
	}
	if u := out.AssumedRoleUser; u != nil {
		creds.AssumedRoleARN = aws.ToString(u.Arn)
		creds.AssumedRoleID = aws.ToString(u.AssumedRoleId)
	}
	return creds, nil
}

// ExplainWebIdentityError turns an STS error for AssumeRoleWithWebIdentity into a summary and
// a detail that says what most likely went wrong and where to look.
func ExplainWebIdentityError(err error) (summary, detail string) {
	msg := message(err)
	if msg == "" {
		msg = err.Error()
	}
	said := fmt.Sprintf("STS said: %s: %s", code(err), msg)
	switch code(err) {
	case "AccessDenied":
		return "Token Not Allowed To Assume Role", said + "\n\nThe token is valid, but the role's trust policy does not allow it. " +
			"Compare the token's aud and sub claims with the trust policy's conditions (the awsoidc_trust_check data source shows which condition fails), " +
			"and check that the trust policy names this account's OIDC provider for the token's issuer."
	case "InvalidIdentityToken":
		hint := "STS could not validate the token."
		switch lower := strings.ToLower(msg); {
		case strings.Contains(lower, "audience"):
			hint = "The token's aud claim is not one of the OIDC provider's client IDs: add it to client_ids of the awsoidc_provider, or request the token for an audience that is there."
		case strings.Contains(lower, "no openidconnect provider"):
			hint = "This account has no IAM OIDC provider whose URL equals the token's iss claim exactly (a trailing slash matters): create one with awsoidc_provider."
		case strings.Contains(lower, "thumbprint"):
			hint = "The identity provider's certificate does not match the provider's thumbprints, and IAM could not verify it through a trusted CA: refresh thumbprints from the awsoidc_thumbprint data source."
		case strings.Contains(lower, "verification key") || strings.Contains(lower, "signature"):
			hint = "STS could not verify the token's signature with the keys from the issuer's jwks_uri: check that the token's kid is published there and the IdP's keys have not rotated."
		}
		return "Invalid Identity Token", said + "\n\n" + hint
	case "ExpiredTokenException":
		return "Expired Identity Token", said + "\n\nThe token's exp is in the past. Request a fresh token from the identity provider; CI tokens usually live minutes."
	case "IDPCommunicationError":
		return "Identity Provider Unreachable", said + fmt.Sprintf("\n\nSTS could not reach the identity provider's jwks_uri after %d attempts. The IdP must be reachable from the internet over HTTPS on port 443.", WebIdentityAttempts)
	case "IDPRejectedClaim":
		return "Identity Provider Rejected Claim", said + "\n\nThe identity provider rejected the token's claims."
	case "MalformedPolicyDocument", "PackedPolicyTooLarge":
		return "Invalid Session Policy", said + "\n\nThe session policy or policy ARNs given are malformed or too large (2048 characters, 10 ARNs)."
	case "RegionDisabledException":
		return "STS Region Disabled", said + "\n\nActivate STS in this region for the account, or set the provider's region to one that is active."
	}
	return "Cannot Assume Role With Web Identity", said
}
