package localidp

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
)

// MaxDelay bounds Route.Delay so that no test or demo can hang on a slow route.
const MaxDelay = 30 * time.Second

// maxOversized bounds Oversized so a typo cannot exhaust memory.
const maxOversized = 64 << 20

// Route is what a host answers on one path. The zero Route is an empty 200 response.
type Route struct {
	// Status is the HTTP status; 200 when zero.
	Status int
	// ContentType is sent as Content-Type when not empty.
	ContentType string
	// Header holds extra response headers (for example Location).
	Header http.Header
	// Body is sent as is.
	Body []byte
	// Delay holds the response back this long (at most MaxDelay); a client that gives
	// up earlier ends the wait.
	Delay time.Duration
}

// WithDelay returns a copy of r that answers only after d: a slow server.
func (r Route) WithDelay(d time.Duration) Route {
	r.Delay = d
	return r
}

func (r Route) validate() error {
	if r.Delay < 0 || r.Delay > MaxDelay {
		return fmt.Errorf("route delay must be between 0 and %s, got %s", MaxDelay, r.Delay)
	}
	if r.Status != 0 && (r.Status < 100 || r.Status > 999) {
		return fmt.Errorf("route status must be a three-digit HTTP status, got %d", r.Status)
	}
	return nil
}

// JSON returns a 200 route serving v encoded as JSON with Content-Type
// application/json. A value that cannot be encoded gives a 500 route whose body says
// why, so the failure shows up in the test that served it.
func JSON(v any) Route {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return Raw(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("localidp: cannot encode JSON route: "+err.Error()))
	}
	return Raw(http.StatusOK, "application/json", b)
}

// Raw returns a route serving body with the given status and content type: use it for
// a discovery document shaped exactly as some IdP publishes it.
func Raw(status int, contentType string, body []byte) Route {
	return Route{Status: status, ContentType: contentType, Body: body}
}

// Redirect returns a route answering 302 Found with a Location header.
func Redirect(location string) Route {
	return Route{
		Status:      http.StatusFound,
		ContentType: "text/html; charset=utf-8",
		Header:      http.Header{"Location": []string{location}},
		Body:        []byte(`<a href="` + html.EscapeString(location) + `">Found</a>.` + "\n"),
	}
}

// HTMLPage returns a route serving an HTML page with the given status and title, the
// way a load balancer or web server answers for a missing or broken application.
func HTMLPage(status int, title string) Route {
	t := html.EscapeString(title)
	body := "<!DOCTYPE html>\n<html>\n<head><title>" + t + "</title></head>\n<body>\n<h1>" + t +
		"</h1>\n<p>The server could not complete the request.</p>\n</body>\n</html>\n"
	return Raw(status, "text/html; charset=utf-8", []byte(body))
}

// NotFound returns a 404 route with the plain-text body Go's net/http sends.
func NotFound() Route {
	return Raw(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404 page not found\n"))
}

// InvalidJSON returns a 200 application/json route whose body is cut off mid-object.
func InvalidJSON() Route {
	return Raw(http.StatusOK, "application/json", []byte(`{"issuer": "https://idp.test", "jwks_uri": `))
}

// Oversized returns a 200 application/json route whose body is a valid JSON object of
// exactly n bytes (n is raised to 15 if smaller and capped at 64 MiB), to exceed a client's size limit.
func Oversized(n int) Route {
	const head, tail = `{"padding":"`, `"}`
	n = max(n, len(head)+len(tail)+1)
	n = min(n, maxOversized)
	body := head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	return Raw(http.StatusOK, "application/json", []byte(body))
}
