package testpeer

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNotInProductionBinaries fails if a command of the module depends on
// testpeer: it is test-only.
func TestNotInProductionBinaries(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-e", "-deps", "github.com/clearline/clearline/cmd/...").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/clearline/clearline/internal/testpeer" {
			t.Fatal("a production binary under cmd/ imports internal/testpeer")
		}
	}
}
