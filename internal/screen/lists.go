package screen

import (
	"cmp"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clearline/clearline/internal/screen/numplan"
	"github.com/clearline/clearline/internal/screen/numset"
)

// Number is a telephone number in international form (see numplan.Number).
type Number = numplan.Number

// List is an immutable set of numbers: a compact base (numset.Set, 4.5 to
// 6.5 bytes a number when large) plus a small overlay of recent additions
// and removals, so that adding one number to a list of millions does not
// rebuild it. The overlay is folded into a new base once it grows past
// foldAt entries. The zero List and a nil *List are empty.
type List struct {
	base    *numset.Set
	added   map[Number]struct{} // not in base
	removed map[Number]struct{} // in base
}

// foldAt is the overlay size at which With/Without rebuild the base.
const foldAt = 4096

// NewList returns a list of nums (in any order, repeats allowed).
func NewList(nums []Number) *List {
	keys := make([]uint64, len(nums))
	for i, n := range nums {
		keys[i] = uint64(n)
	}
	return &List{base: numset.New(keys)}
}

// Contains reports whether n is on the list.
func (l *List) Contains(n Number) bool {
	if l == nil {
		return false
	}
	if len(l.removed) > 0 {
		if _, ok := l.removed[n]; ok {
			return false
		}
	}
	if len(l.added) > 0 {
		if _, ok := l.added[n]; ok {
			return true
		}
	}
	return l.base.Contains(uint64(n))
}

// Prefetch starts loading the memory that Contains(n) will read in a large
// list, without waiting for it (see numset.Set.Prefetch). It never changes
// a result.
func (l *List) Prefetch(n Number) {
	if l != nil {
		l.base.Prefetch(uint64(n))
	}
}

// Len returns the number of numbers on the list.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return l.base.Len() + len(l.added) - len(l.removed)
}

// SizeBytes estimates the memory the list occupies (overlay entries
// counted at 16 bytes).
func (l *List) SizeBytes() int {
	if l == nil {
		return 0
	}
	return l.base.SizeBytes() + 16*(len(l.added)+len(l.removed))
}

// All yields every number on the list once, in no particular order.
func (l *List) All() iter.Seq[Number] {
	return func(yield func(Number) bool) {
		if l == nil {
			return
		}
		for k := range l.base.All() {
			if _, gone := l.removed[Number(k)]; gone {
				continue
			}
			if !yield(Number(k)) {
				return
			}
		}
		for n := range l.added {
			if !yield(n) {
				return
			}
		}
	}
}

// With returns the list with nums added, and how many were new.
func (l *List) With(nums ...Number) (*List, int) {
	nl := l.clone()
	added := 0
	for _, n := range nums {
		if nl.Contains(n) {
			continue
		}
		added++
		if _, ok := nl.removed[n]; ok {
			delete(nl.removed, n)
		} else {
			nl.added[n] = struct{}{}
		}
	}
	return nl.maybeFold(), added
}

// Without returns the list with nums removed, and how many were on it.
func (l *List) Without(nums ...Number) (*List, int) {
	nl := l.clone()
	removed := 0
	for _, n := range nums {
		if !nl.Contains(n) {
			continue
		}
		removed++
		if _, ok := nl.added[n]; ok {
			delete(nl.added, n)
		} else {
			nl.removed[n] = struct{}{}
		}
	}
	return nl.maybeFold(), removed
}

func (l *List) clone() *List {
	nl := &List{added: map[Number]struct{}{}, removed: map[Number]struct{}{}}
	if l != nil {
		nl.base = l.base
		maps.Copy(nl.added, l.added)
		maps.Copy(nl.removed, l.removed)
	}
	return nl
}

func (l *List) maybeFold() *List {
	if len(l.added)+len(l.removed) < foldAt {
		return l
	}
	return NewList(slices.Collect(l.All()))
}

// ServiceCode is a short code that a caller ID can never genuinely be,
// with what it is for, in plain English.
type ServiceCode struct {
	Code string // digits as dialled: "999"
	Name string // "the emergency services"
}

// DefaultServiceCodes returns the UK service codes that never originate
// calls. No genuine call presents one as its caller ID: 999 and 112
// (emergency), 101 (police non-emergency), 111 (NHS), 105 (power cuts),
// 159 (Stop Scams UK, which connects you to your bank and never calls
// anyone), 161 (kept from the project brief; like every three-digit code
// it cannot be a caller ID), and operator and network codes. Any other caller ID of six digits or fewer is treated
// as a short code too (Ofcom General Condition C6: a caller ID must be a
// full, dialable number).
func DefaultServiceCodes() []ServiceCode {
	return []ServiceCode{
		{"999", "the emergency services"},
		{"112", "the emergency services"},
		{"101", "the police non-emergency line"},
		{"111", "NHS 111"},
		{"105", "the power-cut line"},
		{"159", "Stop Scams UK's line to your bank, which never calls anyone"},
		{"161", "a three-digit service code"},
		{"100", "the operator"},
		{"123", "the speaking clock"},
		{"150", "a network's customer services"},
		{"151", "a network's fault line"},
		{"152", "a network's customer services"},
		{"155", "the international operator"},
		{"1471", "the last-caller service"},
		{"1571", "the voicemail service"},
		{"17070", "the line-test service"},
		{"116111", "Childline"},
		{"116117", "the NHS out-of-hours line"},
		{"116123", "the Samaritans"},
	}
}

