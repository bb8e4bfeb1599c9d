// Package screen decides, before the phone rings, what happens to an
// incoming call: allow (ring), block, or challenge (ask the caller to say
// their name first). It is the line's first defence against scammers who
// present caller IDs that cannot be genuine, and it keeps family calls
// ringing straight through.
//
// It owns the screening policy: the ordered pipeline of stages (see
// pipeline in stages.go), the per-line settings and lists (Line), and the
// lists every line shares (Lists). Numbers are read and judged by the
// numplan subpackage; large lists are held by numset; files are read by
// importer.
//
// It never speaks SIP, HTTP or SQL, never logs, and never reads the clock:
// the caller passes the time of the call in Input.Now.
package screen

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clearline/clearline/internal/screen/numplan"
)

// Config configures a Screener.
type Config struct {
	// HomeRegion is the ISO 3166 region whose national numbers caller IDs
	// are read in ("GB" when empty).
	HomeRegion string
	// Lists are the lists shared by every line; nil gives NewLists().
	Lists *Lists
}

// Screener makes screening decisions. It is safe for concurrent use.
type Screener struct {
	parser *numplan.Parser
	lists  *Lists
	homeCC int
	ccStr  string // homeCC in decimal
}

// New returns a Screener for cfg.
func New(cfg Config) (*Screener, error) {
	region := cfg.HomeRegion
	if region == "" {
		region = "GB"
	}
	p, err := numplan.New(region)
	if err != nil {
		return nil, fmt.Errorf("screen: %w", err)
	}
	lists := cfg.Lists
	if lists == nil {
		lists = NewLists()
	}
	return &Screener{parser: p, lists: lists, homeCC: p.CountryCode(), ccStr: fmt.Sprint(p.CountryCode())}, nil
}

// Lists returns the shared lists the screener reads.
func (s *Screener) Lists() *Lists { return s.lists }

// Parser returns the number parser for the home region, for importers and
// for reading numbers a carer types.
func (s *Screener) Parser() *numplan.Parser { return s.parser }

// Input is one incoming call to screen.
type Input struct {
	// CallerID is the caller's number as presented: the user part of the
	// SIP P-Asserted-Identity or From ("+447700900123", "07700900123",
	// "anonymous", "").
	CallerID string
	// Line is the protected line called; nil screens with no trusted
	// contacts, no own block list and the default policy.
	Line *Line
	// Now is when the call arrived, for quiet hours.
	Now time.Time
}

// Decision is the screener's verdict with its reasons.
type Decision struct {
	Action Action
	// Number is the caller in international form ("+447700900123"),
	// "anonymous" for a withheld or unavailable caller ID, or the caller ID
	// as presented when it is not a telephone number.
	Number string
	// Stage names the stage that decided (the Stage* constants).
	Stage string
	// Reasons explain the decision in plain English, in the order the
	// stages found them; the deciding reason is last. Most decisions' reasons
	// are fixed text, and then the slice is shared with every decision
	// giving the same reasons, so that screening allocates nothing for
	// them: read Reasons, copy it or append to it (its capacity is its
	// length, so append copies), but never assign to its elements.
	Reasons []string
}

// Anonymous is Decision.Number for a withheld or unavailable caller ID.
const Anonymous = "anonymous"

// Decide screens one call. It always returns a decision: caller IDs that
// cannot be read are blocked with a reason, never an error. ctx is
// accepted for the gateway's call shape; no stage blocks today.
func (s *Screener) Decide(ctx context.Context, in Input) Decision {
	_ = ctx
	c := call{
		in:    in,
		lists: s.lists.load(),
	}
	if in.Line != nil {
		c.line = in.Line.load()
	} else {
		c.line = &defaultLine
	}
	for _, st := range pipeline {
		if a, done := s.run(st, &c); done {
			return c.decision(a, st)
		}
	}
	// The last stage always decides; this is unreachable.
	return c.decision(Challenge, unknownCaller)
}

// defaultLine is the policy for calls screened without a line.
var defaultLine = lineSnap{policy: Policy{}.withDefaults(), quietReason: quietReason(QuietHours{})}

// call is the pipeline's working state for one decision. It stays on the
// stack: the first reasons are kept in an array in it, and decision copies
// them to the heap once, at their final length, unless they are fixed text
// made once (see fixed).
type call struct {
	in    Input
	lists *listsSnap
	line  *lineSnap

	raw       string         // caller ID, trimmed
	anonymous bool           // withheld or unavailable
	noNum     *noNumber      // why, when anonymous
	num       numplan.Number // 0 when anonymous or unreadable
	e164      [21]byte       // num as "+" and digits, e164[:ne164]
	ne164     int
	numStr    string // num in international form, set with num

	reasons  [4]string // the first reasons, reasons[:nreasons]
	nreasons int
	more     []string // any after the first four
	fixedAll []string // every reason given, when they are one slice made by fixed
}

// fixed returns reasons whose text never changes as a slice made once (of
// capacity its length, so that appending to it copies), for sayFixed and
// sayFixedAfter: a decision whose reasons are exactly those returns the
// slice itself as its Reasons, and allocates nothing for them.
func fixed(texts ...string) []string { return slices.Clip(texts) }

// say adds a reason whose text was made for this call.
func (c *call) say(r string) {
	c.fixedAll = nil
	c.add(r)
}

