package numplan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
)

// This file turns the phone-number library's regular expressions into one
// deterministic automaton over the ten digits, so that validity can be
// answered by walking a table instead of running dozens of regexps.
//
// Each regular expression is a "track": a Thompson NFA compiled by Go's own
// regexp/syntax package (the same parser and compiler the library's regexps
// use, so the language is identical). A DFA state is the position in the
// input plus the NFA state set of every track; the subset construction below
// enumerates the reachable states breadth-first. At every state the caller's
// eval function turns "which tracks match if the input ended here" into a
// small result (a number type and region), stored per state.

// maxNSN is the longest national significant number the library accepts
// (its MAX_LENGTH_FOR_NSN).
const maxNSN = 17

// errTooManyStates stops a construction that would use too much memory; the
// caller then falls back to the library itself.
var errTooManyStates = errors.New("automaton too large")

// track is one regular expression followed by the automaton. A full track
// matches only the whole input (the library's "^(?:p)$"); a prefix track
// matches when any prefix of the input matches (the library's "^(?:p)").
type track struct {
	prog   *syntax.Prog
	prefix bool
}

func compileTrack(pattern string, prefix bool) (*track, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", pattern, err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", pattern, err)
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth &&
			syntax.EmptyOp(in.Arg)&(syntax.EmptyWordBoundary|syntax.EmptyNoWordBoundary) != 0 {
			return nil, fmt.Errorf("compile %q: word boundaries are not supported", pattern)
		}
	}
	return &track{prog: prog, prefix: prefix}, nil
}

// set is one track's NFA state: the instructions waiting for input (runes),
// the match instruction, and empty-width assertions not yet satisfied.
// matched records, for prefix tracks, that a prefix has already matched.
type set struct {
	pcs     []uint32
	matched bool
}

// closure adds pc and everything reachable from it without consuming input.
func (t *track) closure(dst []uint32, seen map[uint32]bool, pc uint32, atStart, atEnd bool) []uint32 {
	if seen[pc] {
		return dst
	}
	seen[pc] = true
	in := &t.prog.Inst[pc]
	switch in.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		dst = t.closure(dst, seen, in.Out, atStart, atEnd)
		dst = t.closure(dst, seen, in.Arg, atStart, atEnd)
	case syntax.InstCapture, syntax.InstNop:
		dst = t.closure(dst, seen, in.Out, atStart, atEnd)
	case syntax.InstEmptyWidth:
		dst = append(dst, pc) // kept so the end of input can satisfy it later
		var have syntax.EmptyOp
		if atStart {
			have |= syntax.EmptyBeginText | syntax.EmptyBeginLine
		}
		if atEnd {
			have |= syntax.EmptyEndText | syntax.EmptyEndLine
		}
		if syntax.EmptyOp(in.Arg)&^have == 0 {
			dst = t.closure(dst, seen, in.Out, atStart, atEnd)
		}
	case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		dst = append(dst, pc)
	case syntax.InstFail:
	}
	return dst
}

func normalise(pcs []uint32) []uint32 {
	slices.Sort(pcs)
	return slices.Compact(pcs)
}

func (t *track) start() set {
	s := set{pcs: normalise(t.closure(nil, map[uint32]bool{}, uint32(t.prog.Start), true, false))}
	return t.settle(s)
}

// settle records a prefix match and drops the now irrelevant NFA states.
func (t *track) settle(s set) set {
	if t.prefix && !s.matched {
		for _, pc := range s.pcs {
			if t.prog.Inst[pc].Op == syntax.InstMatch {
				s.matched = true
				break
			}
		}
	}
	if s.matched {
		s.pcs = nil
	}
	return s
}

func (t *track) step(s set, digit rune) set {
	if s.matched {
		return s
	}
	var out []uint32
	seen := map[uint32]bool{}
	for _, pc := range s.pcs {
		in := &t.prog.Inst[pc]
		switch in.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			if in.MatchRune(digit) {
				out = t.closure(out, seen, in.Out, false, false)
			}
		}
	}
	return t.settle(set{pcs: normalise(out)})
}

