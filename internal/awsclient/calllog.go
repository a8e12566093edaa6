package awsclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	smithylogging "github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// The call logger replaces aws-sdk-go-base's request/response logger (turned off with
// SuppressDebugLog, see New and go.mod): that one logged tokens, secret keys and session
// tokens in full, and in beta.74 handed its body buffer back to a shared pool while the
// SDK still read from it. This one copies each body into memory owned by one attempt of
// one call, and masks secrets before anything reaches the log.

// maxLoggedBody bounds each logged body; the cut is made after masking.
const maxLoggedBody = 16 << 10

// mask replaces a secret value in the log.
const mask = "******"

// secretWords mark a form parameter or XML element whose value is a secret:
// WebIdentityToken, SessionToken, SecretAccessKey, Password, SAMLAssertion,
// Credentials, PrivateKey, and any name to come that says so.
var secretWords = []string{"token", "secret", "password", "credential", "assertion", "privatekey"}

// jwtPattern finds a JSON Web Token anywhere in logged text, whatever its field is
// called: three base64url parts, the first a JSON object ("eyJ" is `{"`).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// secretTagPattern is the fallback for text that is not well-formed XML: the text after
// an opening tag whose name says secret, up to the next tag.
var secretTagPattern = regexp.MustCompile(`(?i)(<[A-Za-z0-9_:.-]*(?:token|secret|password|credential|assertion|privatekey)[A-Za-z0-9_:.-]*(?:\s[^>]*)?>)[^<]*`)

// isSecretName reports whether a parameter or element name says its value is secret.
func isSecretName(name string) bool {
	lower := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// isAccessKeyIDName reports an access key ID: the first four characters tell a
// long-term key (AKIA) from a temporary one (ASIA); the rest is masked.
func isAccessKeyIDName(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), "accesskeyid")
}

func maskAccessKeyID(v string) string {
	if len(v) <= 4 {
		return mask
	}
	return v[:4] + mask
}

// redactForm masks the secret values of an AWS Query request body
// (Action=…&WebIdentityToken=…); the rest is kept as sent.
func redactForm(body []byte) string {
	parts := strings.Split(string(body), "&")
	for i, p := range parts {
		k, v, found := strings.Cut(p, "=")
		if !found || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		switch {
		case isAccessKeyIDName(name):
			value, err := url.QueryUnescape(v)
			if err != nil {
				value = ""
			}
			parts[i] = k + "=" + url.QueryEscape(maskAccessKeyID(value))
		case isSecretName(name):
			parts[i] = k + "=" + mask
		}
	}
	return scrubTokens(strings.Join(parts, "&"))
}

// redactXML masks the text of every element whose name, or an enclosing element's
// name, says secret (Credentials masks all it holds), and keeps four characters of an
// access key ID. A body that is not XML, or stops being XML, is masked by the tag
// pattern from where parsing stopped.
func redactXML(body []byte) string {
	type span struct {
		start, end int64
		with       string
	}
	var spans []span
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	type open struct {
		name   string
		secret bool
	}
	var stack []open
	parsed := int64(0)
	failed := false
	for {
		start := dec.InputOffset()
		tok, err := dec.RawToken()
		if err != nil {
			failed = !errors.Is(err, io.EOF)
			parsed = start
			break
		}
		end := dec.InputOffset()
		parsed = end
		switch t := tok.(type) {
		case xml.StartElement:
			secret := isSecretName(t.Name.Local) || (len(stack) > 0 && stack[len(stack)-1].secret)
			stack = append(stack, open{name: t.Name.Local, secret: secret})
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) == 0 || len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			switch {
			case isAccessKeyIDName(top.name):
				spans = append(spans, span{start, end, maskAccessKeyID(strings.TrimSpace(string(t)))})
			case top.secret:
				spans = append(spans, span{start, end, mask})
			}
		}
	}
	var b strings.Builder
	at := int64(0)
	for _, s := range spans {
		b.Write(body[at:s.start])
		b.WriteString(s.with)
		at = s.end
	}
	rest := body[at:]
	if failed {
		// Up to parsed, the spans above masked what needs it; after it, the tag
		// pattern does, and inside a secret element everything left is secret.
		done := body[at:max(parsed, at)]
		b.Write(done)
		rest = body[max(parsed, at):]
		if len(stack) > 0 && stack[len(stack)-1].secret {
			rest = []byte(mask)
		} else {
			rest = secretTagPattern.ReplaceAll(rest, []byte("${1}"+mask))
		}
	}
	b.Write(rest)
	return scrubTokens(b.String())
}

// scrubTokens masks anything shaped like a JSON Web Token, wherever it appears.
func scrubTokens(s string) string {
	return jwtPattern.ReplaceAllString(s, "[JWT masked]")
}

