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
// through a bijective 50-bit mixing function h, which makes the mixed keys
// spread evenly whatever the numbers, even long sequential ranges. Three
// layouts follow, by size:
//
//   - Small sets (fewer than 2^18 keys) keep sorted uint64 keys (8 bytes a
//     key, binary search). Above 4,096 keys a radix index on the keys'
//     leading bits (at most a byte a key) narrows the search to a few keys
//     first, so that a lookup misses the cache at most twice.
//   - Middle-sized sets use buckets: the top b bits of h(k) pick a bucket;
//     the remaining 50-b ≤ 32 bits are stored as a uint32 in a sorted run
//     for that bucket, and a directory of uint32 offsets marks where each
//     bucket's run starts. b is chosen so that a bucket holds about 8
//     numbers on average (at least 2^18 buckets, so that the low part fits
//     32 bits): 4 bytes a key plus about half a byte of directory. A lookup
//     reads the directory and then the run: two dependent cache misses once
//     the directory no longer fits in cache.
//   - Large sets (from blockedFrom keys, about 2.6 million) use blocks of
//     one cache line each, so that a lookup usually touches one cache line
//     and nothing else. Block j of nb covers the mixed keys h with
//     floor(h·nb/2^50) = j, an interval at most 2^50/nb ≤ 2^32 wide, so the
//     low 32 bits of h identify h within its block. A block is 16 uint32
//     words: a header (the number of keys held, at most 15; an overflow
//     flag; and an offset into the stash) and up to 15 sorted low parts.
//     nb is chosen for about perBlock (10) keys a block, so few blocks
//     overflow (about 5%); their extra keys go, as low parts again, to a
//     shared stash in block order, the run for block j ending where block
//     j+1's header says the next run starts. That costs 64/perBlock = 6.4
//     bytes a key and a little stash. Only lookups in overflowing blocks
//     read the stash.
//
// The block table of a large set is a single allocation of tens of
// megabytes, which on Linux is backed by transparent huge pages where the
// kernel allows (see adviseHugePages), so that finding the block's address
// translation is not a second cache miss. Prefetch lets a caller start the
// block's one cache miss early and do other work while it is served.
//
// In every layout (bucket or block, low part) identifies k exactly, because
// h is a bijection: there are no false positives. Keys of 2^50 and above,
// which no valid number reaches, are kept in a small sorted side list.
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

	// Blocked layout (see Layout): blockWords uint32 words a block (one
	// 64-byte cache line), the first of them the header.
	blockWords = 16
	blockKeys  = blockWords - 1 // keys a block holds
	perBlock   = 10             // target average keys per block
	// blockedFrom is the size from which the blocked layout is used: it
	// gives at least 2^18 blocks, so that a block spans at most 2^32
	// mixed keys and their low 32 bits tell them apart.
	blockedFrom = perBlock << minBuckets

	// A block header is count | hdrOverflow | stashStart<<hdrShift.
	hdrCount    = 1<<4 - 1 // number of keys in the block (≤ blockKeys)
	hdrOverflow = 1 << 4   // more of the block's keys are in the stash
	hdrShift    = 5
	maxStash    = 1<<(32-hdrShift) - 1
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

	// blocked layout
	nblocks uint64   // number of blocks
	blocks  []uint32 // blockWords*nblocks words, then a final header
	stash   []uint32 // overflowing blocks' extra low parts, in block order

	// plain layout (small sets) and keys of 2^50 and above
	keys []uint64
	sum  *summary // of keys, when there are summaryFrom or more
	rx   *radix   // of keys, when there are more than searchMax
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
		s := &Set{n: len(small) + len(big), keys: small, big: big}
		if len(small) >= summaryFrom {
			s.sum = newSummary(small)
		}
		if len(small) > searchMax {
			s.rx = newRadix(small)
		}
		return s
	}
	mixed := func(yield func(uint64) bool) {
		for _, k := range keys {
			if k <= keyMask && !yield(mix(k)) {
				return
			}
		}
	}
	var s *Set
	if nSmall >= blockedFrom {
		s = buildBlocks(mixed, nSmall)
	}
	if s == nil {
		s = build(mixed, nSmall)
	}
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

