package screen

import (
	"errors"
	"strconv"

	"github.com/clearline/clearline/internal/screen/numplan"
)

// Stage names, as Decision.Stage reports them and the call log stores them.
const (
	StageCallerID    = "caller-id"
	StageServiceCode = "service-code"
	StageNotANumber  = "not-a-number"
	StageDrama       = "drama-range"
	StageDNO         = "do-not-originate"
	StageInvalid     = "invalid-number"
	StageTrusted     = "trusted-contact"
	StageBlockList   = "block-list"
	StageQuietHours  = "quiet-hours"
	StageWithheld    = "withheld-caller"
	StageUnknown     = "unknown-caller"
)

// A stage is one step of the screening pipeline. Each is a method below
// that inspects the call and either decides (done true, with the action) or
// passes the call on to the next stage; either way it may add reasons. A
// stage that decides stops the pipeline; the last stage always decides.
type stage uint8

const (
	readCallerID stage = iota
	serviceCode
	parseNumber
	dramaRange
	doNotOriginate
	invalidNumber
	trustedContact
	blockLists
	quietHours
	withheldCaller
	unknownCaller
)

// pipeline is the screening order. The order is the policy:
//
//   - Caller IDs that cannot be genuine are refused first (service codes,
//     drama ranges, Do-Not-Originate numbers, invalid numbers): a fraudster
//     who spoofs a number cannot get through by spoofing a trusted one that
//     is impossible, and nothing later can let such a call ring.
//   - Trusted contacts then ring straight through: family is never blocked
//     by a list, a range rule or quiet hours.
//   - Block lists and blocked ranges refuse the rest of the known-bad.
//   - Quiet hours refuse everyone left (unknown and withheld) at night.
//   - Withheld and unknown callers get the line's chosen action.
var pipeline = [...]stage{
	readCallerID, serviceCode, parseNumber, dramaRange, doNotOriginate, invalidNumber,
	trustedContact, blockLists, quietHours, withheldCaller, unknownCaller,
}

// stageNames are the stages' names, indexed by stage.
var stageNames = [...]string{
	readCallerID:   StageCallerID,
	serviceCode:    StageServiceCode,
	parseNumber:    StageNotANumber,
	dramaRange:     StageDrama,
	doNotOriginate: StageDNO,
	invalidNumber:  StageInvalid,
	trustedContact: StageTrusted,
	blockLists:     StageBlockList,
	quietHours:     StageQuietHours,
	withheldCaller: StageWithheld,
	unknownCaller:  StageUnknown,
}

func (st stage) String() string { return stageNames[st] }

// run runs one stage. Direct calls (not function values) keep the call's
// working state on the stack.
func (s *Screener) run(st stage, c *call) (Action, bool) {
	switch st {
	case readCallerID:
		return s.readCallerID(c)
	case serviceCode:
		return s.serviceCode(c)
	case parseNumber:
		return s.parseNumber(c)
	case dramaRange:
		return s.dramaRange(c)
	case doNotOriginate:
		return s.doNotOriginate(c)
	case invalidNumber:
		return s.invalidNumber(c)
	case trustedContact:
		return s.trustedContact(c)
	case blockLists:
		return s.blockLists(c)
	case quietHours:
		return s.quietHours(c)
	case withheldCaller:
		return s.withheldCaller(c)
	}
	return s.unknownCaller(c)
}

// StageNames returns the stage names in pipeline order.
func StageNames() []string {
	out := make([]string, len(pipeline))
	for i, st := range pipeline {
		out[i] = st.String()
	}
	return out
}

// readCallerID notes a withheld, unavailable or missing caller ID, which
// skips every stage that needs a number. It never decides.
func (s *Screener) readCallerID(c *call) (Action, bool) {
	c.raw = trimSpace(c.in.CallerID)
	if why, ok := withheld(c.raw); ok {
		c.anonymous, c.noNum = true, why
		c.sayFixed(why.alone)
	}
	return 0, false
}

// serviceCode blocks a caller ID that is a service short code (999, 112,
// 101, 111, 105, 159, 161…, configurable in Lists) or any other caller ID
// of six digits or fewer: no genuine call presents one.
func (s *Screener) serviceCode(c *call) (Action, bool) {
	if c.anonymous {
		return 0, false
	}
	code, plus, ok := s.shortCode(c.raw)
	if !ok {
		return 0, false
	}
	svc, known := c.lists.services[code]
	switch {
	case known:
		c.sayFixed(svc.reason)
	case plus:
		return 0, false // "+4420": a truncated number, judged by later stages
	default:
		c.say(code + " is a short code, not a telephone number: no genuine call shows one as its caller ID")
	}
	c.raw = code
	return Block, true
}

// parseNumber reads the caller ID as a telephone number in the home region
// and blocks caller IDs that are not telephone numbers at all.
func (s *Screener) parseNumber(c *call) (Action, bool) {
	if c.anonymous {
		return 0, false
	}
	n, err := s.parser.Parse(c.raw)
	if err != nil {
		why := "it is not a telephone number"
		switch {
		case errors.Is(err, numplan.ErrCountryCode):
			why = "it starts with a country code that does not exist"
		case errors.Is(err, numplan.ErrTooShort):
			why = "it is too short to be a telephone number"
		case errors.Is(err, numplan.ErrTooLong):
			why = "it is too long to be a telephone number"
		}
		c.say("caller ID " + strconv.Quote(c.raw) + " cannot be genuine: " + why)
		return Block, true
	}
	// The community list's entry for n is almost always a miss to main
	// memory: start fetching it now, so that it arrives while the stages
	// up to blockLists run.
	c.lists.community.Prefetch(n)
	c.setNumber(n)
	return 0, false
}

