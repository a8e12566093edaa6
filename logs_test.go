package main

import (
	"os"
	"testing"
)

func TestQuietDiscardedLogs_offOnlyWhenTerraformDropsProviderLogs(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string // set before; every other variable involved is unset
		wantOff bool              // TF_LOG_SDK_FRAMEWORK ends "off"
	}{
		{name: "nothing set", wantOff: true},
		{name: "TF_LOG off", env: map[string]string{"TF_LOG": "OFF"}, wantOff: true},
		{name: "TF_LOG_CORE only", env: map[string]string{"TF_LOG_CORE": "TRACE"}, wantOff: true},
		{name: "TF_LOG trace", env: map[string]string{"TF_LOG": "trace"}},
		{name: "TF_LOG json", env: map[string]string{"TF_LOG": "JSON"}},
		{name: "TF_LOG_PROVIDER debug", env: map[string]string{"TF_LOG_PROVIDER": "DEBUG"}},
		{name: "TF_LOG unknown level shows logs", env: map[string]string{"TF_LOG": "verbose"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range append([]string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_CORE"}, discardedLogLevels...) {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			quietDiscardedLogs()
			for _, k := range discardedLogLevels {
				v, set := os.LookupEnv(k)
				if tt.wantOff && v != "off" {
					t.Errorf("%s = %q (set %v), want off", k, v, set)
				}
				if !tt.wantOff && set {
					t.Errorf("%s = %q, want it left unset so the SDKs log at Terraform's level", k, v)
				}
			}
		})
	}
}

func TestQuietDiscardedLogs_keepsAnExplicitLevel(t *testing.T) {
	for _, k := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("TF_LOG_PROVIDER_AWSOIDC", "DEBUG")
	t.Setenv("TF_LOG_SDK", "")
	os.Unsetenv("TF_LOG_SDK")
	quietDiscardedLogs()
	if v := os.Getenv("TF_LOG_PROVIDER_AWSOIDC"); v != "DEBUG" {
		t.Errorf("TF_LOG_PROVIDER_AWSOIDC = %q, want the DEBUG it was set to", v)
	}
	if v := os.Getenv("TF_LOG_SDK"); v != "off" {
		t.Errorf("TF_LOG_SDK = %q, want off", v)
	}
}
