package awsclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	awsbase "github.com/hashicorp/aws-sdk-go-base/v2"
	basediag "github.com/hashicorp/aws-sdk-go-base/v2/diag"
	"github.com/hashicorp/aws-sdk-go-base/v2/logging"
)

// ProductName is the first product of the User-Agent header.
const ProductName = "terraform-provider-awsoidc"

// Config is what the provider block says about AWS. Empty fields fall back to the
// standard AWS environment variables and shared files, exactly as for the AWS provider.
type Config struct {
	Region                    string
	Profile                   string
	AccessKey                 string
	SecretKey                 string
	Token                     string
	SharedConfigFiles         []string
	SharedCredentialsFiles    []string
	AssumeRole                *AssumeRole
	AssumeRoleWithWebIdentity *AssumeRoleWithWebIdentity
	IAMEndpoint               string
	STSEndpoint               string
	// MaxRetries is how many times a call is retried after its first attempt, on
	// throttling and transient errors: a call is made at most MaxRetries + 1 times.
	MaxRetries                int
	CustomCABundle            string
	HTTPProxy                 *string
	HTTPSProxy                *string
	NoProxy                   string
	SkipCredentialsValidation bool
	SkipRequestingAccountID   bool
	Version                   string // provider version, for the User-Agent
}

// AssumeRole is the provider's assume_role block.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
	Duration    time.Duration
	Policy      string
}

// AssumeRoleWithWebIdentity is the provider's assume_role_with_web_identity block.
type AssumeRoleWithWebIdentity struct {
	RoleARN              string
	SessionName          string
	WebIdentityToken     string
	WebIdentityTokenFile string
	Duration             time.Duration
}

// Client holds the configured IAM and STS clients and who we are.
type Client struct {
	IAM       IAMAPI
	STS       STSAPI
	AccountID string
	Partition string
	Region    string
}

// Diagnostic is a warning or error from configuration, free of Terraform types.
type Diagnostic struct {
	Error   bool
	Summary string
	Detail  string
}

// DefaultRegion is used when neither the configuration nor the environment names one:
// IAM is global, so the region only chooses the STS endpoint and the partition.
const DefaultRegion = "us-east-1"

// New resolves credentials and builds the clients. It makes at most one STS call
// (GetCallerIdentity), which both validates the credentials and finds the account; none
// when credential validation and the account lookup are both skipped.
func New(ctx context.Context, c Config) (*Client, []Diagnostic) {
	_, logger := logging.NewTfLogger(ctx)
	// aws-sdk-go-base hands MaxRetries to the SDK as its maximum number of attempts,
	// the first included; ours counts retries.
	base := &awsbase.Config{
		AccessKey:               c.AccessKey,
		SecretKey:               c.SecretKey,
		Token:                   c.Token,
		Profile:                 c.Profile,
		Region:                  c.Region,
		SharedConfigFiles:       c.SharedConfigFiles,
		SharedCredentialsFiles:  c.SharedCredentialsFiles,
		IamEndpoint:             c.IAMEndpoint,
		StsEndpoint:             c.STSEndpoint,
		MaxRetries:              c.MaxRetries + 1,
		CustomCABundle:          c.CustomCABundle,
		HTTPProxy:               c.HTTPProxy,
		HTTPSProxy:              c.HTTPSProxy,
		NoProxy:                 c.NoProxy,
		HTTPProxyMode:           awsbase.HTTPProxyModeSeparate,
		SkipCredsValidation:     c.SkipCredentialsValidation,
		SkipRequestingAccountId: c.SkipRequestingAccountID,
		// aws-sdk-go-base's request/response logger logs tokens and secret keys in
		// full (and in beta.74 shares its body buffers between calls): callLogger
		// logs the calls instead, see below.
		SuppressDebugLog:       true,
		Logger:                 logger,
		CallerName:             "the awsoidc provider",
		CallerDocumentationURL: "https://registry.terraform.io/providers/awsoidc/awsoidc/latest/docs",
		UserAgent: awsbase.UserAgentProducts{
			{Name: ProductName, Version: c.Version},
		},
	}
	if base.Region == "" {
		base.Region = resolveRegion(ctx, c)
	}
	if ar := c.AssumeRole; ar != nil {
		base.AssumeRole = []awsbase.AssumeRole{{
			RoleARN:     ar.RoleARN,
			SessionName: ar.SessionName,
			ExternalID:  ar.ExternalID,
			Duration:    ar.Duration,
			Policy:      ar.Policy,
		}}
	}
	if w := c.AssumeRoleWithWebIdentity; w != nil {
		base.AssumeRoleWithWebIdentity = &awsbase.AssumeRoleWithWebIdentity{
			RoleARN:              w.RoleARN,
			SessionName:          w.SessionName,
			WebIdentityToken:     w.WebIdentityToken,
			WebIdentityTokenFile: w.WebIdentityTokenFile,
			Duration:             w.Duration,
		}
	}

	// GetAwsConfig validates the credentials with STS GetCallerIdentity, and
	// GetAwsAccountIDAndPartition then makes the same call again for the account, unless
	// told to skip validation: the second call alone does both, with the same error
	// ("validating provider credentials: ...") for credentials STS refuses.
	resolve := *base
	resolve.SkipCredsValidation = true
	var diags []Diagnostic
	ctx, cfg, d := awsbase.GetAwsConfig(ctx, &resolve)
	diags = append(diags, convert(d)...)
	if hasError(diags) {
		return nil, diags
	}
	// Every call made through these clients is logged at DEBUG with its secrets masked
	// (aws-sdk-go-base's own calls while configuring, such as an assume_role exchange,
	// are only named in its INFO lines), and the SDK's retry messages, which
	// SuppressDebugLog also turns off, go to tflog. A server error page that is not AWS's
	// is tried at most ServerPageAttempts times.
	cfg.APIOptions = append(cfg.APIOptions, addCallLogger, addServerPageBound)
	cfg.ClientLogMode |= aws.LogRetries
	cfg.Logger = sdkLogger{}
	// Errors that no retry can fix end the call at once instead of after max_retries.
	cfg.Retryer = withHopelessNotRetried(cfg.Retryer)

	accountID, partition, d := awsbase.GetAwsAccountIDAndPartition(ctx, cfg, base)
	diags = append(diags, convert(d)...)
	if hasError(diags) {
		return nil, diags
	}

	iamClient := iam.NewFromConfig(cfg, func(o *iam.Options) {
		if c.IAMEndpoint != "" {
			o.BaseEndpoint = aws.String(c.IAMEndpoint)
		}
	})
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) {
		if c.STSEndpoint != "" {
			o.BaseEndpoint = aws.String(c.STSEndpoint)
		}
	})
	return &Client{
		IAM:       iamClient,
		STS:       stsClient,
		AccountID: accountID,
		Partition: partition,
		Region:    cfg.Region,
	}, diags
}

func convert(in basediag.Diagnostics) []Diagnostic {
	out := make([]Diagnostic, 0, len(in))
	for _, d := range in {
		out = append(out, Diagnostic{
			Error:   d.Severity() == basediag.SeverityError,
			Summary: d.Summary(),
			Detail:  d.Detail(),
		})
	}
	return out
}

func hasError(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Error {
			return true
		}
	}
	return false
}

// String renders a diagnostic for logs and tests.
func (d Diagnostic) String() string {
	kind := "warning"
	if d.Error {
		kind = "error"
	}
	return fmt.Sprintf("%s: %s: %s", kind, d.Summary, strings.TrimSpace(d.Detail))
}
