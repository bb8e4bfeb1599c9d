//go:build !linux

package numset

// adviseHugePages does nothing outside Linux (see hugepages_linux.go).
func adviseHugePages(w []uint32) {}