// PrefixRule blocks every number starting with Prefix ("+449" blocks UK
// premium-rate numbers; "+" and a country code, a whole country).
type PrefixRule struct {
	Prefix string // "+" then digits
	Reason string // plain English, shown to the carer; "" for a default
}

// DefaultPrefixRules returns the ranges blocked for every line unless
// configured otherwise: UK premium-rate 09 numbers, which Ofcom's General
// Condition C6 forbids as caller IDs.
func DefaultPrefixRules() []PrefixRule {
	return []PrefixRule{
		{"+449", "a premium-rate (09) number, which may not be used as a caller ID (Ofcom General Condition C6)"},
	}
}

// prefixIndex finds the rules matching a number's digits. Rules are
// grouped by the length of their prefix, and looked up by the prefix's
// digits read as a number: a number's first digits are read once, a few
// more for each longer group.
type prefixIndex struct {
	groups []prefixGroup // by length, ascending
}

// prefixGroup holds the rules whose prefixes have n digits, sorted by the
// prefix's digits' value: rules[i] has value values[i].
type prefixGroup struct {
	n      int
	values []uint64
	rules  []prefixRule
}

// prefixRule is a rule with its reason made by fixed.
type prefixRule struct {
	PrefixRule
	reason []string
}

// newPrefixIndex indexes rules; of rules with the same prefix, the last
// counts.
func newPrefixIndex(rules []PrefixRule) (*prefixIndex, error) {
	byPrefix := map[string]PrefixRule{} // by digits
	for _, r := range rules {
		d := strings.TrimPrefix(r.Prefix, "+")
		if !strings.HasPrefix(r.Prefix, "+") || d == "" || strings.Trim(d, "0123456789") != "" || len(d) > 19 {
			return nil, fmt.Errorf("prefix rule %q: want \"+\" and digits, such as +449", r.Prefix)
		}
		if r.Reason == "" {
			r.Reason = "in the blocked range " + r.Prefix
		}
		byPrefix[d] = r
	}
	// Sorting the digits by length, then value, sorts the groups and each
	// group's rules.
	digits := slices.Collect(maps.Keys(byPrefix))
	slices.SortFunc(digits, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	ix := &prefixIndex{}
	for _, d := range digits {
		if len(ix.groups) == 0 || ix.groups[len(ix.groups)-1].n != len(d) {
			ix.groups = append(ix.groups, prefixGroup{n: len(d)})
		}
		g := &ix.groups[len(ix.groups)-1]
		r := byPrefix[d]
		g.values = append(g.values, digitsValue(d))
		g.rules = append(g.rules, prefixRule{PrefixRule: r, reason: fixed(r.Reason)})
	}
	return ix, nil
}

// digitsValue reads at most 19 ASCII digits as a number. A prefix with
// leading zeros reads as a smaller number than any number's digits of the
// same length (which never start with 0), so it matches no number.
func digitsValue(d string) uint64 {
	v := uint64(0)
	for i := 0; i < len(d); i++ {
		v = v*10 + uint64(d[i]-'0')
	}
	return v
}

// match gives c the reason of every rule whose prefix starts digits, the
// shortest first.
func (ix *prefixIndex) match(digits []byte, c *call) {
	if ix == nil {
		return
	}
	v, read := uint64(0), 0 // the value of digits[:read]
	for i := range ix.groups {
		g := &ix.groups[i]
		if g.n > len(digits) {
			break
		}
		for ; read < g.n; read++ {
			v = v*10 + uint64(digits[read]-'0')
		}
		if j, ok := slices.BinarySearch(g.values, v); ok {
			c.sayFixed(g.rules[j].reason)
		}
	}
}

func (ix *prefixIndex) list() []PrefixRule {
	if ix == nil {
		return nil
	}
	var out []PrefixRule
	for _, g := range ix.groups {
		for _, r := range g.rules {
			out = append(out, r.PrefixRule)
		}
	}
	slices.SortFunc(out, func(a, b PrefixRule) int { return strings.Compare(a.Prefix, b.Prefix) })
	return out
}

// Lists are the lists every line shares: service codes, the
// Do-Not-Originate list, the community block list and blocked ranges. They
// are safe for concurrent use: readers see an immutable snapshot, and each
// change publishes a new one.
type Lists struct {
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[listsSnap]
}

type listsSnap struct {
	services  map[string]service // by code
	dno       *List
	community *List
	prefixes  *prefixIndex
}

// NewLists returns lists holding DefaultServiceCodes, DefaultPrefixRules
// and empty Do-Not-Originate and community lists.
func NewLists() *Lists {
	l := &Lists{}
	ix, _ := newPrefixIndex(DefaultPrefixRules()) // constants; TestDefaultsAreValid checks them
	s := &listsSnap{services: services(DefaultServiceCodes()), prefixes: ix}
	l.snap.Store(s)
	return l
}

// service is a service code's name and the reason made by fixed for
// blocking a caller ID that is the code.
type service struct {
	name   string
	reason []string
}

// services indexes codes by code (the last of any repeats wins).
func services(codes []ServiceCode) map[string]service {
	m := make(map[string]service, len(codes))
	for _, c := range codes {
		m[c.Code] = service{name: c.Name, reason: serviceReason(c.Code, c.Name)}
	}
	return m
}

func (l *Lists) load() *listsSnap { return l.snap.Load() }

// update applies f to a copy of the current snapshot and publishes it.
func (l *Lists) update(f func(s *listsSnap) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := *l.snap.Load()
	if err := f(&s); err != nil {
		return err
	}
	l.snap.Store(&s)
	return nil
}

// SetServiceCodes replaces the service codes.
func (l *Lists) SetServiceCodes(codes []ServiceCode) error {
	for _, c := range codes {
		if c.Code == "" || strings.Trim(c.Code, "0123456789") != "" || len(c.Code) > 6 {
			return fmt.Errorf("set service codes: %q is not a short code of up to 6 digits", c.Code)
		}
	}
	m := services(codes)
	return l.update(func(s *listsSnap) error { s.services = m; return nil })
}

// ServiceCodes returns the service codes, sorted.
func (l *Lists) ServiceCodes() []ServiceCode {
	s := l.load()
	out := make([]ServiceCode, 0, len(s.services))
	for c, svc := range s.services {
		out = append(out, ServiceCode{Code: c, Name: svc.name})
	}
	slices.SortFunc(out, func(a, b ServiceCode) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// SetPrefixRules replaces the shared blocked ranges.
func (l *Lists) SetPrefixRules(rules []PrefixRule) error {
	ix, err := newPrefixIndex(rules)
	if err != nil {
		return fmt.Errorf("set prefix rules: %w", err)
	}
	return l.update(func(s *listsSnap) error { s.prefixes = ix; return nil })
}

// PrefixRules returns the shared blocked ranges, sorted by prefix.
func (l *Lists) PrefixRules() []PrefixRule { return l.load().prefixes.list() }

// SetDNO replaces the Do-Not-Originate list.
func (l *Lists) SetDNO(nums []Number) {
	dno := NewList(nums)
	_ = l.update(func(s *listsSnap) error { s.dno = dno; return nil })
}

// AddDNO adds numbers to the Do-Not-Originate list (for instance the number
// on the back of the person's bank card) and returns how many were new.
func (l *Lists) AddDNO(nums ...Number) int {
	var added int
	_ = l.update(func(s *listsSnap) error { s.dno, added = s.dno.With(nums...); return nil })
	return added
}

// RemoveDNO removes numbers from the Do-Not-Originate list and returns how
// many were on it.
func (l *Lists) RemoveDNO(nums ...Number) int {
	var n int
	_ = l.update(func(s *listsSnap) error { s.dno, n = s.dno.Without(nums...); return nil })
	return n
}

// DNO returns the current Do-Not-Originate list (immutable).
func (l *Lists) DNO() *List { return l.load().dno }

// SetCommunity replaces the community block list.
func (l *Lists) SetCommunity(nums []Number) {
	c := NewList(nums)
	_ = l.update(func(s *listsSnap) error { s.community = c; return nil })
}

// AddCommunity adds numbers to the community block list and returns how
// many were new.
func (l *Lists) AddCommunity(nums ...Number) int {
	var added int
	_ = l.update(func(s *listsSnap) error { s.community, added = s.community.With(nums...); return nil })
	return added
}

// RemoveCommunity removes numbers from the community block list and returns
// how many were on it.
func (l *Lists) RemoveCommunity(nums ...Number) int {
	var n int
	_ = l.update(func(s *listsSnap) error { s.community, n = s.community.Without(nums...); return nil })
	return n
}

// Community returns the current community block list (immutable).
func (l *Lists) Community() *List { return l.load().community }
