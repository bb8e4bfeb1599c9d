// Package detect is the scam-script detector: it reads a call's transcript
// turn by turn, as a speech recogniser produces it, and says after each
// turn whether the call is a scam, how sure it is and why.
//
// It is pure: no SIP, HTTP, SQL or logging. One Model (the compiled
// catalogue of tactics in rules.go) is shared by all calls; each call gets
// its own Call, which is not safe for concurrent use.
//
// How a verdict is reached (verdict.go): phrase patterns find tactics in
// each caller turn (who they claim to be, the story, what they ask for,
// pressure); requests only count when aimed at the listener and not
// negated ("we will never ask for your PIN" is reassurance, "I'm taking
// some cash out" is not a request); turns that talk about scams ("fake
// police officers who sent a courier") do not count as the scam itself.
// A denial covers the rest of its clause ("we will never ask you to move
// money or read out a passcode"), but not a condition ("if you did not
// make this payment, press one"); a request told back to the listener
// ("you were in earlier asking to take out ...") or said of oneself ("I'll
// pop round for it") is not a request.
// Then combination rules decide: a request for money or credentials with
// an authority claim, a story or pressure is a scam; a request alone is
// suspicious; a claim of authority alone is nothing. A few tactics are
// scams in themselves or with one more sign: "don't worry about the
// dialling tone", a cover story for the bank staff, Microsoft calling
// about a virus, guaranteed returns with a deadline or secrecy.
package detect

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Speaker says who spoke a turn.
type Speaker uint8

const (
	Caller Speaker = iota // the person who rang the protected line
	Callee                // the protected person
)

// ParseSpeaker maps "caller"/"callee" to a Speaker.
func ParseSpeaker(s string) (Speaker, error) {
	switch s {
	case "caller":
		return Caller, nil
	case "callee":
		return Callee, nil
	}
	return 0, fmt.Errorf("speaker %q: want caller or callee", s)
}

func (s Speaker) String() string {
	if s == Callee {
		return "callee"
	}
	return "caller"
}

// Segment is one piece of transcript: a turn, or a final recogniser result.
type Segment struct {
	Speaker Speaker
	Text    string
	Start   time.Duration // from the start of the call; zero when unknown
	End     time.Duration
	// Spotted marks a keyword-spotting result: Text is one phrase the
	// recogniser listened for, not everything said. The detector then
	// matches over the phrases spotted in the last SpotWindow (so
	// "police officer" ... "withdraw cash" ... "courier" combine), and
	// cannot demand "you" before a request, since the spotter never
	// reports the words around a phrase.
	Spotted bool
}

// SpotWindow is how far back spotted phrases are joined for matching.
const SpotWindow = 20 * time.Second

// Verdict is the detector's judgement of the call so far.
type Verdict uint8

const (
	None Verdict = iota
	Suspicious
	Scam
)

func (v Verdict) String() string {
	switch v {
	case Scam:
		return "scam"
	case Suspicious:
		return "suspicious"
	}
	return "none"
}

// Evidence is one tactic heard, with the words that showed it.
type Evidence struct {
	Tactic string // catalogue name, e.g. "request:withdraw-cash"
	Kind   Kind
	Turn   int    // 1-based turn number in the call
	Words  string // the normalised words that matched
	At     time.Duration
	ti     int // catalogue index
}

// Assessment is the state of a call after a segment.
type Assessment struct {
	Verdict Verdict
	Score   float64 // 0..1 risk
	// Tactics heard so far, in the order first heard (one entry per
	// tactic). Reassurance and scam-talk are included: they explain a low
	// score. The slice is shared with the Call and only ever appended to.
	Tactics []Evidence
	// FlaggedAtTurn is the 1-based turn at which the verdict first became
	// scam; 0 if it has not. SuspiciousAtTurn likewise for suspicious.
	FlaggedAtTurn    int
	SuspiciousAtTurn int
	Explanation      string // for the carer's alert and the call log
	Warning          string // short, calm, to be read aloud to the person
	WarningPrompt    string // key of the recorded warning suited to the tactics
}

// Model is the compiled catalogue; immutable and shared.
type Model struct {
	lex     *lexicon
	match   matcher
	tactics []tactic
	spot    map[string]int // spotted phrase -> tactic index (spotted.go)
}