// endMatch reports whether the track matches if the input ends here.
func (t *track) endMatch(s set, atStart bool) bool {
	if s.matched {
		return true
	}
	seen := map[uint32]bool{}
	for _, pc := range s.pcs {
		switch t.prog.Inst[pc].Op {
		case syntax.InstMatch:
			return true
		case syntax.InstEmptyWidth:
			for _, q := range t.closure(nil, seen, pc, atStart, true) {
				if t.prog.Inst[q].Op == syntax.InstMatch {
					return true
				}
			}
		}
	}
	return false
}

// dfa is a table-driven automaton over decimal digits. State 0 is the
// start; next[s*10+d] is 10 times the state after digit d (the index of
// that state's row, which saves the walk a multiplication at every
// digit), or -1 once no input can change the outcome from "no match".
// out[s] is the caller's result when the input ends in state s.
type dfa struct {
	next []int32
	out  []uint16
}

// walk runs the automaton over ASCII digits and returns the result, with
// ok false when the automaton died (the result is then the zero result).
func (d *dfa) walk(digits []byte) (uint16, bool) {
	row := int32(0)
	for _, c := range digits {
		row = d.next[int(row)+int(c-'0')]
		if row < 0 {
			return 0, false
		}
	}
	return d.out[row/10], true
}

// states returns the number of states, for size reports and tests.
func (d *dfa) states() int { return len(d.out) }

// buildDFA runs the subset construction. eval receives the input length and
// whether each track matches if the input ended at that state. A state dies
// when every track listed in gate can no longer match.
func buildDFA(tracks []*track, gate []bool, maxLen, maxStates int, eval func(pos int, ends []bool) uint16) (*dfa, error) {
	type state struct {
		pos  int
		sets []set
	}
	index := map[string]int32{}
	var queue []state
	d := &dfa{}
	var keyBuf []byte
	key := func(st state) string {
		keyBuf = keyBuf[:0]
		keyBuf = append(keyBuf, byte(st.pos))
		for _, s := range st.sets {
			if s.matched {
				keyBuf = append(keyBuf, 1)
			} else {
				keyBuf = append(keyBuf, 0)
			}
			keyBuf = binary.AppendUvarint(keyBuf, uint64(len(s.pcs)))
			for _, pc := range s.pcs {
				keyBuf = binary.AppendUvarint(keyBuf, uint64(pc))
			}
		}
		return string(keyBuf)
	}
	ends := make([]bool, len(tracks))
	add := func(st state) (int32, error) {
		k := key(st)
		if id, ok := index[k]; ok {
			return id, nil
		}
		if len(d.out) >= maxStates {
			return 0, errTooManyStates
		}
		id := int32(len(d.out))
		index[k] = id
		for i, t := range tracks {
			ends[i] = t.endMatch(st.sets[i], st.pos == 0)
		}
		d.out = append(d.out, eval(st.pos, ends))
		d.next = append(d.next, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
		queue = append(queue, st)
		return id, nil
	}
	alive := func(st state) bool {
		for i, s := range st.sets {
			if gate[i] && (len(s.pcs) > 0 || s.matched) {
				return true
			}
		}
		return false
	}
	first := state{pos: 0, sets: make([]set, len(tracks))}
	for i, t := range tracks {
		first.sets[i] = t.start()
	}
	if _, err := add(first); err != nil {
		return nil, err
	}
	for id := 0; id < len(queue); id++ {
		st := queue[id]
		if st.pos >= maxLen {
			continue
		}
		for dg := range 10 {
			nx := state{pos: st.pos + 1, sets: make([]set, len(tracks))}
			for i, t := range tracks {
				nx.sets[i] = t.step(st.sets[i], rune('0'+dg))
			}
			if !alive(nx) {
				continue
			}
			to, err := add(nx)
			if err != nil {
				return nil, err
			}
			d.next[id*10+dg] = to * 10
		}
	}
	return d, nil
}
