package main

import (
	"os"
	"strings"
)

// Terraform shows a provider's logs only when TF_LOG_PROVIDER or TF_LOG is set (and
// not "off"); otherwise it drops every line. The plugin SDKs log at TRACE unless told
// otherwise, so without this a plan formats each request, each attribute walk and each
// AWS call as JSON, ships it to Terraform and has it parsed there, only to be dropped:
// about a third of the provider's CPU time in a 200-resource refresh.
var discardedLogLevels = []string{
	"TF_LOG_SDK",              // terraform-plugin-go and the framework, by default
	"TF_LOG_SDK_PROTO",        // terraform-plugin-go's protocol logger
	"TF_LOG_SDK_FRAMEWORK",    // terraform-plugin-framework
	"TF_LOG_PROVIDER_AWSOIDC", // tflog in this provider, aws-sdk-go-base's subsystem included
}

// quietDiscardedLogs turns the SDK and provider loggers off when Terraform would drop
// what they write. A level set explicitly is kept, and nothing changes when Terraform
// shows provider logs. It must run before the server starts, which reads the levels.
func quietDiscardedLogs() {
	if logsShown(os.Getenv("TF_LOG_PROVIDER")) || logsShown(os.Getenv("TF_LOG")) {
		return
	}
	for _, name := range discardedLogLevels {
		if _, set := os.LookupEnv(name); !set {
			_ = os.Setenv(name, "off")
		}
	}
}

// logsShown mirrors Terraform's reading of TF_LOG and TF_LOG_PROVIDER: empty and "off"
// show nothing; any other value, an unknown one included, shows logs.
func logsShown(level string) bool {
	level = strings.TrimSpace(level)
	return level != "" && !strings.EqualFold(level, "off")
}
