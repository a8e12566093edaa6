package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// previewLen bounds how much of an unexpected body an error quotes.
const previewLen = 64

// describeBody says in a few words what a body that failed to parse as a
// JSON object actually holds, so an error points at the real cause (an
// HTML login page, an error string, an empty reply) instead of a byte offset.
func describeBody(b []byte) string {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		if len(b) == 0 {
			return "an empty body"
		}
		return "a body of only whitespace"
	}
	if looksLikeHTML(trimmed) {
		return fmt.Sprintf("content that looks like HTML, starting %s", preview(trimmed))
	}
	var v any
	if err := json.Unmarshal(trimmed, &v); err != nil {
		return fmt.Sprintf("invalid JSON (%s), starting %s", jsonErrorText(err), preview(trimmed))
	}
	switch v.(type) {
	case []any:
		return fmt.Sprintf("a JSON array, starting %s", preview(trimmed))
	case string:
		return fmt.Sprintf("a JSON string, starting %s", preview(trimmed))
	case float64:
		return fmt.Sprintf("a JSON number, starting %s", preview(trimmed))
	case bool:
		return fmt.Sprintf("a JSON boolean, starting %s", preview(trimmed))
	case nil:
		return "JSON null"
	}
	return fmt.Sprintf("a JSON object, starting %s", preview(trimmed))
}

// looksLikeHTML recognises markup: servers answer errors and login
// redirects with HTML pages far more often than with anything else.
func looksLikeHTML(b []byte) bool {
	return len(b) > 0 && b[0] == '<'
}

// preview quotes the first bytes of b, cut on a rune boundary.
func preview(b []byte) string {
	if len(b) <= previewLen {
		return fmt.Sprintf("%q", b)
	}
	cut := previewLen
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return fmt.Sprintf("%q…", b[:cut])
}

// jsonErrorText adds the byte offset to a syntax error, which encoding/json
// keeps out of its message.
func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s at byte %d", syn.Error(), syn.Offset)
	}
	return err.Error()
}

// jsonKind names the JSON type of a raw value for "expected X, found Y"
// messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
