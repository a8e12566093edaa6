package awsclient

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestResolveRegion_profileWinsOverTheDefault(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(cfgFile, []byte("[default]\nregion = eu-central-1\n[profile gov]\nregion = us-gov-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "missing"))
	ctx := context.Background()

	cases := []struct {
		name string
		cfg  Config
		env  map[string]string
		want string
	}{
		{"nothing set", Config{}, nil, DefaultRegion},
		{"shared config default profile", Config{SharedConfigFiles: []string{cfgFile}}, nil, "eu-central-1"},
		{"named profile", Config{SharedConfigFiles: []string{cfgFile}, Profile: "gov"}, nil, "us-gov-west-1"},
		{"environment wins over the file", Config{SharedConfigFiles: []string{cfgFile}}, map[string]string{"AWS_REGION": "ap-south-1"}, "ap-south-1"},
		{"profile that does not exist", Config{SharedConfigFiles: []string{cfgFile}, Profile: "nope"}, nil, DefaultRegion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if got := resolveRegion(ctx, c.cfg); got != c.want {
				t.Errorf("resolveRegion = %q, want %q", got, c.want)
			}
		})
	}
}
