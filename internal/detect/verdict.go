package detect

import (
	"math"
	"strings"
)

// facts summarises the tactics heard, for the combination rules.
type facts struct {
	authority, story, lure   bool
	requests, strongRequests int
	softRequests             int
	secrecy, threat, urgency bool
	callback, stayOnLine     bool
	coverStory, noDialTone   bool
	pressToConnect           bool
	techSupport, virus       bool
	reassured, discussed     bool
	raw                      float64
}

func (c *Call) facts() facts {
	var f facts
	for _, e := range c.a.Tactics {
		t := &c.m.tactics[e.ti]
		f.raw += t.weight
		switch t.kind {
		case KindAuthority:
			f.authority = true
			f.techSupport = f.techSupport || t.id == "authority:tech-support"
		case KindStory:
			f.story = true
			f.virus = f.virus || t.id == "story:virus" && infection(e.Words)
		case KindLure:
			f.lure = true
		case KindRequest:
			f.requests++
			if t.strong {
				f.strongRequests++
			}
			if t.soft {
				f.softRequests++
			}
		case KindReassure:
			f.reassured = true
		case KindDiscuss:
			f.discussed = true
		case KindPressure:
			switch t.id {
			case "pressure:secrecy":
				f.secrecy = true
			case "pressure:threat":
				f.threat = true
			case "pressure:urgency":
				f.urgency = true
			case "pressure:call-back-trick":
				f.callback = true
			case "pressure:stay-on-line":
				f.stayOnLine = true
			case "pressure:press-to-connect":
				f.pressToConnect = true
			case "pressure:cover-story":
				f.coverStory = true
			case "pressure:no-dial-tone":
				f.noDialTone = true
			}
		}
	}
	return f
}

// verdict applies the combination rules. They are written so that each
// line reads as a sentence of police advice.
func (f facts) verdict() Verdict {
	pretext := f.authority || f.story || f.lure
	pressure := f.secrecy || f.threat || f.callback || f.stayOnLine || f.coverStory || f.noDialTone
	protective := f.reassured || f.discussed
	// warned: the caller both said what a genuine caller never asks and
	// warned about scams, as a bank checking on a large withdrawal does.
	warned := f.reassured && f.discussed
	switch {
	// "Don't worry about the dialling tone": the line was kept open, so
	// the call "back" to the bank or 161 reached the fraudster.
	case f.noDialTone:
		return Scam
	// Coaching a lie for the bank staff ("say it's for a new kitchen"),
	// with anything else alarming: no genuine caller does that.
	case f.coverStory && (f.secrecy || pretext || f.requests > 0 || f.stayOnLine):
		return Scam
	// A money or details request (none of the strong ones) from someone
	// who also said what a genuine caller never asks and warned about
	// scams, with no pressure at all: a genuine bank checking on a
	// withdrawal the person asked for. Only suspicious.
	case f.strongRequests == 0 && f.requests > 0 && warned && !pressure && !f.urgency:
		return Suspicious
	}
	switch {
	// Asking for a PIN, cash for a courier, vouchers, a "safe account"
	// transfer or remote access, with any pretext, pressure or a second
	// request: nobody genuine does this.
	case f.strongRequests > 0 && (pretext || pressure || f.urgency || f.requests > 1):
		return Scam
	// Any request for money or details from someone telling a story or
	// applying pressure, or for money or financial details from someone
	// claiming authority (a surgery asking a date of birth is not a scam).
	case f.requests > 0 && (f.story || f.lure || pressure):
		return Scam
	case f.requests > f.softRequests && f.authority:
		return Scam
	// "Hang up and ring 101 to check I'm real" from a claimed official.
	case f.callback && (pretext || f.requests > 0):
		return Scam
	// "Stay on the line" together with secrecy or a claim.
	case f.stayOnLine && (f.secrecy || pretext):
		return Scam
	// Threats of arrest, warrants or disconnection from a claimed official.
	case f.threat && pretext:
		return Scam
	// The robocall: a story or claim, then "press one to speak to an officer".
	case f.pressToConnect && f.authority && f.story && !f.reassured:
		return Scam
	case f.pressToConnect && f.story && f.threat:
		return Scam
	// A claimed official with a story who says not to tell anyone (the
	// bank, the family): the isolation step of impersonation fraud.
	case f.secrecy && f.authority && f.story && !protective:
		return Scam
	// "Microsoft calling: your computer has a virus." They never call.
	case f.techSupport && f.virus:
		return Scam
	// Guaranteed returns with a deadline, threats or "keep it to
	// yourself": the high-pressure investment pitch.
	case f.lure && (f.secrecy || f.threat || f.urgency) && !protective:
		return Scam
	}
	// Nothing alarming was asked for, and the caller reassured or was
	// talking about scams: an ordinary call.
	if (f.reassured || f.discussed) && f.requests == 0 && !pressure {
		return None
	}
	switch {
	case f.strongRequests > 0, f.requests > 0, pressure, f.lure,
		f.authority && f.story, f.pressToConnect && (f.authority || f.story):
		return Suspicious
	}
	return None
}