// buildBlocks lays out the mixed keys produced by each (at most n of them,
// possibly repeating, n ≥ blockedFrom) in blocks. It returns nil in the
// unlikely case that the stash outgrows its header field.
func buildBlocks(each iter.Seq[uint64], n int) *Set {
	nb := uint64((n + perBlock - 1) / perBlock)
	// Gather each block's low parts: next[j] is first where block j's run
	// starts, and after the scatter where it ends.
	next := make([]uint32, nb+1)
	for h := range each {
		next[blockOf(h, nb)+1]++
	}
	for j := uint64(1); j <= nb; j++ {
		next[j] += next[j-1]
	}
	low := make([]uint32, n)
	for h := range each {
		j := blockOf(h, nb)
		low[next[j]] = uint32(h)
		next[j]++
	}
	blocks := make([]uint32, blockWords*nb+1)
	var stash []uint32
	total := 0
	start := uint32(0)
	for j := uint64(0); j < nb; j++ {
		run := low[start:next[j]]
		start = next[j]
		slices.Sort(run)
		run = slices.Compact(run)
		total += len(run)
		if len(stash) > maxStash {
			return nil
		}
		b := blocks[j*blockWords : (j+1)*blockWords]
		hdr := uint32(len(stash)) << hdrShift
		if len(run) > blockKeys {
			hdr |= hdrOverflow
			stash = append(stash, run[blockKeys:]...)
			run = run[:blockKeys]
		}
		b[0] = hdr | uint32(copy(b[1:], run))
	}
	if len(stash) > maxStash {
		return nil
	}
	blocks[blockWords*nb] = uint32(len(stash)) << hdrShift
	adviseHugePages(blocks)
	return &Set{n: total, nblocks: nb, blocks: blocks, stash: slices.Clip(stash)}
}

// blockOf returns the block of nb that mixed key h falls in:
// floor(h·nb/2^50).
func blockOf(h, nb uint64) uint64 {
	j, _ := bits.Mul64(h<<(64-keyBits), nb)
	return j
}

