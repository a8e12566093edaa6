package localenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEnviron_dropsWhatWouldSendTerraformElsewhere(t *testing.T) {
	e := &Env{vars: []Variable{{"AWS_REGION", "us-east-1"}, {"HTTPS_PROXY", "http://127.0.0.1:1"}}}
	got := e.Environ([]string{
		"PATH=/bin", "HOME=/home/me", "AWS_PROFILE=prod", "AWS_REGION=eu-west-1",
		"TF_CLI_CONFIG_FILE=/home/me/.terraformrc", "https_proxy=http://corp:3128", "NO_PROXY=*",
	})
	want := []string{"PATH=/bin", "HOME=/home/me", "AWS_REGION=us-east-1", "HTTPS_PROXY=http://127.0.0.1:1"}
	if !slices.Equal(got, want) {
		t.Errorf("Environ = %q, want %q", got, want)
	}
}

// TestExports_evaluateInAShellToTheVariables runs the export lines in sh, with values
// that need quoting, and reads the environment back.
func TestExports_evaluateInAShellToTheVariables(t *testing.T) {
	e := &Env{vars: []Variable{
		{"AWS_CA_BUNDLE", "/tmp/dir with space/ca.pem"},
		{"TF_CLI_CONFIG_FILE", "/tmp/it's/terraform.rc"},
		{"AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:4566"},
		{"NO_PROXY", "127.0.0.1,localhost"},
	}}
	script := e.Exports() + "\nenv\n"
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "AWS_PROFILE=prod", "AWS_SESSION_TOKEN=x"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, script)
	}
	env := strings.Split(string(out), "\n")
	for _, v := range e.vars {
		if !slices.Contains(env, v.Name+"="+v.Value) {
			t.Errorf("after the exports, %s is not %q:\n%s", v.Name, v.Value, out)
		}
	}
	for _, gone := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN"} {
		for _, kv := range env {
			if strings.HasPrefix(kv, gone+"=") {
				t.Errorf("%s survives the exports: a profile or session token would win over the local credentials", gone)
			}
		}
	}
}

func TestFilesystemMirror_laysTheProviderOutAsTerraformExpects(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, ProviderBinary)
	if err := os.WriteFile(bin, []byte("binary"), 0o700); err != nil {
		t.Fatal(err)
	}
	rc, err := FilesystemMirrorBlock(dir, bin)
	if err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "mirror", "registry.terraform.io", "awsoidc", "awsoidc", MirrorVersion, "*_*", ProviderBinary+"_v"+MirrorVersion))
	if len(matches) != 1 {
		t.Fatalf("mirror holds %v, want one binary under <host>/<namespace>/<type>/<version>/<os>_<arch>/", matches)
	}
	if info, err := os.Stat(matches[0]); err != nil || info.Mode().Perm()&0o100 == 0 {
		t.Errorf("the mirrored provider is not executable: %v", err)
	}
	if !strings.Contains(rc, `filesystem_mirror`) || !strings.Contains(rc, `exclude = ["registry.terraform.io/awsoidc/awsoidc"]`) {
		t.Errorf("CLI configuration:\n%s", rc)
	}
}

func TestCopyConfiguration_copiesTerraformFilesAndWhatIsAskedFor(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for name, body := range map[string]string{
		"main.tf": "# main\n", "outputs.tf": "# outputs\n", "README.md": "# readme\n",
		"terraform.tfstate": "{}", "notes.txt": "notes",
	} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(src, "module.tf"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := CopyConfiguration(src, dst, "README.md"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if want := []string{"README.md", "main.tf", "outputs.tf"}; !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "main.tf")); string(b) != "# main\n" {
		t.Errorf("main.tf holds %q", b)
	}

	// A README alone is not a configuration: the path must be wrong.
	only := t.TempDir()
	if err := os.WriteFile(filepath.Join(only, "README.md"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CopyConfiguration(only, t.TempDir(), "README.md"); err == nil || !strings.Contains(err.Error(), "holds no .tf files") {
		t.Errorf("a folder without .tf files: %v", err)
	}
}