var defaultModel = sync.OnceValue(func() *Model {
	m, err := NewModel()
	if err != nil {
		panic(err) // the catalogue is code; TestCatalogueCompiles guards it
	}
	return m
})

// Default returns the model built from the built-in catalogue.
func Default() *Model { return defaultModel() }

// NewModel compiles the built-in catalogue.
func NewModel() (*Model, error) {
	m := &Model{lex: newLexicon(), match: matcher{first: map[int32][]int{}}, tactics: catalogue}
	for ti, t := range catalogue {
		for _, src := range t.patterns {
			// A leading "~" marks a pattern that names its own addressee
			// ("I need your card number", "payable in iTunes vouchers"), so
			// the tactic's directedness check does not apply to it.
			// A leading "^" marks a denial whose scope is the rest of
			// its clause ("we will never ask you to ... or ...").
			// A leading "!" marks a pattern that does not count when the
			// speaker says it of themselves ("I'll pop round for it").
			directed, scoped, other := t.directed, false, false
			for {
				if rest, ok := strings.CutPrefix(src, "~"); ok {
					src, directed = strings.TrimSpace(rest), false
				} else if rest, ok := strings.CutPrefix(src, "^"); ok {
					src, scoped = strings.TrimSpace(rest), true
				} else if rest, ok := strings.CutPrefix(src, "!"); ok {
					src, other = strings.TrimSpace(rest), true
				} else {
					break
				}
			}
			slots, err := compile(m.lex, src)
			if err != nil {
				return nil, fmt.Errorf("tactic %s: %w", t.id, err)
			}
			m.match.add(pattern{tactic: ti, src: src, slots: slots, directed: directed, negatable: t.negatable, scoped: scoped, other: other})
		}
	}
	for _, w := range cueWords {
		m.lex.add(w)
	}
	m.lex.indexFuzzy()
	m.match.seal(len(m.lex.ids))
	spot, err := m.spotIndex()
	if err != nil {
		return nil, err
	}
	m.spot = spot
	return m, nil
}

// Call is the per-call streaming detector.
type Call struct {
	m    *Model
	tok  tokenizer
	hits []hit
	sc   scratch
	// spots holds the recent spotted phrases (Segment.Spotted).
	spots []Segment
	// reassured holds the spans of reassurance in the current turn.
	reassured [][2]int
	turn      int
	seen      []int // per tactic: index into a.Tactics+1, 0 when not yet heard
	a         Assessment
	dirty     bool
}

// NewCall starts the detector for one call.
func (m *Model) NewCall() *Call {
	return &Call{m: m, tok: tokenizer{lex: m.lex}, seen: make([]int, len(m.tactics))}
}

// Feed analyses one segment and returns the assessment of the whole call
// so far. Callee turns are counted (turn numbers follow the transcript)
// but only the caller's words are evidence: the protected person
// repeating "withdraw cash?" is not the scam.
func (c *Call) Feed(s Segment) Assessment {
	c.turn++
	if s.Speaker != Caller {
		return c.a
	}
	text := s.Text
	if s.Spotted {
		text = c.spotted(s)
	}
	if s.Spotted {
		c.noteSpotted(s)
	}
	toks := c.tok.tokenize(text)
	c.hits = c.m.match.find(toks, c.hits[:0], &c.sc)
	c.reassured = c.reassured[:0]
	if len(c.hits) == 0 {
		if c.dirty {
			c.assess()
		}
		return c.a
	}
	// The first scam-talk marker in the turn: requests and claims after
	// it are being described, not made.
	// Reassurance ("call the number on the back of your card") covers
	// its words: a request pattern inside it is not a request.
	// A denial ("we will never ask you to move money or read out a
	// passcode") covers the rest of its clause, up to a "but" or "so".
	discussFrom := len(toks) + 1
	safeCallback := false
	for _, h := range c.hits {
		p := &c.m.match.patterns[h.pattern]
		safeCallback = safeCallback || c.m.tactics[p.tactic].id == "reassure:safe-callback"
		switch c.m.tactics[p.tactic].kind {
		case KindDiscuss:
			discussFrom = min(discussFrom, h.start)
		case KindReassure:
			end := h.end
			if p.scoped {
				end = clauseEnd(toks, h.end)
			}
			c.reassured = append(c.reassured, [2]int{h.start, end})
		case KindRequest:
			if p.negatable && (negated(toks, h.start) || deniedWithin(toks, h.start, h.end)) {
				c.reassured = append(c.reassured, [2]int{h.start, clauseEnd(toks, h.end)})
			}
		}
	}
	for _, h := range c.hits {
		p := &c.m.match.patterns[h.pattern]
		ti := p.tactic
		t := &c.m.tactics[ti]
		if (t.kind == KindRequest || t.kind == KindAuthority || t.id == "pressure:call-back-trick") && h.start > discussFrom {
			continue
		}
		// "Hang up and call 101 from a different phone" is the advice
		// itself, not the trick.
		if t.id == "pressure:call-back-trick" && safeCallback {
			continue
		}
		if t.kind == KindRequest && p.negatable && (negated(toks, h.start) || deniedWithin(toks, h.start, h.end)) {
			c.note(c.m.reassureIndex(), toks, h, s.Start)
			continue
		}
		if t.kind == KindRequest && c.insideReassurance(h.start) {
			continue
		}
		if p.directed && !s.Spotted && (!directed(toks, h.start, h.end) || reported(toks, h.start)) {
			continue
		}
		if p.other && selfSubject(toks, h.start) {
			continue
		}
		c.note(ti, toks, h, s.Start)
	}
	if c.dirty {
		c.assess()
	}
	return c.a
}

