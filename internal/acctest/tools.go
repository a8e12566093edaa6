package acctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
)

// MotoVersion is the moto release the harness is written and tested against.
const MotoVersion = "5.2.1"

// MinTerraformVersion is the oldest Terraform CLI the acceptance tests accept:
// ephemeral resources need 1.10.
const MinTerraformVersion = "1.10.0"

const (
	installMoto = "install it with: python3 -m pip install 'moto[server]==" + MotoVersion + "'"

	installPython = "install Python 3 (for example: apt-get install python3 python3-pip), " +
		"then: python3 -m pip install 'moto[server]==" + MotoVersion + "'"

	installTerraform = "install Terraform " + MinTerraformVersion + " or later and put it on PATH: " +
		"a release zip from https://releases.hashicorp.com/terraform/ or, on Debian and Ubuntu, " +
		"the HashiCorp apt repository (https://apt.releases.hashicorp.com) and apt-get install terraform"
)

// ToolMissingError reports a program the tests need that is absent or unusable,
// and how to install it.
type ToolMissingError struct {
	Tool    string // "python3", "moto" or "terraform"
	Problem string // what was looked for and what was found
	Install string // how to install it
}

func (e *ToolMissingError) Error() string {
	return fmt.Sprintf("%s is required by the acceptance tests but %s; %s", e.Tool, e.Problem, e.Install)
}

// lookPathIn finds an executable like exec.LookPath, but in the given PATH
// value instead of the process's, so callers can choose where to look.
func lookPathIn(name, pathEnv string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		if err := isExecutable(name); err != nil {
			return "", err
		}
		return name, nil
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			// An empty PATH entry means the working directory; tests never rely on it.
			continue
		}
		candidate := filepath.Join(dir, name)
		if isExecutable(candidate) == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("%q not found in PATH %q", name, pathEnv)
}

func isExecutable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return &fs.PathError{Op: "exec", Path: path, Err: fs.ErrPermission}
	}
	return nil
}

// LookTerraform finds the Terraform CLI in pathEnv (the process's PATH when
// empty) and checks that it is at least MinTerraformVersion. The error is a
// *ToolMissingError that says how to install it.
func LookTerraform(ctx context.Context, pathEnv string) (string, error) {
	if pathEnv == "" {
		pathEnv = os.Getenv("PATH")
	}
	path, err := lookPathIn("terraform", pathEnv)
	if err != nil {
		return "", &ToolMissingError{Tool: "terraform", Problem: err.Error(), Install: installTerraform}
	}
	if err := checkTerraformVersion(ctx, path); err != nil {
		return "", &ToolMissingError{Tool: "terraform", Problem: err.Error(), Install: installTerraform}
	}
	return path, nil
}

func checkTerraformVersion(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "version", "-json")
	// Without this, `terraform version` asks checkpoint.hashicorp.com for news.
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s version -json failed: %w", path, err)
	}
	var reported struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &reported); err != nil {
		return fmt.Errorf("%s version -json printed %q, expected a JSON object: %w", path, out, err)
	}
	got, err := version.NewVersion(reported.Version)
	if err != nil {
		return fmt.Errorf("%s reports version %q, expected a semantic version: %w", path, reported.Version, err)
	}
	if got.LessThan(version.Must(version.NewVersion(MinTerraformVersion))) {
		return fmt.Errorf("%s is version %s, expected %s or later", path, got, MinTerraformVersion)
	}
	return nil
}

var terraformOnce struct {
	sync.Once
	path string
	err  error
}

// RequireTerraform fails the test (it never skips) when no usable Terraform CLI
// is on PATH, with instructions to install one. Otherwise it sets TF_ACC=1 and
// TF_ACC_TERRAFORM_PATH, so terraform-plugin-testing runs acceptance tests with
// that binary and never downloads one, and returns the binary's path.
//
// A TF_ACC_TERRAFORM_PATH already set is honoured and checked the same way.
// The variables are set for the whole process (tests run in parallel, so
// t.Setenv cannot be used) and always to the same values.
func RequireTerraform(tb testing.TB) string {
	tb.Helper()
	return requireTerraform(tb, "")
}

func requireTerraform(tb testing.TB, pathEnv string) string {
	tb.Helper()
	path, err := sharedTerraform(pathEnv)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// sharedTerraform looks Terraform up once per test binary; pathEnv other than
// "" bypasses the cache, for tests of the lookup itself.
func sharedTerraform(pathEnv string) (string, error) {
	if pathEnv != "" {
		return LookTerraform(context.Background(), pathEnv)
	}
	terraformOnce.Do(func() {
		terraformOnce.path, terraformOnce.err = findTerraform()
	})
	return terraformOnce.path, terraformOnce.err
}

func findTerraform() (string, error) {
	ctx := context.Background()
	var path string
	if preset := os.Getenv("TF_ACC_TERRAFORM_PATH"); preset != "" {
		if err := isExecutable(preset); err != nil {
			return "", &ToolMissingError{
				Tool:    "terraform",
				Problem: fmt.Sprintf("TF_ACC_TERRAFORM_PATH=%q is not an executable file (%v)", preset, err),
				Install: installTerraform + ", or unset TF_ACC_TERRAFORM_PATH",
			}
		}
		if err := checkTerraformVersion(ctx, preset); err != nil {
			return "", &ToolMissingError{Tool: "terraform", Problem: err.Error(), Install: installTerraform}
		}
		path = preset
	} else {
		found, err := LookTerraform(ctx, "")
		if err != nil {
			return "", err
		}
		path = found
	}
	for key, value := range map[string]string{
		"TF_ACC":                "1",
		"TF_ACC_TERRAFORM_PATH": path,
		"CHECKPOINT_DISABLE":    "1",
	} {
		if err := os.Setenv(key, value); err != nil {
			return "", errors.Join(fmt.Errorf("setting %s for the acceptance tests", key), err)
		}
	}
	return path, nil
}
