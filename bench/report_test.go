package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUpdateResults_replacesOnlyItsOwnBlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "RESULTS.md")
	before := "# Results\n\nanalysis written by hand\n\n" +
		"<!-- bench:standard:begin -->\nold standard\n<!-- bench:standard:end -->\n\nbetween\n\n" +
		"<!-- bench:large:begin -->\nold large\n<!-- bench:large:end -->\n\nclosing notes\n"
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := updateResults(path, "standard", "new standard\n"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(before, "old standard\n", "new standard\n", 1)
	if string(got) != want {
		t.Errorf("after replacing the standard block:\n%s\nwant:\n%s", got, want)
	}

	if err := updateResults(path, "other", "appended\n"); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if !strings.HasSuffix(string(got), "closing notes\n\n<!-- bench:other:begin -->\nappended\n<!-- bench:other:end -->\n") {
		t.Errorf("a block for a new mode is not appended at the end:\n%s", got)
	}
}