// infection reports evidence of a virus or hacking story, not just "a
// problem with your computer".
func infection(words string) bool {
	for _, w := range strings.Fields(words) {
		switch w {
		case "virus", "viruses", "infected", "malware", "hacked", "hacker", "hackers", "error", "errors", "compromised":
			return true
		}
	}
	return false
}

// score maps the summed tactic weights into the verdict's band, so the
// number and the verdict never disagree: none < 0.4 <= suspicious < 0.8
// <= scam.
func score(v Verdict, raw float64) float64 {
	s := 1 - math.Exp(-math.Max(raw, 0))
	var x float64
	switch v {
	case Scam:
		x = 0.8 + 0.19*s
	case Suspicious:
		x = 0.4 + 0.39*s
	default:
		x = 0.39 * s
	}
	return math.Round(x*100) / 100
}

func (c *Call) assess() {
	c.dirty = false
	f := c.facts()
	v := f.verdict()
	c.a.Verdict = v
	c.a.Score = score(v, f.raw)
	if v == Scam && c.a.FlaggedAtTurn == 0 {
		c.a.FlaggedAtTurn = c.turn
	}
	if v >= Suspicious && c.a.SuspiciousAtTurn == 0 {
		c.a.SuspiciousAtTurn = c.turn
	}
	c.a.Explanation, c.a.Warning, c.a.WarningPrompt = c.explain(v)
}

// explain writes the carer's explanation and the spoken warning.
func (c *Call) explain(v Verdict) (long, short, prompt string) {
	if v == None {
		return "", "", ""
	}
	var auth, story, req, press []string
	advice, prompt := "", ""
	// Advice comes from the most specific request or pressure heard, in
	// catalogue order.
	best := len(c.m.tactics)
	for _, e := range c.a.Tactics {
		i := e.ti
		t := &c.m.tactics[i]
		switch t.kind {
		case KindAuthority:
			auth = append(auth, t.says)
		case KindStory:
			story = append(story, t.says)
		case KindRequest:
			req = append(req, t.says)
		case KindPressure, KindLure:
			press = append(press, t.says)
		}
		if t.advice != "" && i < best {
			best, advice, prompt = i, t.advice, t.warning
		}
	}
	// "Real officials do not demand payment" does not fit a plea from a
	// "grandson" on a new phone: say the general rule instead.
	if advice == advicePay && c.familyOnly() {
		advice, prompt = "", ""
	}
	if advice == "" {
		advice, prompt = adviceGeneric, "generic"
	}
	var b strings.Builder
	if v == Suspicious {
		b.WriteString("This call may be a scam. ")
	}
	b.WriteString("The caller")
	var clauses []string
	if len(auth) > 0 {
		clauses = append(clauses, "said they were "+join(auth))
	}
	if len(story) > 0 {
		clauses = append(clauses, "told you "+join(story))
	}
	if len(req) > 0 {
		clauses = append(clauses, "asked you to "+join(req))
	}
	if len(clauses) == 0 && len(press) > 0 {
		clauses = append(clauses, join(press))
		press = nil
	}
	b.WriteString(" " + join(clauses) + ".")
	if len(press) > 0 {
		b.WriteString(" They also " + join(press) + ".")
	}
	b.WriteString(" " + advice)
	long = b.String()
	if v == Scam {
		short = scamWarning(advice)
	} else {
		short = "Please be careful with this caller. " + advice
	}
	return long, short, prompt
}

// familyOnly reports a call whose pretext is a relative (or friend) in
// trouble, with no official claimed and no threat made.
func (c *Call) familyOnly() bool {
	family := false
	for _, e := range c.a.Tactics {
		switch t := &c.m.tactics[e.ti]; {
		case t.id == "authority:family", t.id == "story:family-emergency", t.id == "story:new-number":
			family = true
		case t.kind == KindAuthority, t.id == "pressure:threat":
			return false
		}
	}
	return family
}

// join lists phrases in English: "a", "a and b", "a, b and c".
func join(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// Warning is one of the spoken in-call warnings.
type Warning struct {
	Prompt string // key, e.g. "cash"; the recording is prompts "warning-<key>"
	Text   string
}

// Warnings lists every warning the detector can ask to be played, so the
// recordings can be made (scripts/make-prompts.sh) and checked.
func Warnings() []Warning {
	seen := map[string]bool{}
	out := []Warning{}
	add := func(key, advice string) {
		if key != "" && !seen[key] {
			seen[key] = true
			out = append(out, Warning{Prompt: key, Text: scamWarning(advice)})
		}
	}
	for _, t := range catalogue {
		add(t.warning, t.advice)
	}
	add("generic", adviceGeneric)
	return out
}

func scamWarning(advice string) string {
	return "This call may be a scam. " + advice + " You can hang up now."
}
