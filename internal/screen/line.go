package screen

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
)

// Policy is one line's screening settings, as the carer chose them.
type Policy struct {
	// UnknownAction is what happens to a valid number that is neither
	// trusted nor blocked: Challenge (the default) or Block.
	UnknownAction Action
	// AnonymousAction is what happens to a withheld or unavailable caller
	// ID: Challenge (the default) or Block.
	AnonymousAction Action
	// QuietHours is when callers who are not trusted contacts are not put
	// through at all.
	QuietHours QuietHours
	// BlockInternational blocks every number outside the home country.
	BlockInternational bool
	// BlockedPrefixes are this line's own blocked ranges, in addition to
	// the shared ones.
	BlockedPrefixes []PrefixRule
}

// withDefaults fills in unset actions.
func (p Policy) withDefaults() Policy {
	if p.UnknownAction == 0 {
		p.UnknownAction = Challenge
	}
	if p.AnonymousAction == 0 {
		p.AnonymousAction = Challenge
	}
	return p
}

// Validate reports settings the screener cannot follow.
func (p Policy) Validate() error {
	p = p.withDefaults()
	if p.UnknownAction != Challenge && p.UnknownAction != Block && p.UnknownAction != Allow {
		return fmt.Errorf("policy: unknown callers can be challenged, blocked or allowed, not %v", p.UnknownAction)
	}
	if p.AnonymousAction != Challenge && p.AnonymousAction != Block {
		return fmt.Errorf("policy: withheld callers can be challenged or blocked, not %v", p.AnonymousAction)
	}
	if err := p.QuietHours.validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if _, err := newPrefixIndex(p.BlockedPrefixes); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	return nil
}

// Contact is a trusted contact: calls from Number ring straight through.
type Contact struct {
	Name   string
	Number Number
}

// Line is one protected line's lists and policy. It is safe for concurrent
// use: decisions read an immutable snapshot while a carer (or the person
// pressing a key after a challenge) changes the lists; each change
// publishes a new snapshot.
type Line struct {
	id   string
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[lineSnap]
}

type lineSnap struct {
	policy      Policy
	quietReason []string // for policy.QuietHours, made by fixed
	prefixes    *prefixIndex
	trusted     map[Number]trusted
	blocked     *List
}

// trusted is a trusted contact's name and the reason, made by fixed, for
// letting their calls ring.
type trusted struct {
	name   string
	reason []string
}

// NewLine returns a line with policy p and empty lists.
func NewLine(id string, p Policy) (*Line, error) {
	l := &Line{id: id}
	s := &lineSnap{trusted: map[Number]trusted{}}
	if err := s.setPolicy(p); err != nil {
		return nil, fmt.Errorf("line %s: %w", id, err)
	}
	l.snap.Store(s)
	return l, nil
}

func (s *lineSnap) setPolicy(p Policy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	ix, _ := newPrefixIndex(p.BlockedPrefixes) // validated above
	s.policy = p.withDefaults()
	s.policy.BlockedPrefixes = slices.Clone(p.BlockedPrefixes)
	s.quietReason = quietReason(p.QuietHours)
	s.prefixes = ix
	return nil
}

// ID returns the line's identifier.
func (l *Line) ID() string { return l.id }

func (l *Line) load() *lineSnap { return l.snap.Load() }

func (l *Line) update(f func(s *lineSnap) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := *l.snap.Load()
	if err := f(&s); err != nil {
		return err
	}
	l.snap.Store(&s)
	return nil
}

// Policy returns the line's policy, defaults filled in.
func (l *Line) Policy() Policy {
	p := l.load().policy
	p.BlockedPrefixes = slices.Clone(p.BlockedPrefixes)
	return p
}

// SetPolicy replaces the line's policy.
func (l *Line) SetPolicy(p Policy) error {
	if err := l.update(func(s *lineSnap) error { return s.setPolicy(p) }); err != nil {
		return fmt.Errorf("line %s: %w", l.id, err)
	}
	return nil
}

// AddTrusted adds or renames trusted contacts. Only the carer, or the
// person's own key press, may call it: passing a challenge never does.
func (l *Line) AddTrusted(cs ...Contact) {
	_ = l.update(func(s *lineSnap) error {
		s.trusted = maps.Clone(s.trusted)
		for _, c := range cs {
			if c.Number != 0 {
				s.trusted[c.Number] = trusted{name: c.Name, reason: trustedReason(c.Name)}
			}
		}
		return nil
	})
}

// RemoveTrusted removes trusted contacts by number and returns how many
// there were.
func (l *Line) RemoveTrusted(nums ...Number) int {
	n := 0
	_ = l.update(func(s *lineSnap) error {
		s.trusted = maps.Clone(s.trusted)
		for _, num := range nums {
			if _, ok := s.trusted[num]; ok {
				delete(s.trusted, num)
				n++
			}
		}
		return nil
	})
	return n
}

// Trusted returns the trusted contact with number n.
func (l *Line) Trusted(n Number) (Contact, bool) {
	t, ok := l.load().trusted[n]
	return Contact{Name: t.name, Number: n}, ok
}

// Contacts returns the trusted contacts sorted by name, then number.
func (l *Line) Contacts() []Contact {
	t := l.load().trusted
	out := make([]Contact, 0, len(t))
	for n, c := range t {
		out = append(out, Contact{Name: c.name, Number: n})
	}
	slices.SortFunc(out, func(a, b Contact) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Number, b.Number))
	})
	return out
}

// Block adds numbers to the line's own block list (for instance when the
// person presses 9 after a challenge) and returns how many were new.
func (l *Line) Block(nums ...Number) int {
	var n int
	_ = l.update(func(s *lineSnap) error { s.blocked, n = s.blocked.With(nums...); return nil })
	return n
}

// Unblock removes numbers from the line's block list and returns how many
// were on it.
func (l *Line) Unblock(nums ...Number) int {
	var n int
	_ = l.update(func(s *lineSnap) error { s.blocked, n = s.blocked.Without(nums...); return nil })
	return n
}

// SetBlocked replaces the line's block list (after an import).
func (l *Line) SetBlocked(nums []Number) {
	b := NewList(nums)
	_ = l.update(func(s *lineSnap) error { s.blocked = b; return nil })
}

// Blocked returns the line's block list (immutable).
func (l *Line) Blocked() *List { return l.load().blocked }
