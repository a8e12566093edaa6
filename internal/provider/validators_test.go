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

func validateString(v validator.String, attr string, value types.String) (summaries, details []string) {
	req := validator.StringRequest{Path: path.Root(attr), ConfigValue: value}
	var resp validator.StringResponse
	v.ValidateString(context.Background(), req, &resp)
	for _, d := range resp.Diagnostics {
		summaries = append(summaries, d.Summary())
		details = append(details, d.Detail())
	}
	return summaries, details
}

// The whole-number attributes take exactly what Terraform makes of a number in
// configuration (max_session_duration = 7200 arrives as "7200"), within IAM's range; any
// other spelling is refused, since it would differ from what state reads back from IAM.
func TestWholeNumberValidator_takesTerraformsDigitsWithinIAMsRange(t *testing.T) {
	cases := []struct {
		v       wholeNumberValidator
		attr    string
		value   string
		summary string   // "" when valid
		phrases []string // in the detail
	}{
		{sessionDurationValidator, "max_session_duration", "3600", "", nil},
		{sessionDurationValidator, "max_session_duration", "7200", "", nil},
		{sessionDurationValidator, "max_session_duration", "43200", "", nil},
		{sessionDurationValidator, "max_session_duration", "3599", "Session Duration Out of Range",
			[]string{"max_session_duration is 3599 seconds", "IAM allows 3600 to 43200 seconds", "IAM API Reference, CreateRole and UpdateRole: MaxSessionDuration", "leave max_session_duration unset for IAM's default of 3600"}},
		{sessionDurationValidator, "max_session_duration", "43201", "Session Duration Out of Range", []string{"is 43201 seconds", "IAM allows 3600 to 43200"}},
		{sessionDurationValidator, "max_session_duration", "0", "Session Duration Out of Range", []string{"is 0 seconds"}},
		{sessionDurationValidator, "max_session_duration", "99999999999999999999999", "Session Duration Out of Range", []string{"is 99999999999999999999999 seconds"}},
		{sessionDurationValidator, "max_session_duration", "07200", "Not a Whole Number",
			[]string{`max_session_duration is "07200"`, "plain digits (no sign, leading zero, space, fraction or unit)", "such as max_session_duration = 3600"}},
		{sessionDurationValidator, "max_session_duration", " 7200", "Not a Whole Number", []string{`is " 7200"`}},
		{sessionDurationValidator, "max_session_duration", "7200 ", "Not a Whole Number", []string{`is "7200 "`}},
		{sessionDurationValidator, "max_session_duration", "+7200", "Not a Whole Number", nil},
		{sessionDurationValidator, "max_session_duration", "-3600", "Not a Whole Number", nil},
		{sessionDurationValidator, "max_session_duration", "7200.5", "Not a Whole Number", nil},
		{sessionDurationValidator, "max_session_duration", "7.2e3", "Not a Whole Number", nil},
		{sessionDurationValidator, "max_session_duration", "2h", "Not a Whole Number", []string{"whole number of seconds"}},
		{sessionDurationValidator, "max_session_duration", "", "Not a Whole Number", nil},
		{trustPolicyQuotaValidator, "trust_policy_size_quota", "2048", "", nil},
		{trustPolicyQuotaValidator, "trust_policy_size_quota", "4096", "", nil},
		{trustPolicyQuotaValidator, "trust_policy_size_quota", "2047", "Trust Policy Quota Out of Range",
			[]string{"trust_policy_size_quota is 2047 characters", "2048 characters unless raised", "at most 4096", `"Role trust policy length"`, "Service Quotas"}},
		{trustPolicyQuotaValidator, "trust_policy_size_quota", "4097", "Trust Policy Quota Out of Range", []string{"is 4097 characters"}},
		{trustPolicyQuotaValidator, "trust_policy_size_quota", "04096", "Not a Whole Number", []string{"whole number of characters", "such as trust_policy_size_quota = 2048"}},
	}
	for _, c := range cases {
		summaries, details := validateString(c.v, c.attr, types.StringValue(c.value))
		if c.summary == "" {
			if len(details) != 0 {
				t.Errorf("%s = %q refused: %q %q", c.attr, c.value, summaries, details)
			}
			continue
		}
		if len(details) != 1 || summaries[0] != c.summary {
			t.Errorf("%s = %q: got %q %q, want one %q", c.attr, c.value, summaries, details, c.summary)
			continue
		}
		for _, p := range c.phrases {
			if !strings.Contains(details[0], p) {
				t.Errorf("%s = %q: detail %q lacks %q", c.attr, c.value, details[0], p)
			}
		}
	}
	for _, v := range []types.String{types.StringNull(), types.StringUnknown()} {
		if _, details := validateString(sessionDurationValidator, "max_session_duration", v); len(details) != 0 {
			t.Errorf("%v refused: %q", v, details)
		}
	}
}
