package numset

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 or arm64 (4 KiB granule) transparent
// huge page.
const hugePage = 2 << 20

// madvCollapse is Linux's MADV_COLLAPSE (6.1 and later), which the syscall
// package does not name.
const madvCollapse = 25

// adviseHugePages asks Linux to back the whole 2 MiB pages inside w, a
// table just filled, with transparent huge pages: MADV_COLLAPSE turns its
// pages into huge ones now, and MADV_HUGEPAGE lets the kernel keep it so. A lookup in a
// block table of tens of megabytes then finds its address translation in
// the TLB, or after a short page walk, instead of a walk that is itself a
// cache miss (and, under a hypervisor, a two-level walk). The memory stays
// in the Go heap, counted and freed as usual. It is advice only: errors
// (an old kernel, THP disabled) are ignored and the table works as before.
func adviseHugePages(w []uint32) {
	if len(w) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(&w[0]))
	from := (start + hugePage - 1) &^ (hugePage - 1)
	to := (start + uintptr(len(w))*4) &^ (hugePage - 1)
	if to <= from {
		return // holds no whole huge page
	}
	for _, advice := range [...]uintptr{syscall.MADV_HUGEPAGE, madvCollapse} {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, from, to-from, advice)
	}
	runtime.KeepAlive(w)
}