// truncate cuts s to maxLoggedBody bytes, saying how much was left out.
func truncate(s string) string {
	if len(s) <= maxLoggedBody {
		return s
	}
	return s[:maxLoggedBody] + fmt.Sprintf("[… %d more bytes]", len(s)-maxLoggedBody)
}

// callLogger logs each attempt of an AWS call at DEBUG. It sits at the end of the
// Deserialize step, next to the transport: it sees the request as sent and the
// response before the SDK parses it.
type callLogger struct{}

func (callLogger) ID() string { return "awsoidcCallLogger" }

func (callLogger) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	out middleware.DeserializeOutput, metadata middleware.Metadata, err error,
) {
	if !tflog.IsDebug(ctx) {
		return next.HandleDeserialize(ctx, in)
	}
	fields := map[string]any{
		"aws.service":   awsmiddleware.GetServiceID(ctx),
		"aws.operation": awsmiddleware.GetOperationName(ctx),
	}
	if req, ok := in.Request.(*smithyhttp.Request); ok {
		body, replaced, err := copyRequestBody(req)
		if err != nil {
			return out, metadata, fmt.Errorf("reading the request body to log it: %w", err)
		}
		if replaced != nil {
			in.Request = replaced
		}
		fields["http.method"] = req.Method
		fields["http.url"] = (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}).String()
		fields["http.request.body"] = truncate(redactForm(body))
	}

	start := time.Now()
	out, metadata, err = next.HandleDeserialize(ctx, in)
	fields["http.duration_ms"] = time.Since(start).Milliseconds()

	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil && resp.Response != nil {
		fields["http.status_code"] = resp.StatusCode
		if id := requestID(resp); id != "" {
			fields["aws.request_id"] = id
		}
		if resp.Body != nil {
			body := copyResponseBody(resp)
			fields["http.response.body"] = truncate(redactXML(body))
		}
	}
	if err != nil {
		fields["error"] = scrubTokens(err.Error())
	}
	tflog.Debug(ctx, "AWS call", fields)
	return out, metadata, err
}

// copyRequestBody returns a copy of the body the transport will send. A seekable
// stream (what the SDK's serializers produce) is read and put back where it was; any
// other stream is replaced by a reader over the copy, returned as a new request.
func copyRequestBody(req *smithyhttp.Request) ([]byte, *smithyhttp.Request, error) {
	stream := req.GetStream()
	if stream == nil {
		return nil, nil, nil
	}
	if s, ok := stream.(io.ReadSeeker); ok {
		pos, err := s.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(s)
		if err != nil {
			return nil, nil, err
		}
		if _, err := s.Seek(pos, io.SeekStart); err != nil {
			return nil, nil, err
		}
		return body, nil, nil
	}
	body, err := io.ReadAll(stream)
	if err != nil {
		return nil, nil, err
	}
	replaced, err := req.SetStream(bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	return body, replaced, nil
}

// copyResponseBody reads the whole body into a new slice and gives the SDK a reader
// over that slice, which no other call can touch. A read error (a connection cut
// mid-body) is handed on after the bytes that did arrive, so the SDK sees and
// classifies it as it would have.
func copyResponseBody(resp *smithyhttp.Response) []byte {
	body, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	var r io.Reader = bytes.NewReader(body)
	if readErr != nil {
		r = io.MultiReader(r, errorReader{readErr})
	}
	resp.Body = io.NopCloser(r)
	return body
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// requestID is the ID AWS gives the call, from the response headers.
func requestID(resp *smithyhttp.Response) string {
	for _, h := range []string{"X-Amzn-Requestid", "X-Amz-Request-Id"} {
		if v := resp.Header.Get(h); v != "" {
			return v
		}
	}
	return ""
}

// addCallLogger puts the call logger on a client's middleware stack.
func addCallLogger(stack *middleware.Stack) error {
	return stack.Deserialize.Add(callLogger{}, middleware.After)
}

// sdkLogger carries the SDK's own messages (retries, mostly) to tflog. The SDK binds
// it to each call's context with WithContext.
type sdkLogger struct{ ctx context.Context }

func (l sdkLogger) Logf(classification smithylogging.Classification, format string, v ...any) {
	if l.ctx == nil {
		return
	}
	msg := scrubTokens(fmt.Sprintf(format, v...))
	if classification == smithylogging.Warn {
		tflog.Warn(l.ctx, msg)
		return
	}
	tflog.Debug(l.ctx, msg)
}

func (l sdkLogger) WithContext(ctx context.Context) smithylogging.Logger { return sdkLogger{ctx: ctx} }