// blockStart returns the smallest mixed key in block j of nb:
// ceil(j·2^50/nb).
func blockStart(j, nb uint64) uint64 {
	lo, carry := bits.Add64(j<<keyBits, nb-1, 0)
	q, _ := bits.Div64(j>>(64-keyBits)+carry, lo, nb)
	return q
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
	if s.blocks != nil {
		return s.inBlock(mix(k))
	}
	if s.dir == nil {
		if !s.sum.mayHold(k) {
			return false
		}
		if s.rx == nil {
			return search(s.keys, k)
		}
		lo, hi := s.rx.run(k)
		return search(s.keys[lo:hi], k)
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

// searchMax is the largest plain-layout set searched by search alone;
// larger ones, which do not stay in cache, are narrowed by a radix index
// first.
const searchMax = 4096 // 32 KiB of keys

// A radix index narrows a lookup in a large plain-layout set to a short
// run of its sorted keys: run i holds the keys k with (k-min)>>shift = i,
// keys[dir[i]:dir[i+1]]. A binary search of the whole array (800 KB for
// 100,000 keys) misses the cache at each of its last several steps, one
// after another; with the index a lookup reads one directory entry and
// then a run of about four to eight keys: at most two misses. Keys that
// crowd into one run (numbers are often allocated in ranges) make that run
// longer, and its search a little slower, never wrong.
type radix struct {
	min   uint64
	shift uint
	dir   []uint32 // runs+1 offsets into keys
}

// newRadix indexes sorted, non-empty keys with a run for about every four
// to eight keys (the directory costs at most a byte a key).
func newRadix(keys []uint64) *radix {
	runs := uint64(1) << (bits.Len(uint(len(keys)/4)) - 1)
	r := &radix{min: keys[0]}
	for (keys[len(keys)-1]-r.min)>>r.shift >= runs {
		r.shift++
	}
	r.dir = make([]uint32, runs+1)
	for _, k := range keys {
		r.dir[(k-r.min)>>r.shift+1]++
	}
	for i := uint64(1); i <= runs; i++ {
		r.dir[i] += r.dir[i-1]
	}
	return r
}

// run returns the bounds in the indexed keys of the run that can hold k
// (empty when none can).
func (r *radix) run(k uint64) (lo, hi uint32) {
	i := (k - r.min) >> r.shift // huge when k < min
	if i >= uint64(len(r.dir)-1) {
		return 0, 0
	}
	return r.dir[i], r.dir[i+1]
}

// search reports whether sorted keys, all at most keyMask, hold k ≤
// keyMask. It halves the range without branching on the comparisons (the
// step comes from the sign of the difference, exact because keys and k
// are far below 2^63): in a set in cache that avoids a mispredicted branch
// at about every other step, and is several times faster than
// slices.BinarySearch.
func search(keys []uint64, k uint64) bool {
	if len(keys) == 0 {
		return false
	}
	base, n := 0, len(keys)
	for n > 1 {
		half := n / 2
		lt := int((int64(keys[base+half-1]) - int64(k)) >> 63) // -1 if below k, else 0
		base += half & lt
		n -= half
	}
	return keys[base] == k
}

// A summary is a coarse bitmap over a plain-layout set's key range: bit i
// is set when some key k has (k-min)>>shift = i. Lookups that fall in an
// empty stretch (for a Do-Not-Originate list of helpline numbers, nearly
// every mobile) are answered from it without the binary search, whose
// steps through a large set are cache misses. There are no false negatives.
type summary struct {
	min   uint64
	shift uint
	bits  [summaryBits / 64]uint64
}

const (
	summaryBytes = 8 + 8 + summaryBits/8
	summaryBits  = 4096 // 512 bytes
	summaryFrom  = 512  // smaller sets are searched directly
)

// newSummary summarises sorted, non-empty keys.
func newSummary(keys []uint64) *summary {
	sm := &summary{min: keys[0]}
	for (keys[len(keys)-1]-sm.min)>>sm.shift >= summaryBits {
		sm.shift++
	}
	for _, k := range keys {
		i := (k - sm.min) >> sm.shift
		sm.bits[i/64] |= 1 << (i % 64)
	}
	return sm
}

// mayHold reports whether k can be among the summarised keys.
func (sm *summary) mayHold(k uint64) bool {
	if sm == nil {
		return true
	}
	i := (k - sm.min) >> sm.shift // huge when k < min
	return i < summaryBits && sm.bits[i/64]&(1<<(i%64)) != 0
}

// Prefetch starts loading, without waiting for it, the cache line that
// Contains(k) will read in a large (blocked-layout) set, so that a caller
// with other work to do before the lookup does not stall on memory there:
// in a set of millions that line is almost always a miss to main memory.
// It does nothing for the smaller layouts, which stay in cache when used
// often. It never changes a result.
func (s *Set) Prefetch(k uint64) {
	if s == nil || s.blocks == nil || k > keyMask {
		return
	}
	prefetch(&s.blocks[blockOf(mix(k), s.nblocks)*blockWords])
}

// inBlock reports whether mixed key h is in the blocked layout: one cache
// line, and the stash only when h's block overflowed.
func (s *Set) inBlock(h uint64) bool {
	j := blockOf(h, s.nblocks)
	lo := uint32(h)
	b := s.blocks[j*blockWords : (j+1)*blockWords+1] // with the next header
	hdr := b[0]
	for _, v := range b[1 : 1+hdr&hdrCount] {
		if v >= lo {
			return v == lo
		}
	}
	if hdr&hdrOverflow == 0 {
		return false
	}
	for _, v := range s.stash[hdr>>hdrShift : b[blockWords]>>hdrShift] {
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
	size := 4*(cap(s.dir)+cap(s.low)+cap(s.blocks)+cap(s.stash)) + 8*(cap(s.keys)+cap(s.big))
	if s.sum != nil {
		size += int(summaryBytes)
	}
	if s.rx != nil {
		size += 8 + 8 + 4*cap(s.rx.dir)
	}
	return size
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
		for j := uint64(0); j < s.nblocks; j++ {
			b := s.blocks[j*blockWords : (j+1)*blockWords+1]
			lo := blockStart(j, s.nblocks)
			key := func(v uint32) uint64 { return unmix(lo + uint64(v-uint32(lo))) }
			for _, v := range b[1 : 1+b[0]&hdrCount] {
				if !yield(key(v)) {
					return
				}
			}
			for _, v := range s.stash[b[0]>>hdrShift : b[blockWords]>>hdrShift] {
				if !yield(key(v)) {
					return
				}
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
