package numset

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMixIsABijection(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := []uint64{0, 1, keyMask, keyMask - 1, 447700900123, 999999999999999}
	for range 10000 {
		keys = append(keys, rng.Uint64()&keyMask)
	}
	for _, k := range keys {
		h := mix(k)
		if h > keyMask {
			t.Fatalf("mix(%d) = %d leaves 50 bits", k, h)
		}
		if back := unmix(h); back != k {
			t.Fatalf("unmix(mix(%d)) = %d", k, back)
		}
	}
}

// sizes straddle the switches from sorted keys to buckets and to blocks.
var sizes = []int{0, 1, 7, 1000, hashedFrom - 1, hashedFrom, hashedFrom + 1, 3 * hashedFrom, blockedFrom - 1, blockedFrom}

func TestSetMatchesMap(t *testing.T) {
	for _, n := range sizes {
		t.Run("", func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(n), 9))
			want := map[uint64]bool{}
			keys := make([]uint64, 0, n+n/10)
			for len(want) < n {
				var k uint64
				switch rng.IntN(4) {
				case 0: // UK mobile
					k = 447000000000 + rng.Uint64N(1e9)
				case 1: // sequential run
					k = 441614960000 + uint64(len(keys))
				case 2: // anywhere in 15 digits
					k = 1 + rng.Uint64N(1e15-1)
				default: // beyond 2^50
					k = keyMask + 1 + rng.Uint64N(1<<60)
				}
				keys = append(keys, k)
				want[k] = true
				if rng.IntN(10) == 0 {
					keys = append(keys, k) // repeats are allowed
				}
			}
			s := New(keys)
			if s.Len() != len(want) {
				t.Fatalf("Len = %d, want %d", s.Len(), len(want))
			}
			for k := range want {
				if !s.Contains(k) {
					t.Fatalf("missing %d", k)
				}
			}
			for range 20000 {
				k := rng.Uint64N(1e15)
				if rng.IntN(2) == 0 {
					k = 447000000000 + rng.Uint64N(1e9)
				}
				s.Prefetch(k) // timing only: must not change the answer
				if s.Contains(k) != want[k] {
					t.Fatalf("Contains(%d) = %v, want %v", k, !want[k], want[k])
				}
			}
			var got []uint64
			for k := range s.All() {
				got = append(got, k)
			}
			if len(got) != len(want) {
				t.Fatalf("All yields %d keys, want %d", len(got), len(want))
			}
			for _, k := range got {
				if !want[k] {
					t.Fatalf("All yields %d, not in the set", k)
				}
			}
		})
	}
}

func TestEdgeKeys(t *testing.T) {
	keys := []uint64{0, 1, keyMask, keyMask + 1, ^uint64(0)}
	for _, n := range []int{0, hashedFrom} {
		fill := make([]uint64, 0, n+len(keys))
		for i := range n {
			fill = append(fill, uint64(i)*7919+100)
		}
		s := New(append(fill, keys...))
		for _, k := range keys {
			if !s.Contains(k) {
				t.Errorf("size %d: missing %d", n, k)
			}
		}
		if s.Contains(2) || s.Contains(keyMask-1) {
			t.Errorf("size %d: holds a key never added", n)
		}
	}
}

func TestNilAndEmpty(t *testing.T) {
	var s *Set
	s.Prefetch(1)
	if s.Contains(1) || s.Len() != 0 || s.SizeBytes() != 0 {
		t.Error("nil set is not empty")
	}
	for range s.All() {
		t.Error("nil set yields keys")
	}
	if got := s.With([]uint64{5}); !got.Contains(5) || got.Len() != 1 {
		t.Error("nil.With does not add")
	}
	if New(nil).Contains(0) {
		t.Error("empty set holds 0")
	}
}

