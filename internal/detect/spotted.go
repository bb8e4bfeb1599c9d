package detect

import "strings"

// spotTactics says which tactic a keyword-spotter phrase is evidence of by
// itself. A spotter reports the phrases it listens for and nothing around
// them, so "courier", "keypad" or "gift cards" arrive without the words the
// transcript patterns need ("send a courier to collect it", "type your PIN
// on the keypad"). The speech recogniser's phrase list
// (asr.DefaultTacticPhrases) is chosen so that each phrase stands for one
// tactic; this table is the detector's side of that agreement, and a test
// in internal/guard checks the two lists agree.
//
// Phrases that name context rather than a tactic ("bank account", "bank
// card", "debit card"), a verb that needs its object ("withdraw": a
// complaint can be withdrawn) and the spotter's most frequent false alarm,
// "nine nine nine" alone, are deliberately absent: they only count
// through the transcript patterns over the spot window.
var spotTactics = map[string]string{
	"detective":            "authority:police",
	"detective inspector":  "authority:police",
	"detective sergeant":   "authority:police",
	"police officer":       "authority:police",
	"police constable":     "authority:police",
	"metropolitan police":  "authority:police",
	"scotland yard":        "authority:police",
	"from the police":      "authority:police",
	"police investigation": "authority:police",
	"investigating fraud":  "authority:police",
	"fraud team":           "authority:bank",
	"fraud department":     "authority:bank",
	"security department":  "authority:bank",
	"h m r c":              "authority:tax",
	"revenue and customs":  "authority:tax",
	"tax office":           "authority:tax",
	"magistrates court":    "authority:court",
	"enforcement officer":  "authority:court",

	"suspicious activity": "story:account-compromised",
	"been cloned":         "story:account-compromised",
	"compromised":         "story:account-compromised",
	"counterfeit":         "story:account-compromised",
	"stopped a payment":   "story:account-compromised",
	"arrested":            "story:arrest",
	"your computer":       "story:virus",
	"hackers":             "story:virus",

	"withdraw cash":            "request:withdraw-cash",
	"taking out cash":          "request:withdraw-cash",
	"take out cash":            "request:withdraw-cash",
	"safe account":             "request:safe-account",
	"transfer your savings":    "request:safe-account",
	"move your money":          "request:safe-account",
	"into a temporary account": "request:safe-account",
	"gift cards":               "request:vouchers",
	"buy gift cards":           "request:vouchers",
	"vouchers":                 "request:vouchers",
	"itunes cards":             "request:vouchers",
	"itunes gift cards":        "request:vouchers",
	"itunes vouchers":          "request:vouchers",
	"google play card":         "request:vouchers",
	"google play vouchers":     "request:vouchers",
	"gold bars":                "request:valuables",
	"courier":                  "request:courier",
	"a courier":                "request:courier",
	"send a courier":           "request:courier",
	"collect the cash":         "request:courier",
	"pin number":               "request:pin",
	"confirm your pin":         "request:pin",
	"four digit pin":           "request:pin",
	"keypad":                   "request:keypad",
	"card number":              "request:card-details",
	"security code":            "request:card-details",
	"remote access":            "request:remote-access",
	"download":                 "request:remote-access",
	"download the software":    "request:remote-access",
	"download any desk":        "request:remote-access",
	"install any desk":         "request:remote-access",
	"team viewer":              "request:remote-access",

	"don't tell":        "pressure:secrecy",
	"do not tell":       "pressure:secrecy",
	"tell anyone":       "pressure:secrecy",
	"don't tell anyone": "pressure:secrecy",
	"confidential":      "pressure:secrecy",
	"cannot be trusted": "pressure:secrecy",
	"be arrested":       "pressure:threat",
	"warrant":           "pressure:threat",
	"bailiffs":          "pressure:threat",
	"taken to court":    "pressure:threat",
	"urgent":            "pressure:urgency",
	"hang up and call":  "pressure:call-back-trick",
	"wait on the line":  "pressure:stay-on-line",
}

// SpotTactic returns the tactic a spotted phrase stands for by itself, and
// false for a phrase that only counts in context.
func SpotTactic(phrase string) (string, bool) {
	id, ok := spotTactics[strings.ToLower(strings.TrimSpace(phrase))]
	return id, ok
}

// spotIndex maps spotTactics to catalogue indexes.
func (m *Model) spotIndex() (map[string]int, error) {
	byID := make(map[string]int, len(m.tactics))
	for i, t := range m.tactics {
		byID[t.id] = i
	}
	out := make(map[string]int, len(spotTactics))
	for phrase, id := range spotTactics {
		ti, ok := byID[id]
		if !ok {
			return nil, &unknownTacticError{phrase: phrase, id: id}
		}
		out[phrase] = ti
	}
	return out, nil
}

type unknownTacticError struct{ phrase, id string }

func (e *unknownTacticError) Error() string {
	return "spotted phrase " + e.phrase + ": no tactic " + e.id + " in the catalogue"
}

// noteSpotted records the tactic a spotted phrase stands for, with the
// phrase as its evidence. The spotter may report a phrase and a longer one
// containing it over the same audio ("arrested" inside "be arrested"): one
// stretch of speech is one piece of evidence, so a phrase overlapping an
// earlier spot in time, where either contains the other, adds nothing.
func (c *Call) noteSpotted(s Segment) {
	text := strings.ToLower(strings.TrimSpace(s.Text))
	ti, ok := c.m.spot[text]
	if !ok || c.seen[ti] != 0 {
		return
	}
	for _, p := range c.spots {
		if p == s {
			continue
		}
		other := strings.ToLower(strings.TrimSpace(p.Text))
		overlap := p.Start < s.End && s.Start < p.End
		if overlap && (strings.Contains(other, text) || strings.Contains(text, other)) {
			return
		}
	}
	t := &c.m.tactics[ti]
	c.a.Tactics = append(c.a.Tactics, Evidence{Tactic: t.id, Kind: t.kind, Turn: c.turn, Words: s.Text, At: s.Start, ti: ti})
	c.seen[ti] = len(c.a.Tactics)
	c.dirty = true
}
