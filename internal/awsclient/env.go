package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/config"
)

// resolveRegion finds the region the way the SDK does (environment, then the profile in the
// shared config files) and falls back to DefaultRegion: IAM is global, so a user who never
// chose a region should not have to.
func resolveRegion(ctx context.Context, c Config) string {
	var opts []func(*config.LoadOptions) error
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if len(c.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(c.SharedConfigFiles))
	}
	// Loading reads only files and the environment; credentials are resolved lazily.
	if cfg, err := config.LoadDefaultConfig(ctx, opts...); err == nil && cfg.Region != "" {
		return cfg.Region
	}
	return DefaultRegion
}