func (c *call) add(r string) {
	if c.nreasons < len(c.reasons) {
		c.reasons[c.nreasons] = r
		c.nreasons++
		return
	}
	c.more = append(c.more, r)
}

// sayFixed adds a reason made by fixed (one text).
func (c *call) sayFixed(r []string) {
	if c.said() == 0 {
		c.fixedAll = r
	} else {
		c.fixedAll = nil
	}
	c.add(r[0])
}

// sayFixedAfter adds the last of rs, made by fixed, which are the reasons
// given so far followed by the new one (if the reasons so far are others,
// it is added all the same, and decision copies the reasons).
func (c *call) sayFixedAfter(rs []string) {
	if n := c.said(); n+1 == len(rs) && c.fixedAll != nil && slices.Equal(c.fixedAll, rs[:n]) {
		c.fixedAll = rs
	} else {
		c.fixedAll = nil
	}
	c.add(rs[len(rs)-1])
}

// said returns how many reasons have been given.
func (c *call) said() int { return c.nreasons + len(c.more) }

// decision returns the verdict of stage st with the reasons given.
func (c *call) decision(a Action, st stage) Decision {
	d := Decision{Action: a, Stage: st.String()}
	switch n := c.said(); {
	case c.fixedAll != nil:
		d.Reasons = c.fixedAll
	case n > 0:
		d.Reasons = make([]string, n)
		copy(d.Reasons[copy(d.Reasons, c.reasons[:c.nreasons]):], c.more)
	}
	switch {
	case c.anonymous:
		d.Number = Anonymous
	case c.num != 0:
		d.Number = c.numStr
	default:
		d.Number = c.raw
	}
	return d
}

// setNumber records the caller's number, parsed, with its international
// form (numplan.Number.String): every decision on a number reports it. A
// caller ID presented in exactly that form is used as it is.
func (c *call) setNumber(n numplan.Number) {
	c.num = n
	e := n.AppendE164(c.e164[:0])
	c.ne164 = len(e)
	if c.raw == string(e) {
		c.numStr = c.raw
	} else {
		c.numStr = string(e)
	}
}

// numDigits returns the caller's number's digits (country code first).
func (c *call) numDigits() []byte { return c.e164[1:c.ne164] }

// withheldWords are caller IDs that stand for "no number": RFC 3323's
// "anonymous", and what UK networks and PBXs send for withheld
// ("Restricted", "Private", "Withheld") and unavailable ("unavailable",
// "unknown") numbers. Compared without regard to case.
var withheldWords = [...]struct {
	word string
	why  *noNumber
}{
	{"anonymous", numberWithheld},
	{"restricted", numberWithheld},
	{"private", numberWithheld},
	{"withheld", numberWithheld},
	{"unavailable", numberUnavailable},
	{"unknown", numberUnavailable},
}

// noNumber is why a caller ID stands for no number, as the reasons (made
// by fixed) of a decision on it: alone, and followed by the withheld
// caller stage's reason for each action it can take.
type noNumber struct {
	alone, challenged, blocked []string
}

func newNoNumber(why string) *noNumber {
	return &noNumber{
		alone:      fixed(why),
		challenged: fixed(why, reasonWithheldChallenged[0]),
		blocked:    fixed(why, reasonWithheldBlocked[0]),
	}
}

var (
	numberWithheld    = newNoNumber("the caller withheld their number")
	numberUnavailable = newNoNumber("the network could not give the caller's number (unavailable)")
	noCallerID        = newNoNumber("no caller ID was sent")
)

// withheld reports whether the caller ID stands for no number, and why.
func withheld(raw string) (*noNumber, bool) {
	if raw == "" {
		return noCallerID, true
	}
	if c := raw[0]; c == '+' || ('0' <= c && c <= '9') {
		return nil, false
	}
	// "anonymous@anonymous.invalid" and similar whole URIs
	user, _, _ := strings.Cut(raw, "@")
	user = strings.TrimPrefix(strings.TrimPrefix(user, "sip:"), "sips:")
	for _, w := range withheldWords {
		if strings.EqualFold(user, w.word) {
			return w.why, true
		}
	}
	return nil, false
}

// shortCode returns the caller ID's digits when it may be a short code: at
// most six digits written without "+" or an international prefix, or "+"
// and the home country code followed by at most six digits ("+44999"). The
// second form reports plus as true: it is only a short code if it is a
// listed one ("+4420" is a truncated number, not a code).
func (s *Screener) shortCode(raw string) (code string, plus bool, ok bool) {
	if len(raw) > 24 {
		return "", false, false
	}
	var buf [24]byte
	n := 0
	most := 6       // digits a short code can have; more cannot be one
	spaced := false // separators between the digits
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		switch {
		case ch >= '0' && ch <= '9':
			if n == most {
				return "", false, false
			}
			buf[n] = ch
			n++
		case ch == '+' && i == 0:
			plus = true
			most += len(s.ccStr)
		case ch == ' ' || ch == '-' || ch == '.':
			spaced = true
		default:
			return "", false, false
		}
	}
	d := buf[:n]
	if plus {
		if !strings.HasPrefix(string(d), s.ccStr) {
			return "", false, false
		}
		d = d[len(s.ccStr):]
	}
	if len(d) == 0 || len(d) > 6 {
		return "", false, false
	}
	if !spaced {
		return raw[len(raw)-len(d):], plus, true // the digits as written: no copy
	}
	return string(d), plus, true
}
