//go:build !amd64 && !arm64

package numset

// prefetch is a no-op where no prefetch instruction is wired up; lookups
// then simply wait for memory when they read it.
func prefetch(p *uint32) {}