func TestWithAndWithout(t *testing.T) {
	base := make([]uint64, 0, hashedFrom)
	for i := range hashedFrom {
		base = append(base, 440000000000+uint64(i)*3)
	}
	s := New(base)
	added := s.With([]uint64{7, 440000000001, base[0]})
	if added.Len() != s.Len()+2 || !added.Contains(7) || !added.Contains(440000000001) {
		t.Fatalf("With: len %d, want %d", added.Len(), s.Len()+2)
	}
	if s.Contains(7) {
		t.Fatal("With changed the original set")
	}
	removed := added.Without([]uint64{7, base[10], 12345})
	if removed.Len() != added.Len()-2 || removed.Contains(7) || removed.Contains(base[10]) || !removed.Contains(base[11]) {
		t.Fatalf("Without: len %d, want %d", removed.Len(), added.Len()-2)
	}
	if !slices.Equal(base[:3], []uint64{440000000000, 440000000003, 440000000006}) {
		t.Fatal("New modified its input")
	}
}

func TestBytesPerKey(t *testing.T) {
	n := 4 * hashedFrom
	keys := make([]uint64, n)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range keys {
		keys[i] = 447000000000 + rng.Uint64N(1e9)
	}
	s := New(keys)
	per := float64(s.SizeBytes()) / float64(s.Len())
	if per > 6 {
		t.Errorf("%.2f bytes per key, want at most 6", per)
	}
}

func TestBlockBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, nb := range []uint64{1 << minBuckets, 1<<minBuckets + 1, 1_000_003, 1 << 30} {
		if w := blockStart(1, nb) - blockStart(0, nb); w > 1<<32 {
			t.Fatalf("nb %d: block width %d over 2^32", nb, w)
		}
		if blockStart(nb, nb) != 1<<keyBits {
			t.Fatalf("nb %d: blocks end at %d", nb, blockStart(nb, nb))
		}
		for range 10000 {
			j := rng.Uint64N(nb)
			lo, hi := blockStart(j, nb), blockStart(j+1, nb)
			if blockOf(lo, nb) != j || blockOf(hi-1, nb) != j || (lo > 0 && blockOf(lo-1, nb) != j-1) || hi-lo > 1<<32 {
				t.Fatalf("nb %d: block %d is [%d, %d), which blockOf disagrees with", nb, j, lo, hi)
			}
		}
	}
}

// TestBlockOverflow crowds chosen blocks of the blocked layout: one full to
// exactly its capacity, others past it (their extra keys in the stash),
// next to each other and at both ends.
func TestBlockOverflow(t *testing.T) {
	n := blockedFrom
	nb := uint64((n + perBlock - 1) / perBlock)
	rng := rand.New(rand.NewPCG(11, 12))
	want := map[uint64]bool{}
	var keys []uint64
	crowd := func(j uint64, count int) {
		lo, hi := blockStart(j, nb), blockStart(j+1, nb)
		for range count {
			k := unmix(lo + rng.Uint64N(hi-lo))
			keys = append(keys, k)
			want[k] = true
		}
	}
	crowd(0, 40)
	crowd(5, blockKeys)
	crowd(6, blockKeys+1)
	crowd(7, 3*blockKeys)
	crowd(nb-1, 100)
	for len(keys) < n {
		k := 447000000000 + rng.Uint64N(1e9)
		keys = append(keys, k)
		want[k] = true
	}
	s := New(keys)
	if s.blocks == nil || s.nblocks != nb {
		t.Fatalf("%d keys: not the blocked layout of %d blocks", n, nb)
	}
	if len(s.stash) == 0 {
		t.Fatal("nothing in the stash")
	}
	if s.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", s.Len(), len(want))
	}
	for k := range want {
		if !s.Contains(k) {
			t.Fatalf("missing %d", k)
		}
	}
	for _, j := range []uint64{0, 5, 6, 7, 8, nb - 1} {
		lo, hi := blockStart(j, nb), blockStart(j+1, nb)
		for range 2000 {
			k := unmix(lo + rng.Uint64N(hi-lo))
			if s.Contains(k) != want[k] {
				t.Fatalf("block %d: Contains(%d) = %v, want %v", j, k, !want[k], want[k])
			}
		}
	}
	seen := 0
	for k := range s.All() {
		if !want[k] {
			t.Fatalf("All yields %d, not in the set", k)
		}
		seen++
	}
	if seen != len(want) {
		t.Fatalf("All yields %d keys, want %d", seen, len(want))
	}
	if per := float64(s.SizeBytes()) / float64(s.Len()); per > 8 {
		t.Errorf("%.2f bytes per key, want at most 8", per)
	}
}

