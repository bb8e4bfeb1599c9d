package guard

import (
	"testing"

	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/asr/sphinx"
	"github.com/clearline/clearline/internal/detect"
)

// TestSpotterAndDetectorAgree: every phrase the embedded recogniser listens
// for is either evidence of a tactic in the detector by itself, or on the
// short list of phrases that only count in context. A phrase added to one
// side only would be heard and then ignored (as 41 of 61 once were).
func TestSpotterAndDetectorAgree(t *testing.T) {
	contextOnly := map[string]bool{"bank account": true, "bank card": true, "debit card": true, "nine nine nine": true, "withdraw": true}
	// The recogniser's tactic groups and the detector tactics they may map to.
	groups := map[string][]string{
		asr.TacticAuthority: {"authority:"},
		asr.TacticAccount:   {"story:"},
		asr.TacticMoney:     {"request:withdraw-cash", "request:safe-account"},
		asr.TacticVouchers:  {"request:vouchers", "request:valuables"},
		asr.TacticCourier:   {"request:courier"},
		asr.TacticCard:      {"request:pin", "request:keypad", "request:card-details"},
		asr.TacticSecrecy:   {"pressure:secrecy"},
		asr.TacticThreat:    {"pressure:threat", "pressure:urgency", "story:arrest"},
		asr.TacticCallBack:  {"pressure:call-back-trick", "pressure:stay-on-line"},
		asr.TacticRemote:    {"request:remote-access", "story:virus"},
	}
	for _, p := range asr.DefaultTacticPhrases() {
		phrase := sphinx.BasePhrase(p.Phrase) // what the recogniser reports
		id, ok := detect.SpotTactic(phrase)
		switch {
		case contextOnly[phrase]:
			if ok {
				t.Errorf("%q is meant to count only in context, but the detector maps it to %s", phrase, id)
			}
		case !ok:
			t.Errorf("the recogniser spots %q (%s) but the detector has no tactic for it", phrase, p.Tactic)
		default:
			match := false
			for _, prefix := range groups[p.Tactic] {
				match = match || id == prefix || (prefix[len(prefix)-1] == ':' && len(id) > len(prefix) && id[:len(prefix)] == prefix)
			}
			if !match {
				t.Errorf("%q is %s evidence to the recogniser but %s to the detector", phrase, p.Tactic, id)
			}
		}
	}
}
