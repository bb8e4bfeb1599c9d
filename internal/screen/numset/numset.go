// Package numset holds large immutable sets of telephone numbers (block
// lists of millions of entries) compactly in memory, with lookups that touch
// one or two cache lines.
//
// It owns the data structure only: keys are uint64 values (the digits of an
// E.164 number as an integer, see numplan.Number). It knows nothing of
// parsing, policy or storage, never logs and does no I/O. A Set never
// changes after it is built; With and Without return new sets, so readers
// need no locks.
//
// # Layout
//
// Numbers below 2^50 (every E.164 number: at most 15 digits) are passed
// through a bijective 50-bit mixing function h. The top b bits of h(k) pick
// a bucket; the remaining 50-b ≤ 32 bits are stored as a uint32 in a sorted
// run for that bucket, and a directory of uint32 offsets marks where each
// bucket's run starts. Because h is a bijection, (bucket, low bits)
// identifies k exactly: there are no false positives. b is chosen so that a
// bucket holds about 8 numbers on average (at least 2^18 buckets, so that
// the low part fits 32 bits), which costs 4 bytes per number plus about
// half a byte of directory. Mixing makes bucket sizes even whatever the
// numbers, even long sequential ranges.
//
// Sets too small to fill 2^18 buckets keep sorted uint64 keys instead
// (8 bytes per number, binary search). Keys of 2^50 and above, which no
// valid number reaches, are kept in a small sorted side list.
package numset

import (
	"iter"
	"math/bits"
	"slices"
)

const (
	keyBits    = 50
	keyMask    = 1<<keyBits - 1
	minBuckets = 18 // 50-18 = 32 low bits
	perBucket  = 8  // target average bucket occupancy
	// hashedFrom is the size from which the bucketed layout is used: there
	// the 2^18-entry directory costs 4 bytes a key, so both layouts cost 8;
	// above it the bucketed one is smaller.
	hashedFrom = 1 << minBuckets
)

// Multipliers of the mixing function (odd, so invertible mod 2^50) and
// their inverses.
const (
	mulA = 0x2545F4914F6CDD1D & keyMask
	mulB = 0x9E3779B97F4A7C15 & keyMask
)

var (
	invA = inverse(mulA)
	invB = inverse(mulB)
)

// inverse returns the multiplicative inverse of odd x modulo 2^50.
func inverse(x uint64) uint64 {
	inv := x // correct to 3 bits; each Newton step doubles that
	for range 5 {
		inv *= 2 - x*inv
	}
	return inv & keyMask
}

// mix is a bijection on [0, 2^50).
func mix(k uint64) uint64 {
	k = k * mulA & keyMask
	k ^= k >> 23
	k = k * mulB & keyMask
	k ^= k >> 26
	return k
}

// unmix inverts mix.
func unmix(h uint64) uint64 {
	h ^= h >> 26
	h = h * invB & keyMask
	h ^= h>>23 ^ h>>46
	h = h * invA & keyMask
	return h
}

// Set is an immutable set of uint64 keys. The zero Set is empty and ready
// to use; a nil *Set is empty too.
type Set struct {
	n int

	// bucketed layout
	shift uint     // low-part width: 50 - b
	dir   []uint32 // len 2^b + 1
	low   []uint32

	// plain layout (small sets) and keys of 2^50 and above
	keys []uint64
	big  []uint64
}

// New returns the set of keys, which may be in any order and may repeat.
// keys is not modified or retained.
func New(keys []uint64) *Set {
	small := make([]uint64, 0, min(len(keys), hashedFrom))
	var big []uint64
	nSmall := 0
	for _, k := range keys {
		if k > keyMask {
			big = append(big, k)
		} else {
			nSmall++
		}
	}
	slices.Sort(big)
	big = slices.Compact(big)
	if nSmall < hashedFrom {
		for _, k := range keys {
			if k <= keyMask {
				small = append(small, k)
			}
		}
		slices.Sort(small)
		small = slices.Clip(slices.Compact(small))
		return &Set{n: len(small) + len(big), keys: small, big: big}
	}
	s := build(func(yield func(uint64) bool) {
		for _, k := range keys {
			if k <= keyMask && !yield(mix(k)) {
				return
			}
		}
	}, nSmall)
	s.big = big
	s.n += len(big)
	return s
}

