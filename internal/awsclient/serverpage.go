package awsclient

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/smithy-go/middleware"
)

// ServerPageAttempts bounds the attempts of one call answered, each time, with a server
// error page that is not AWS's (an HTML 500 with no AWS error code). Such a page comes from
// a server that failed on this request: an endpoint that does not implement the operation,
// which no retry fixes, or one that broke on it once, which the next attempt may not meet.
// A few attempts tell the two apart without waiting through max_retries.
const ServerPageAttempts = 3

// serverPageCount is the context key of one call's count of server pages.
type serverPageCount struct{}

// repeatedServerPage is a server page answered ServerPageAttempts times in one call:
// IsHopeless reports it, so the call ends with it.
type repeatedServerPage struct{ err error }

func (e *repeatedServerPage) Error() string { return e.err.Error() }
func (e *repeatedServerPage) Unwrap() error { return e.err }

// isServerPage reports an answer that is not AWS's with a server error status other than
// 501 (which says outright that the operation is not implemented) and the statuses
// gateways answer with (which stay retryable up to max_retries).
func isServerPage(err error) bool {
	if isCutShort(err) || !isNotAWSAnswer(err) {
		return false
	}
	status := httpStatus(err)
	return status >= http.StatusInternalServerError && status != http.StatusNotImplemented && !isGatewayStatus(status)
}

// addServerPageBound counts, per call, the attempts answered with a server page and marks
// the one that reaches ServerPageAttempts as hopeless. The count lives in the call's
// context (set up once per call in Initialize); the check runs once per attempt, after
// the retry middleware in Finalize.
func addServerPageBound(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("awsoidcServerPageCount",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, serverPageCount{}, new(int)), in)
		}), middleware.Before)
	if err != nil {
		return err
	}
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsoidcServerPageBound",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			if n, ok := ctx.Value(serverPageCount{}).(*int); ok && err != nil && isServerPage(err) {
				*n++
				if *n >= ServerPageAttempts {
					err = &repeatedServerPage{err: err}
				}
			}
			return out, md, err
		}), middleware.After)
}

// isRepeatedServerPage reports an error addServerPageBound marked.
func isRepeatedServerPage(err error) bool {
	var rep *repeatedServerPage
	return errors.As(err, &rep)
}
