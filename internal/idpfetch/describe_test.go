package idpfetch_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/awsoidc/terraform-provider-awsoidc/internal/idpfetch"
)

func TestDescribeBody_saysWhatCameBack(t *testing.T) {
	cases := []struct {
		name, contentType, body, want string
	}{
		{"empty", "application/json", "  \n", "an empty body"},
		{"html by type", "text/html; charset=utf-8", "<html><head><title>Access Denied</title></head><body>x</body></html>", `an HTML page titled "Access Denied", not JSON`},
		{"html by content", "", "\n<!DOCTYPE html><html><title> Sign in \n to Okta </title>", `an HTML page titled "Sign in to Okta", not JSON`},
		{"html without title", "text/html", "<html><head><style>p{}</style></head><body><p>Service   Unavailable</p><script>x()</script></body></html>", `an HTML page, not JSON: "Service Unavailable"`},
		{"json", "application/json", `{"error": "invalid_request"}`, `a JSON body: "{\"error\": \"invalid_request\"}"`},
		{"json under another type", "text/plain", `{"a":1}`, `a JSON body: "{\"a\":1}"`},
		{"plain text", "text/plain; charset=utf-8", "Forbidden\n", `a text/plain body: "Forbidden"`},
		{"no type", "", "oops", `a body without a valid Content-Type: "oops"`},
		{"control characters", "text/plain", "a\x00b\x1bc", `a text/plain body: "a b c"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := idpfetch.DescribeBody(tc.contentType, []byte(tc.body)); got != tc.want {
				t.Errorf("DescribeBody = %s\nwant            %s", got, tc.want)
			}
		})
	}
}

func TestDescribeBody_cutsLongBodies(t *testing.T) {
	got := idpfetch.DescribeBody("text/plain", []byte(strings.Repeat("é", 10000)))
	if n := utf8.RuneCountInString(got); n > 260 || !strings.Contains(got, "…") {
		t.Errorf("description of a 10000-rune body has %d runes: %s", n, got)
	}
}

func FuzzDescribeBody(f *testing.F) {
	f.Add("text/html", []byte("<html><title>x</title></html>"))
	f.Add("application/json", []byte(`{"a":[1,2]}`))
	f.Add("", []byte("<!doctype html><title>"))
	f.Add("text/html; charset=\"", []byte("\xff\xfe<title>\x00"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		got := idpfetch.DescribeBody(contentType, body)
		if got == "" {
			t.Fatal("empty description")
		}
		if !utf8.ValidString(got) {
			t.Fatalf("description is not valid UTF-8: %q", got)
		}
		if len(got) > 4000 {
			t.Fatalf("description of %d bytes is %d bytes long", len(body), len(got))
		}
	})
}
