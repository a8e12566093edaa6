package awsclient

import (
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// IsNotFound reports IAM's NoSuchEntity.
func IsNotFound(err error) bool { return code(err) == "NoSuchEntity" }

// IsAlreadyExists reports IAM's EntityAlreadyExists.
func IsAlreadyExists(err error) bool { return code(err) == "EntityAlreadyExists" }

// IsLimitExceeded reports a quota: too many providers, client IDs, or a policy too large.
func IsLimitExceeded(err error) bool { return code(err) == "LimitExceeded" }

// IsThrottled reports a rate limit.
func IsThrottled(err error) bool {
	switch code(err) {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
		return true
	}
	return false
}

// IsConcurrentModification reports IAM's ConcurrentModification.
func IsConcurrentModification(err error) bool { return code(err) == "ConcurrentModification" }

// IsInvalidPrincipal reports the error IAM gives for a trust policy naming an OIDC provider
// that it cannot see yet: for a few seconds after the provider is created, IAM says
// "Invalid principal in policy" even though the provider exists.
func IsInvalidPrincipal(err error) bool {
	return code(err) == "MalformedPolicyDocument" && strings.Contains(message(err), "Invalid principal in policy")
}

// IsTransient reports errors IAM's eventual consistency and load produce, worth retrying.
func IsTransient(err error) bool {
	return IsInvalidPrincipal(err) || IsConcurrentModification(err) || IsThrottled(err) || code(err) == "ServiceFailure"
}

// Code is the AWS error code of err, or "" when it has none.
func Code(err error) string { return code(err) }

// PropagationAttempts bounds how often a call retried for eventual consistency is made.
const PropagationAttempts = 10

// WithPropagationRetry makes a call retry, with the SDK's standard jittered backoff, the
// transient errors IAM gives while a new OIDC provider or role propagates. It keeps the
// SDK's own retry rules for throttling and 5xx, and uses no retry quota so a burst of
// propagation errors cannot exhaust the client's budget.
func WithPropagationRetry(o *iam.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = PropagationAttempts
		so.MaxBackoff = 5 * time.Second
		so.RateLimiter = ratelimit.None
		so.Retryables = append([]retry.IsErrorRetryable{
			retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if IsInvalidPrincipal(err) || IsConcurrentModification(err) {
					return aws.TrueTernary
				}
				return aws.UnknownTernary
			}),
		}, so.Retryables...)
	})
}