// build lays out the mixed keys produced by each (at most n of them,
// possibly repeating) in buckets.
func build(each iter.Seq[uint64], n int) *Set {
	b := max(minBuckets, bits.Len(uint(n/perBucket)))
	b = min(b, keyBits-1)
	shift := uint(keyBits - b)
	nb := 1 << b
	dir := make([]uint32, nb+1)
	for h := range each {
		dir[(h>>shift)+1]++
	}
	for i := 1; i <= nb; i++ {
		dir[i] += dir[i-1]
	}
	low := make([]uint32, n)
	fill := make([]uint32, nb) // next free slot per bucket, as offset from its start
	lowMask := uint64(1)<<shift - 1
	for h := range each {
		bk := h >> shift
		low[dir[bk]+fill[bk]] = uint32(h & lowMask)
		fill[bk]++
	}
	// sort each bucket and squeeze out repeats, moving runs down in place
	w := uint32(0)
	start := uint32(0)
	for bk := 0; bk < nb; bk++ {
		end := dir[bk+1]
		run := low[start:end]
		slices.Sort(run)
		run = slices.Compact(run)
		dir[bk] = w
		w += uint32(copy(low[w:], run))
		start = end
	}
	dir[nb] = w
	if int(w) < len(low) {
		low = slices.Clone(low[:w]) // let the repeats' space go
	}
	return &Set{n: int(w), shift: shift, dir: dir, low: low}
}

// Len returns the number of keys in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Contains reports whether k is in the set.
func (s *Set) Contains(k uint64) bool {
	if s == nil {
		return false
	}
	if k > keyMask {
		_, ok := slices.BinarySearch(s.big, k)
		return ok
	}
	if s.dir == nil {
		_, ok := slices.BinarySearch(s.keys, k)
		return ok
	}
	h := mix(k)
	bk := h >> s.shift
	lo := uint32(h & (1<<s.shift - 1))
	for _, v := range s.low[s.dir[bk]:s.dir[bk+1]] {
		if v >= lo {
			return v == lo
		}
	}
	return false
}

// SizeBytes returns the memory the set's contents occupy.
func (s *Set) SizeBytes() int {
	if s == nil {
		return 0
	}
	return 4*(cap(s.dir)+cap(s.low)) + 8*(cap(s.keys)+cap(s.big))
}

// All yields every key once, in no particular order.
func (s *Set) All() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		if s == nil {
			return
		}
		for _, k := range s.keys {
			if !yield(k) {
				return
			}
		}
		for bk := 0; bk+1 < len(s.dir); bk++ {
			for _, v := range s.low[s.dir[bk]:s.dir[bk+1]] {
				if !yield(unmix(uint64(bk)<<s.shift | uint64(v))) {
					return
				}
			}
		}
		for _, k := range s.big {
			if !yield(k) {
				return
			}
		}
	}
}

// With returns a set holding s's keys and add's.
func (s *Set) With(add []uint64) *Set {
	if len(add) == 0 {
		return s
	}
	all := make([]uint64, 0, s.Len()+len(add))
	for k := range s.All() {
		all = append(all, k)
	}
	return New(append(all, add...))
}

// Without returns a set holding s's keys except those in remove.
func (s *Set) Without(remove []uint64) *Set {
	if len(remove) == 0 || s.Len() == 0 {
		return s
	}
	drop := New(remove)
	keep := make([]uint64, 0, s.Len())
	for k := range s.All() {
		if !drop.Contains(k) {
			keep = append(keep, k)
		}
	}
	return New(keep)
}
