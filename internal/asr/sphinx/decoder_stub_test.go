//go:build !cgo || nosphinx

package sphinx

import (
	"errors"
	"testing"
)

func TestNotBuilt(t *testing.T) {
	if Built {
		t.Fatal("Built is true in a build without pocketsphinx")
	}
	if _, err := Prepare(Options{Keyphrases: []Keyphrase{{"cash", 1e-5}}}); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("Prepare = %v, want ErrNotBuilt", err)
	}
}