// dramaRange blocks numbers in Ofcom's ranges reserved for TV and radio
// drama (01632 960xxx, 020 7946 0xxx, 07700 900xxx…): no real line has one.
func (s *Screener) dramaRange(c *call) (Action, bool) {
	if c.num == 0 {
		return 0, false
	}
	r, ok := numplan.Drama(c.num)
	if !ok {
		return 0, false
	}
	c.say(c.numStr + " is in Ofcom's range reserved for TV and radio drama (" + r.Area + "): no real line has it, so the caller ID is made up")
	return Block, true
}

// doNotOriginate blocks numbers on the Do-Not-Originate list: numbers that
// only ever receive calls (banks', HMRC's and other helplines), so a call
// showing one is spoofed.
func (s *Screener) doNotOriginate(c *call) (Action, bool) {
	if c.num == 0 || !c.lists.dno.Contains(c.num) {
		return 0, false
	}
	c.say(c.numStr + " is on the Do-Not-Originate list: it only receives calls (a bank's or government helpline), so the caller ID is faked")
	return Block, true
}

// invalidNumber blocks numbers the numbering plan does not allocate (wrong
// length, unallocated range), which Ofcom's General Condition C6 forbids as
// caller IDs.
func (s *Screener) invalidNumber(c *call) (Action, bool) {
	if c.num == 0 {
		return 0, false
	}
	if s.parser.ValidDigits(c.numDigits()) {
		return 0, false
	}
	c.say(c.numStr + " is not a valid number in the numbering plan (no such number is allocated), so the caller ID is made up")
	return Block, true
}

// trustedContact lets the line's trusted contacts ring straight through.
// Only the stages above (caller IDs that cannot be genuine) come first.
func (s *Screener) trustedContact(c *call) (Action, bool) {
	if c.num == 0 {
		return 0, false
	}
	t, ok := c.line.trusted[c.num]
	if !ok {
		return 0, false
	}
	c.sayFixed(t.reason)
	return Allow, true
}

// blockLists blocks numbers on the line's own block list, the community
// block list, a shared or line blocked range, or (if the line blocks them)
// any international number. Every list that matches adds its reason.
func (s *Screener) blockLists(c *call) (Action, bool) {
	if c.num == 0 {
		return 0, false
	}
	before := c.said()
	if c.line.blocked.Contains(c.num) {
		c.sayFixed(reasonLineList)
	}
	if c.lists.community.Contains(c.num) {
		c.sayFixed(reasonCommunity)
	}
	d := c.numDigits()
	c.lists.prefixes.match(d, c)
	c.line.prefixes.match(d, c)
	if c.line.policy.BlockInternational && c.num.CountryCode() != s.homeCC {
		c.say("an international number (+" + strconv.Itoa(c.num.CountryCode()) + "), and this line blocks calls from abroad")
	}
	return Block, c.said() > before
}

// quietHours refuses every caller still undecided (unknown or withheld)
// during the line's quiet hours: the phone does not ring at night for
// anyone but trusted contacts.
func (s *Screener) quietHours(c *call) (Action, bool) {
	if !c.line.policy.QuietHours.Contains(c.in.Now) {
		return 0, false
	}
	c.sayFixed(c.line.quietReason)
	return Block, true
}

// withheldCaller applies the line's action for withheld and unavailable
// caller IDs: challenge (a machine cannot answer) or block.
func (s *Screener) withheldCaller(c *call) (Action, bool) {
	if !c.anonymous {
		return 0, false
	}
	a := c.line.policy.AnonymousAction
	if a == Block {
		c.sayFixedAfter(c.noNum.blocked)
	} else {
		c.sayFixedAfter(c.noNum.challenged)
	}
	return a, true
}

// unknownCaller applies the line's action for valid numbers that are
// neither trusted nor blocked: challenge, block, or allow (ring through;
// the call is still listened to). It always decides.
func (s *Screener) unknownCaller(c *call) (Action, bool) {
	a := c.line.policy.UnknownAction
	switch a {
	case Block:
		c.sayFixed(reasonUnknownBlocked)
	case Allow:
		c.sayFixed(reasonUnknownAllowed)
	default:
		c.sayFixed(reasonUnknownChallenged)
	}
	return a, true
}

// Reasons of fixed text (see fixed).
var (
	reasonLineList           = fixed("on this line's block list")
	reasonCommunity          = fixed("on the community block list shared by all lines")
	reasonWithheldBlocked    = fixed("this line blocks callers without a number")
	reasonWithheldChallenged = fixed("callers without a number are asked to say their name before the phone rings")
	reasonUnknownBlocked     = fixed("not a trusted contact, and this line blocks unknown callers")
	reasonUnknownAllowed     = fixed("not a trusted contact: put through, and the call is listened to for scam tactics")
	reasonUnknownChallenged  = fixed("not a trusted contact: asked to say their name before the phone rings")
)

// serviceReason is the reason for blocking a caller ID that is service
// code code, of the service name.
func serviceReason(code, name string) []string {
	return fixed(code + " is the number of " + name + ", which never makes calls: the caller ID is faked")
}

// trustedReason is the reason for letting trusted contact name ring.
func trustedReason(name string) []string {
	if name == "" {
		return fixed("a trusted contact: rings straight through")
	}
	return fixed("trusted contact " + strconv.Quote(name) + ": rings straight through")
}

// quietReason is the reason for refusing a call during quiet hours q.
func quietReason(q QuietHours) []string {
	return fixed("quiet hours " + q.String() + ": only trusted contacts are put through")
}

// trimSpace trims ASCII white space without allocating.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	return s
}
