package asr

import "github.com/clearline/clearline/internal/asr/sphinx"

// Tactic names used to group the default keyphrases. They mirror the
// tactics the detector explains; the recogniser itself reports phrases,
// never tactics.
const (
	TacticAuthority = "authority" // police, bank or fraud-team impersonation
	TacticAccount   = "account"   // account-compromise story
	TacticMoney     = "money"     // withdraw or move money
	TacticVouchers  = "vouchers"  // gift cards, vouchers, gold
	TacticCourier   = "courier"   // cash or card handed to a courier
	TacticCard      = "card"      // card, PIN and code requests
	TacticSecrecy   = "secrecy"   // don't tell anyone
	TacticThreat    = "threat"    // arrest, urgency
	TacticCallBack  = "callback"  // "hang up and call 999"
	TacticRemote    = "remote"    // remote-access software
)

// TacticPhrase is a keyphrase with the tactic it is evidence of.
type TacticPhrase struct {
	sphinx.Keyphrase
	Tactic string
}

// DefaultTacticPhrases returns the phrases scam scripts depend on, several
// phrasings per tactic, with thresholds tuned on flite speech passed
// through 8 kHz µ-law (see README.md for the measurement). Each call
// returns a new slice.
func DefaultTacticPhrases() []TacticPhrase {
	p := func(tactic, phrase string, threshold float64) TacticPhrase {
		return TacticPhrase{Keyphrase: sphinx.Keyphrase{Phrase: phrase, Threshold: threshold}, Tactic: tactic}
	}
	return []TacticPhrase{
		p(TacticAuthority, "detective", 1e15),
		p(TacticAuthority, "detective inspector", 1e-25),
		p(TacticAuthority, "detective sergeant", 1e-25),
		p(TacticAuthority, "police officer", 1e-25),
		p(TacticAuthority, "police constable", 1e-25),
		p(TacticAuthority, "metropolitan police", 1e-25),
		p(TacticAuthority, "scotland yard", 1e-25),
		p(TacticAuthority, "from the police", 1e-25),
		p(TacticAuthority, "fraud team", 1e-8),
		p(TacticAuthority, "fraud department", 1e-25),
		p(TacticAuthority, "security department", 1e-25),
		p(TacticAuthority, "police investigation", 1e-25),
		p(TacticAuthority, "investigating fraud", 1e-25),
		p(TacticAuthority, "h m r c", 1e-25),
		p(TacticAuthority, "revenue and customs", 1e-25),
		p(TacticAuthority, "tax office", 1e-6),
		p(TacticAuthority, "magistrates court", 1e-25),
		p(TacticAuthority, "enforcement officer", 1e2),
		p(TacticAccount, "suspicious activity", 1e-25),
		p(TacticAccount, "been cloned", 1e0),
		p(TacticAccount, "compromised", 1e-25),
		p(TacticAccount, "counterfeit", 1e-8),
		p(TacticAccount, "bank account", 1e-15),
		p(TacticAccount, "stopped a payment", 1e-25),
		p(TacticMoney, "withdraw cash", 1e-20),
		p(TacticMoney, "withdraw", 1e15),
		p(TacticMoney, "taking out cash", 1e-25),
		p(TacticMoney, "take out cash", 1e-25),
		p(TacticMoney, "safe account", 1e-4),
		p(TacticMoney, "transfer your savings", 1e-25),
		p(TacticMoney, "move your money", 1e-25),
		p(TacticMoney, "into a temporary account", 1e-25),
		p(TacticVouchers, "gift cards", 1e17),
		p(TacticVouchers, "buy gift cards", 1e-25),
		p(TacticVouchers, "vouchers", 1e14),
		p(TacticVouchers, "gold bars", 1e14),
		p(TacticVouchers, "itunes cards", 1e-25),
		p(TacticVouchers, "itunes gift cards", 1e-25),
		p(TacticVouchers, "itunes vouchers", 1e-24),
		p(TacticVouchers, "google play card", 1e-25),
		p(TacticVouchers, "google play vouchers", 1e-25),
		p(TacticCourier, "courier", 1e10),
		p(TacticCourier, "courier(2)", 1e6),
		p(TacticCourier, "a courier", 1e6),
		p(TacticCourier, "send a courier", 1e-14),
		p(TacticCourier, "collect the cash", 1e1),
		p(TacticCard, "pin number", 1e13),
		p(TacticCard, "confirm your pin", 1e-25),
		p(TacticCard, "four digit pin", 1e-23),
		p(TacticCard, "bank card", 1e0),
		p(TacticCard, "debit card", 1e11),
		p(TacticCard, "card number", 1e14),
		p(TacticCard, "security code", 1e-25),
		p(TacticCard, "keypad", 1e13),
		p(TacticSecrecy, "don't tell", 1e11),
		p(TacticSecrecy, "do not tell", 1e-8),
		p(TacticSecrecy, "tell anyone", 1e-25),
		p(TacticSecrecy, "don't tell anyone", 1e-25),
		p(TacticSecrecy, "confidential", 1e-9),
		p(TacticSecrecy, "cannot be trusted", 1e-25),
		p(TacticThreat, "arrested", 1e-5),
		p(TacticThreat, "be arrested", 1e-25),
		p(TacticThreat, "warrant", 1e2),
		p(TacticThreat, "urgent", 1e11),
		p(TacticThreat, "bailiffs", 1e-1),
		p(TacticThreat, "taken to court", 1e-25),
		p(TacticCallBack, "hang up and call", 1e-25),
		p(TacticCallBack, "nine nine nine", 1e-19),
		p(TacticCallBack, "wait on the line", 1e-25),
		p(TacticRemote, "remote access", 1e-25),
		p(TacticRemote, "your computer", 1e-16),
		p(TacticRemote, "download", 1e5),
		p(TacticRemote, "download the software", 1e-25),
		p(TacticRemote, "hackers", 1e4),
		p(TacticRemote, "download any desk", 1e-25),
		p(TacticRemote, "install any desk", 1e-25),
		p(TacticRemote, "team viewer", 1e7),
	}
}

// DefaultKeyphrases returns the keyphrases of DefaultTacticPhrases.
func DefaultKeyphrases() []sphinx.Keyphrase {
	tp := DefaultTacticPhrases()
	out := make([]sphinx.Keyphrase, len(tp))
	for i, p := range tp {
		out[i] = p.Keyphrase
	}
	return out
}

// DefaultExtraDict returns dictionary entries the default keyphrases use
// beyond CMUdict: British pronunciations of words CMUdict spells the
// American way.
func DefaultExtraDict() []string {
	return []string{
		"courier(2) K UH R IY ER",
	}
}

// TelephoneCMN returns the initial cepstral-mean estimate for telephone
// audio upsampled to 16 kHz: the mean over four flite voices of the
// estimate pocketsphinx reaches on "The North Wind and the Sun" through a
// 300-3400 Hz, G.711 µ-law channel (printed by the Measure test). The
// en-us model's own estimate is for wideband microphone speech; starting
// a call from it, pocketsphinx spots nothing until the end of the first
// utterance has adapted it.
func TelephoneCMN() []float64 {
	return []float64{41.96, 31.80, -37.39, 39.18, -22.68, -20.22, 9.86, -40.29, -9.07, -11.84, -16.65, 3.84, -13.34}
}
