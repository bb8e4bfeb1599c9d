package listen

// A what-if for the report, not shipped behaviour: the detector turns a
// spotted phrase into a tactic only when its text happens to match one of
// the detector's transcript patterns, and most of the recogniser's
// phrases do not (alone, "courier", "fraud team", "keypad", "warrant",
// "gift cards" give nothing). Here each spotted phrase is replaced by a
// canonical phrase for the tactic its group in asr.DefaultTacticPhrases
// stands for, so the same recognised audio shows what a phrase-to-tactic
// table in the detector would buy. Phrases that name context rather than
// a tactic ("bank card", "bank account") and "nine nine nine" alone (the
// spotter's most frequent false alarm) are left out.

import (
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/detect"
)

// canonical phrases, each matched by the detector as the tactic named.
var canonical = map[string]string{
	"police":   "from the police",                 // authority:police
	"bank":     "your bank fraud team",            // authority:bank
	"account":  "suspicious activity",             // story:account-compromised
	"cash":     "withdraw cash",                   // request:withdraw-cash
	"safe":     "safe account",                    // request:safe-account
	"vouchers": "buy gift cards",                  // request:vouchers
	"gold":     "buy gold bars",                   // request:valuables
	"courier":  "collect the cash",                // request:courier
	"pin":      "confirm your pin",                // request:pin
	"card":     "read out your card number",       // request:card-details
	"secrecy":  "don't tell anyone",               // pressure:secrecy
	"arrest":   "have arrested",                   // story:arrest
	"threat":   "or you will be arrested",         // pressure:threat
	"urgent":   "urgent",                          // pressure:urgency
	"callback": "hang up and call nine nine nine", // pressure:call-back-trick
	"stay":     "stay on the line",                // pressure:stay-on-line
	"remote":   "remote access",                   // request:remote-access
	"virus":    "your computer has a virus",       // story:virus
}

var canonicalTactic = map[string]string{
	"police": "authority:police", "bank": "authority:bank", "account": "story:account-compromised", "cash": "request:withdraw-cash",
	"safe": "request:safe-account", "vouchers": "request:vouchers", "gold": "request:valuables", "courier": "request:courier",
	"pin": "request:pin", "card": "request:card-details", "secrecy": "pressure:secrecy", "arrest": "story:arrest",
	"threat": "pressure:threat", "urgent": "pressure:urgency", "callback": "pressure:call-back-trick", "stay": "pressure:stay-on-line",
	"remote": "request:remote-access", "virus": "story:virus",
}

// phraseKey maps each default keyphrase (text) to a canonical key.
var phraseKey = map[string]string{
	"detective": "police", "detective inspector": "police", "detective sergeant": "police", "police officer": "police",
	"police constable": "police", "metropolitan police": "police", "scotland yard": "police", "from the police": "police",
	"police investigation": "police", "investigating fraud": "police",
	"fraud team": "bank", "fraud department": "bank", "security department": "bank",
	"suspicious activity": "account", "been cloned": "account", "compromised": "account", "counterfeit": "account", "stopped a payment": "account",
	"withdraw cash": "cash", "withdraw": "cash", "taking out cash": "cash", "take out cash": "cash",
	"safe account": "safe", "transfer your savings": "safe", "move your money": "safe",
	"gift cards": "vouchers", "buy gift cards": "vouchers", "vouchers": "vouchers", "gold bars": "gold",
	"courier": "courier", "a courier": "courier", "send a courier": "courier", "collect the cash": "courier",
	"pin number": "pin", "confirm your pin": "pin", "four digit pin": "pin", "keypad": "pin",
	"card number": "card", "security code": "card",
	"don't tell": "secrecy", "do not tell": "secrecy", "tell anyone": "secrecy", "don't tell anyone": "secrecy", "confidential": "secrecy", "cannot be trusted": "secrecy",
	"arrested": "arrest", "be arrested": "threat", "warrant": "threat", "urgent": "urgent",
	"hang up and call": "callback", "wait on the line": "stay",
	"remote access": "remote", "download": "remote", "download the software": "remote",
	"your computer": "virus", "hackers": "virus",
}

// checkCanonical logs canonical phrases the detector (as it is in this
// checkout) does not read as their tactic.
func checkCanonical(t *testing.T) {
	for k, text := range canonical {
		a := detect.Default().NewCall().Feed(detect.Segment{Speaker: detect.Caller, Text: text, Spotted: true})
		ok := false
		for _, e := range a.Tactics {
			ok = ok || e.Tactic == canonicalTactic[k]
		}
		if !ok {
			t.Logf("what-if: canonical %q for %s gives %+v", text, canonicalTactic[k], a.Tactics)
		}
	}
}

// whatIf feeds a call's spotted phrases, mapped to canonical phrases, to a
// fresh detector and returns its verdict and the audio time at which the
// phrase that made it a scam ended (-1 when it never did).
func whatIf(segs []detect.Segment) (string, time.Duration) {
	c := detect.Default().NewCall()
	a := c.Assessment()
	at := time.Duration(-1)
	for _, s := range segs {
		k := phraseKey[strings.TrimSuffix(s.Text, "(2)")]
		if k == "" {
			continue
		}
		s.Text = canonical[k]
		a = c.Feed(s)
		if a.Verdict == detect.Scam && at < 0 {
			at = s.End
		}
	}
	return a.Verdict.String(), at
}