// TestSummary checks the plain layout's coarse bitmap at the ends of its
// range and next to every key.
func TestSummary(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, spread := range []uint64{4 * summaryFrom, 1e6, 1e12, keyMask} {
		keys := []uint64{0, spread}
		for len(keys) < 2*summaryFrom {
			keys = append(keys, rng.Uint64N(spread+1))
		}
		s := New(keys)
		if s.sum == nil {
			t.Fatalf("spread %d: no summary", spread)
		}
		want := map[uint64]bool{}
		for _, k := range keys {
			want[k] = true
		}
		for k := range want {
			for _, q := range []uint64{k - 1, k, k + 1} {
				if q <= keyMask && s.Contains(q) != want[q] {
					t.Fatalf("spread %d: Contains(%d) = %v, want %v", spread, q, !want[q], want[q])
				}
			}
		}
		for range 10000 {
			q := rng.Uint64N(spread + 2)
			if s.Contains(q) != want[q] {
				t.Fatalf("spread %d: Contains(%d) = %v, want %v", spread, q, !want[q], want[q])
			}
		}
	}
}

func TestSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for n := range 70 {
		keys := []uint64{}
		for range n {
			keys = append(keys, rng.Uint64N(200))
		}
		if n == 69 {
			keys = append(keys, 0, keyMask)
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		for _, k := range []uint64{0, 1, 199, 200, keyMask - 1, keyMask} {
			_, want := slices.BinarySearch(keys, k)
			if search(keys, k) != want {
				t.Fatalf("%v: search(%d) = %v", keys, k, !want)
			}
		}
		for k := range uint64(202) {
			_, want := slices.BinarySearch(keys, k)
			if search(keys, k) != want {
				t.Fatalf("%v: search(%d) = %v", keys, k, !want)
			}
		}
	}
}

// TestRadix checks the plain layout's radix-indexed search next to every
// key and beyond both ends, for keys spread evenly, crowded into a few
// ranges, and all in one run.
func TestRadix(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, tc := range []struct {
		n      int
		ranges int // keys are drawn from this many narrow ranges; 0: evenly
	}{{searchMax + 1, 0}, {searchMax + 3, 0}, {50_000, 0}, {50_000, 3}, {20_000, 1}} {
		n := tc.n
		want := map[uint64]bool{}
		keys := make([]uint64, 0, n)
		for len(keys) < n {
			k := 443000000000 + rng.Uint64N(3*uint64(n))
			if tc.ranges > 0 {
				k = 1e11*uint64(1+rng.IntN(tc.ranges)) + rng.Uint64N(uint64(n))
				if tc.ranges == 1 {
					k += keyMask - 2e11 // next to the top of the key range
				}
			}
			if !want[k] {
				want[k] = true
				keys = append(keys, k)
			}
		}
		if tc.ranges == 1 {
			keys = append(keys, 1) // a lone key far below the rest
			want[1] = true
		}
		s := New(keys)
		if s.rx == nil || s.dir != nil || s.blocks != nil {
			t.Fatalf("%d keys: not the indexed plain layout", n)
		}
		for _, k := range append(keys, 0, 1, 442999999999, keyMask) {
			for _, q := range []uint64{k - 1, k, k + 1} {
				if q <= keyMask && s.Contains(q) != want[q] {
					t.Fatalf("%d keys: Contains(%d) = %v, want %v", n, q, !want[q], want[q])
				}
			}
		}
	}
}

// TestAdviseHugePages: the advice leaves a table's contents as they were,
// whether or not it holds a whole huge page.
func TestAdviseHugePages(t *testing.T) {
	for _, n := range []int{0, 1, 1000, 3 << 20} { // up to 12 MiB of words
		w := make([]uint32, n)
		for i := range w {
			w[i] = uint32(i) * 2654435761
		}
		adviseHugePages(w)
		for i := range w {
			if w[i] != uint32(i)*2654435761 {
				t.Fatalf("%d words: word %d changed", n, i)
			}
		}
	}
}
