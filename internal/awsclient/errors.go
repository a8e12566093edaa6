package awsclient

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
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

// IsHopeless reports an error that making the same call again cannot fix, so it is
// never retried: a request AWS refuses as invalid or conflicting, an operation the
// endpoint does not implement, or an answer that is not AWS's at all (an HTML error
// page, a body that is not the service's XML). A server error page that is not AWS's
// becomes hopeless only once it has answered ServerPageAttempts attempts of one call:
// a server that broke on a request once may not again. Throttling, AWS's own 5xx errors,
// connection failures, timeouts and answers cut short are not hopeless.
func IsHopeless(err error) bool {
	if err == nil || isCutShort(err) {
		return false
	}
	if isRepeatedServerPage(err) {
		return true
	}
	switch code(err) {
	case "InvalidInput", "ValidationError", "LimitExceeded", "EntityAlreadyExists", "NoSuchEntity",
		"InvalidAction", "UnknownOperationException", "NotImplemented":
		return true
	case "MalformedPolicyDocument":
		return !IsInvalidPrincipal(err)
	}
	status := httpStatus(err)
	if status == http.StatusNotImplemented {
		return true
	}
	msg := strings.ToLower(message(err))
	for _, says := range []string{"could not find operation", "not implemented", "not been implemented"} {
		if strings.Contains(msg, says) {
			return true
		}
	}
	if isNotAWSAnswer(err) {
		// Gateways and proxies between us and AWS answer these with their own pages
		// when AWS is briefly out of reach; they stay retryable. Server error pages are
		// retried up to ServerPageAttempts (see addServerPageBound).
		return !isGatewayStatus(status) && !isServerPage(err)
	}
	return false
}

// isGatewayStatus reports the statuses gateways and proxies answer with while what is
// behind them is out of reach or busy.
func isGatewayStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// NotAWSAnswer is what is known of an answer that was not AWS's: an HTML page, an error
// without an AWS error code, a body that is not the service's XML.
type NotAWSAnswer struct {
	Service   string // the SDK's service ID, such as IAM; "" when unknown
	Operation string // such as AddClientIDToOpenIDConnectProvider; "" when unknown
	Endpoint  string // scheme and host the request went to, such as http://127.0.0.1:5000; "" when unknown
	Status    int    // HTTP status of the answer; 0 when unknown
}

// FromGateway reports an answer with a status that gateways and proxies give while AWS is
// out of reach, which IsHopeless leaves to be retried.
func (a NotAWSAnswer) FromGateway() bool { return isGatewayStatus(a.Status) }

// AsNotAWSAnswer reports whether err is an answer that was not AWS's, and what is known
// of it. An answer cut short is not one: it is a connection that failed.
func AsNotAWSAnswer(err error) (NotAWSAnswer, bool) {
	if err == nil || isCutShort(err) || !isNotAWSAnswer(err) {
		return NotAWSAnswer{}, false
	}
	a := NotAWSAnswer{Status: httpStatus(err)}
	var op *smithy.OperationError
	if errors.As(err, &op) {
		a.Service, a.Operation = op.ServiceID, op.OperationName
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil && re.Response.Request != nil && re.Response.Request.URL != nil {
		// Scheme and host only: a path or query says nothing more, and user info
		// could hold a secret.
		u := re.Response.Request.URL
		a.Endpoint = u.Scheme + "://" + u.Host
	}
	return a, true
}

// isNotAWSAnswer reports a response the SDK could not read as the service's XML: a
// body that does not parse, or an error answer with no AWS error code in it.
func isNotAWSAnswer(err error) bool {
	var syntaxErr *xml.SyntaxError
	var deserializeErr *smithy.DeserializationError
	var generic *smithy.GenericAPIError
	return errors.As(err, &syntaxErr) || errors.As(err, &deserializeErr) ||
		(errors.As(err, &generic) && generic.Code == "UnknownError")
}

// isCutShort reports a connection that failed or an answer that stopped early: the
// next attempt may well get through.
func isCutShort(err error) bool {
	if (retry.RetryableConnectionError{}).IsErrorRetryable(err) == aws.TrueTernary || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var syntaxErr *xml.SyntaxError
	return errors.As(err, &syntaxErr) && syntaxErr.Msg == "unexpected EOF"
}

func httpStatus(err error) int {
	var withStatus interface{ HTTPStatusCode() int }
	if errors.As(err, &withStatus) {
		return withStatus.HTTPStatusCode()
	}
	return 0
}

// noRetryWhenHopeless goes first in a retryer's checks, before the SDK's own.
var noRetryWhenHopeless = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	if IsHopeless(err) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
})

// hopelessNotRetried wraps the retryer the client is configured with (max_retries,
// backoff): an error IsHopeless reports ends the call at once; any other is left to it.
type hopelessNotRetried struct{ aws.RetryerV2 }

func (r hopelessNotRetried) IsErrorRetryable(err error) bool {
	return !IsHopeless(err) && r.RetryerV2.IsErrorRetryable(err)
}

// withHopelessNotRetried makes every retryer newRetryer builds give up on hopeless
// errors. aws-sdk-go-base builds RetryerV2s; anything else is left as it is.
func withHopelessNotRetried(newRetryer func() aws.Retryer) func() aws.Retryer {
	if newRetryer == nil {
		return nil
	}
	return func() aws.Retryer {
		r := newRetryer()
		if v2, ok := r.(aws.RetryerV2); ok {
			return hopelessNotRetried{v2}
		}
		return r
	}
}

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
			noRetryWhenHopeless,
			retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if IsInvalidPrincipal(err) || IsConcurrentModification(err) {
					return aws.TrueTernary
				}
				return aws.UnknownTernary
			}),
		}, so.Retryables...)
	})
}