// spotted adds a spotted phrase to the window and returns the window's
// phrases as one text.
func (c *Call) spotted(s Segment) string {
	keep := c.spots[:0]
	for _, p := range c.spots {
		if s.Start-p.Start <= SpotWindow {
			keep = append(keep, p)
		}
	}
	c.spots = append(keep, s)
	var b strings.Builder
	for i, p := range c.spots {
		if i > 0 {
			b.WriteString(" . ")
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

func (c *Call) insideReassurance(i int) bool {
	for _, r := range c.reassured {
		if i >= r[0] && i < r[1] {
			return true
		}
	}
	return false
}

// Assessment returns the current assessment without feeding anything.
func (c *Call) Assessment() Assessment { return c.a }

func (c *Call) note(ti int, toks []token, h hit, at time.Duration) {
	if c.seen[ti] != 0 {
		return
	}
	var b strings.Builder
	for i := h.start; i < h.end; i++ {
		if i > h.start {
			b.WriteByte(' ')
		}
		b.WriteString(toks[i].word)
	}
	c.a.Tactics = append(c.a.Tactics, Evidence{Tactic: c.m.tactics[ti].id, Kind: c.m.tactics[ti].kind, Turn: c.turn, Words: b.String(), At: at, ti: ti})
	c.seen[ti] = len(c.a.Tactics)
	c.dirty = true
}

func (m *Model) reassureIndex() int {
	for i, t := range m.tactics {
		if t.id == "reassure:never-ask" {
			return i
		}
	}
	panic("catalogue has no reassure:never-ask")
}

// cueWords are the words the directedness and negation checks read; they
// are added to the lexicon so tokens carry ids for them.
var cueWords = []string{
	"you", "your", "yourself", "please", "need", "must", "have", "got", "can", "could", "would", "will", "should",
	"go", "just", "now", "and", "then", "so", "ok", "okay", "right", "lets", "let", "want", "shall", "today",
	"i", "im", "ive", "ill", "id", "we", "weve", "well", "were", "youll", "youd", "youve", "if", "unless", "she", "he", "shes", "hes", "they", "theyre", "theyve", "people", "her", "his", "them", "who", "my", "our",
	"never", "not", "dont", "wont", "no", "cant", "nothing", "without", "nobody", "neither", "nor", "didnt", "doesnt", "shouldnt", "wouldnt", "isnt",
}

var (
	secondPerson = set("you", "your", "yourself", "please", "youll", "youd", "youve")
	imperative   = set("and", "then", "so", "now", "just", "ok", "okay", "right", "please")
	otherSubject = set("i", "im", "ive", "ill", "id", "we", "weve", "she", "he", "shes", "hes", "they", "theyre", "theyve", "people", "her", "his", "them", "who", "my", "our")
	negators     = set("never", "not", "dont", "wont", "no", "cant", "nothing", "without", "nobody", "neither", "nor", "didnt", "doesnt", "shouldnt", "wouldnt", "isnt")
	conditions   = set("if", "unless")
	// notDenial follow a negator that denies something else: "don't
	// worry", "the name doesn't match", "if you don't trust me".
	notDenial   = set("worry", "panic", "match", "matches", "recognise", "recognize", "know", "mind", "understand", "trust", "believe", "look", "seem", "appear", "be")
	clauseBreak = set("but", "however", "except", "although", "though", "unless", "so", "now", "just", "instead", "then")
	reportVerbs = set("asked", "asking", "wanted", "requested", "mentioned", "came", "went")
	attempts    = set("trying", "tried", "attempted", "attempting")
	firstPerson = set("i", "ill", "im", "id", "ive", "me")
	modals      = set("can", "could", "may", "might", "will", "would")
)

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// negated reports a negation in the four words before start, other than
// one inside a condition ("if you did not make this payment, press one",
// "unless you pay").
func negated(toks []token, start int) bool {
	if clauseBreak[toks[start].word] {
		return false
	}
	neg := false
	for i := max(0, start-4); i < start; i++ {
		switch {
		case negators[toks[i].word] && !conditional(toks, i) && !(i+1 < len(toks) && notDenial[toks[i+1].word]):
			neg = true
		case clauseBreak[toks[i].word]: // "no catch, just confirm ..."
			neg = false
		}
	}
	return neg
}

// deniedWithin reports a denial inside a match: "that's all we needed,
// we would never ask for your PIN" matches "need ... pin" across it.
func deniedWithin(toks []token, start, end int) bool {
	for i := start + 1; i < end-1; i++ {
		if negators[toks[i].word] && !conditional(toks, i) {
			return true
		}
	}
	return false
}

// selfSubject reports "I" (or "want me to") in the three words before
// start, "my" right before it, or "you" ("you can") right before it: "I'll pop round to get it" is the
// caller coming themselves and "when you collect them" the listener, not
// someone sent to collect ("we'll collect it" is an organisation's).
func selfSubject(toks []token, start int) bool {
	if start > 0 && toks[start-1].word == "my" { // "my account is suspended"
		return true
	}
	// "when you collect them", "you can collect" (but not "I need you
	// to collect", which is the request itself).
	if start > 0 && toks[start-1].word == "you" {
		return true
	}
	if start > 1 && toks[start-2].word == "you" && modals[toks[start-1].word] {
		return true
	}
	for i := max(0, start-3); i < start; i++ {
		if firstPerson[toks[i].word] {
			return true
		}
	}
	return false
}

func conditional(toks []token, i int) bool {
	for k := max(0, i-5); k < i; k++ {
		if conditions[toks[k].word] {
			return true
		}
	}
	return false
}

// clauseEnd is where the clause that starts a denial ends: up to farGap
// words on, stopping at a word that turns the sentence ("but", "so",
// "now", "just").
func clauseEnd(toks []token, from int) int {
	end := min(len(toks), from+farGap)
	for i := from; i < end; i++ {
		if clauseBreak[toks[i].word] {
			return i
		}
	}
	return end
}

// reported reports a request the listener made themselves, told back to
// them ("you were asking to take out eight thousand", "you came in to
// withdraw"), or an attempt by someone else ("they tried to access your
// account"): a story, not a request.
func reported(toks []token, start int) bool {
	for i := start - 1; i >= max(0, start-2); i-- {
		if attempts[toks[i].word] { // "someone has been trying to access your account"
			return true
		}
	}
	for i := start - 1; i >= max(0, start-6); i-- {
		if !reportVerbs[toks[i].word] {
			continue
		}
		for k := i - 1; k >= max(0, i-4); k-- { // "you were in earlier asking to"
			if toks[k].word == "you" {
				return true
			}
		}
	}
	return false
}

// directed reports whether the match at [start,end) is aimed at the
// listener: "you"/"your"/"please" in it or in the eight words before it,
// or an imperative at the start of a clause; but not when a first- or
// third-person subject comes right before it ("I'm taking cash out",
// "people withdraw").
func directed(toks []token, start, end int) bool {
	for i := start; i < end; i++ {
		if secondPerson[toks[i].word] {
			return true
		}
	}
	for i := start - 1; i >= max(0, start-2); i-- {
		if secondPerson[toks[i].word] {
			return true
		}
		if otherSubject[toks[i].word] {
			return false
		}
	}
	if start == 0 || toks[start].clause || imperative[toks[start-1].word] {
		return true
	}
	for i := max(0, start-8); i < start; i++ {
		if secondPerson[toks[i].word] {
			return true
		}
	}
	return false
}
