package idpfetch

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// excerptRunes bounds the body text quoted in error messages.
const excerptRunes = 200

// RedirectError is returned by Get for a 3xx answer. Redirects are never followed: the
// document has to be served at the URL asked for.
type RedirectError struct {
	URL        string
	StatusCode int
	Status     string // for example "302 Found"
	// Location is the redirect target resolved against URL; empty when the answer
	// carried no Location header.
	Location string
}

func (e *RedirectError) Error() string {
	to := "without a Location header"
	if e.Location != "" {
		to = "to " + e.Location
	}
	return fmt.Sprintf("GET %s answered %s, redirecting %s; redirects are not followed: the document must be served at %s itself",
		e.URL, e.Status, to, e.URL)
}

// StatusError is returned by Get for an answer that is neither 2xx nor 3xx.
type StatusError struct {
	URL         string
	StatusCode  int
	Status      string // for example "404 Not Found"
	ContentType string
	// Body describes what came back, as DescribeBody does.
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s answered %s with %s", e.URL, e.Status, e.Body)
}

// BodyTooLargeError is returned by Get when the body exceeds Config.MaxBodyBytes.
type BodyTooLargeError struct {
	URL   string
	Limit int64
	// Size is the declared Content-Length when the server sent one, else -1.
	Size int64
}

func (e *BodyTooLargeError) Error() string {
	size := "more"
	if e.Size >= 0 {
		size = strconv.FormatInt(e.Size, 10) + " bytes"
	}
	return fmt.Sprintf("GET %s: the response body (%s) exceeds the limit of %d bytes; a discovery document or JWKS is normally a few kilobytes",
		e.URL, size, e.Limit)
}

// HeadersTooLargeError is returned by Get when the status line and headers of the answer
// exceed Config.MaxHeaderBytes; the rest of the answer is not read.
type HeadersTooLargeError struct {
	URL   string
	Host  string
	Limit int64
}

func (e *HeadersTooLargeError) Error() string {
	return fmt.Sprintf("GET %s: %s answered with response headers over the limit of %d bytes; an IdP's headers are normally a few kilobytes, so the answer was not read",
		e.URL, e.Host, e.Limit)
}

// CertificateError is returned by Get when the server's certificate chain does not
// verify against the trusted roots for the host name. ServedChain does not return it:
// it reports the same failure in Chain.VerifyErr next to the chain.
type CertificateError struct {
	// Address is the host:port connected to.
	Address string
	// Certificates is the chain as served.
	Certificates []*x509.Certificate
	// Err is the verification error from crypto/x509 (for example
	// x509.UnknownAuthorityError, x509.CertificateInvalidError, x509.HostnameError).
	Err error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("the certificate chain served by %s (%s) does not verify: %v; if the IdP uses a private CA, add its root to the CA bundle",
		e.Address, describeChain(e.Certificates), e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// ProxyError is returned when a proxy refuses to open a tunnel.
type ProxyError struct {
	// Proxy is the proxy URL with any password redacted.
	Proxy string
	// Target is the host:port the tunnel was asked for.
	Target     string
	StatusCode int
	Status     string
	Body       string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s refused CONNECT %s: %s with %s", e.Proxy, e.Target, e.Status, e.Body)
}

func describeChain(certs []*x509.Certificate) string {
	if len(certs) == 0 {
		return "no certificates"
	}
	names := make([]string, len(certs))
	for i, c := range certs {
		names[i] = strconv.Quote(c.Subject.String())
	}
	return fmt.Sprintf("%d certificates: %s", len(certs), strings.Join(names, ", "))
}

// DescribeBody says in a few words what a response that should have been JSON
// contained: "an empty body", "an HTML page titled "404 Not Found", not JSON", "a JSON
// body: ..." or the start of the text. Callers use it in error messages.
func DescribeBody(contentType string, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "an empty body"
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if isHTML(mediaType, trimmed) {
		if title := htmlTitle(body); title != "" {
			return fmt.Sprintf("an HTML page titled %q, not JSON", excerpt([]byte(title)))
		}
		return fmt.Sprintf("an HTML page, not JSON: %q", excerpt(htmlText(body)))
	}
	if json.Valid(trimmed) {
		return fmt.Sprintf("a JSON body: %q", excerpt(trimmed))
	}
	if mediaType == "" {
		return fmt.Sprintf("a body without a valid Content-Type: %q", excerpt(trimmed))
	}
	return fmt.Sprintf("a %s body: %q", mediaType, excerpt(trimmed))
}

func isHTML(mediaType string, trimmed []byte) bool {
	if mediaType == "text/html" || mediaType == "application/xhtml+xml" {
		return true
	}
	head := strings.ToLower(string(trimmed[:min(len(trimmed), 64)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// htmlTitle returns the text of the first <title> element, or "".
func htmlTitle(body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	inTitle := false
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.StartTagToken:
			name, _ := z.TagName()
			if atom.Lookup(name) == atom.Title {
				inTitle = true
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if inTitle && atom.Lookup(name) == atom.Title {
				return strings.TrimSpace(b.String())
			}
		case html.TextToken:
			if inTitle {
				b.Write(z.Text())
			}
		}
	}
}

// htmlText returns the page's text without markup, scripts or styles.
func htmlText(body []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(body))
	var b bytes.Buffer
	skip := 0
	for b.Len() < 4*excerptRunes {
		switch z.Next() {
		case html.ErrorToken:
			return b.Bytes()
		case html.StartTagToken:
			if name, _ := z.TagName(); isInvisible(name) {
				skip++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); isInvisible(name) && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		}
	}
	return b.Bytes()
}

func isInvisible(tag []byte) bool {
	a := atom.Lookup(tag)
	return a == atom.Script || a == atom.Style || a == atom.Head
}

// excerpt returns printable text with runs of white space folded, cut at excerptRunes.
func excerpt(b []byte) string {
	// Enough bytes for excerptRunes runes even after folding white space.
	b = b[:min(len(b), 16*excerptRunes)]
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > excerptRunes {
		return string(r[:excerptRunes]) + "…"
	}
	return s
}
