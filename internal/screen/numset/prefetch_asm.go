//go:build amd64 || arm64

package numset

// prefetch asks the processor to start loading the cache line holding *p
// into its caches, and returns at once without waiting for it. It never
// faults and has no effect on the program's results, only on its timing.
//
//go:noescape
func prefetch(p *uint32)
