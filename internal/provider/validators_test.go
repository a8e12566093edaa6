package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func validateSet(v validator.Set, attr string, values ...string) (summaries, details []string) {
	req := validator.SetRequest{Path: path.Root(attr), ConfigValue: stringSet(values)}
	var resp validator.SetResponse
	v.ValidateSet(context.Background(), req, &resp)
	for _, d := range resp.Diagnostics {
		summaries = append(summaries, d.Summary())
		details = append(details, d.Detail())
	}
	return summaries, details
}

func TestThumbprintsValidator_namesTheValueOnceAndIAMsRule(t *testing.T) {
	bad := strings.Repeat("a", 39)
	summaries, details := validateSet(thumbprintsValidator{}, "thumbprints", bad)
	if len(details) != 1 || summaries[0] != "Invalid Thumbprint" {
		t.Fatalf("want one Invalid Thumbprint, got %q %q", summaries, details)
	}
	if n := strings.Count(details[0], bad); n != 1 {
		t.Errorf("the detail prints the thumbprint %d times, want once: %s", n, details[0])
	}
	for _, want := range []string{"is 39 characters", `"It is always a 40-character string"`, "IAM API Reference, CreateOpenIDConnectProvider"} {
		if !strings.Contains(details[0], want) {
			t.Errorf("detail %q lacks %q", details[0], want)
		}
	}
	if _, details := validateSet(thumbprintsValidator{}, "thumbprints", strings.Repeat("a", 40), strings.ToUpper(strings.Repeat("b", 40))); len(details) != 0 {
		t.Errorf("valid thumbprints in either case refused: %q", details)
	}
}

func TestClientIDsValidator_statesIAMsLimitsInIAMsWords(t *testing.T) {
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("client-%d", i)
	}
	summaries, details := validateSet(clientIDsValidator{}, "client_ids", many...)
	if len(details) != 1 || summaries[0] != "Too Many Client IDs" || !strings.Contains(details[0], "You cannot register more than 100 client IDs") {
		t.Errorf("101 client IDs: %q %q", summaries, details)
	}
	if strings.Contains(strings.Join(details, " "), "elements") {
		t.Errorf("the message is the framework's generic one: %q", details)
	}
	if _, details := validateSet(clientIDsValidator{}, "client_ids", many[:100]...); len(details) != 0 {
		t.Errorf("100 client IDs refused: %q", details)
	}
	long := strings.Repeat("c", 256)
	if _, details := validateSet(clientIDsValidator{}, "client_ids", long); len(details) != 1 || strings.Count(details[0], long) != 1 ||
		!strings.Contains(details[0], "up to 255 characters long") {
		t.Errorf("a 256-character client ID: %q", details)
	}
	req := validator.SetRequest{Path: path.Root("client_ids"), ConfigValue: types.SetValueMust(types.StringType, nil)}
	var resp validator.SetResponse
	clientIDsValidator{}.ValidateSet(context.Background(), req, &resp)
	if !resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != "No Client IDs" {
		t.Errorf("no client IDs: %v", resp.Diagnostics)
	}
}
