//go:build !cgo || nosphinx

package asr

import (
	"errors"
	"strings"
	"testing"
)

// Built without pocketsphinx, the embedded recogniser says so clearly.
func TestEmbeddedUnavailable(t *testing.T) {
	_, err := Embedded(EmbeddedConfig{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Embedded = %v, want ErrUnavailable", err)
	}
	if want := "built without pocketsphinx"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}
