package detect

import (
	"strings"
	"testing"
	"time"
)

func feedAll(m *Model, turns ...string) Assessment {
	c := m.NewCall()
	var a Assessment
	for _, t := range turns {
		sp := Caller
		if strings.HasPrefix(t, "callee:") {
			sp, t = Callee, strings.TrimPrefix(t, "callee:")
		}
		a = c.Feed(Segment{Speaker: sp, Text: t})
	}
	return a
}

func has(a Assessment, id string) bool {
	for _, e := range a.Tactics {
		if e.Tactic == id {
			return true
		}
	}
	return false
}

func TestCatalogueCompiles(t *testing.T) {
	m, err := NewModel()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, tc := range m.tactics {
		if ids[tc.id] {
			t.Errorf("tactic %s listed twice", tc.id)
		}
		ids[tc.id] = true
		if tc.kind == KindRequest && (tc.says == "" || tc.advice == "" || tc.warning == "") {
			t.Errorf("request %s lacks says/advice/warning", tc.id)
		}
	}
}

// TestCombinations covers the combination logic the issue names: an
// authority claim plus a request is a scam; the same words in ordinary
// life are not.
func TestCombinations(t *testing.T) {
	m := Default()
	tests := []struct {
		name    string
		turns   []string
		want    Verdict
		tactics []string
	}{
		{"police and cash for courier", []string{
			"Hello, this is Detective Sergeant Morgan from the Metropolitan Police.",
			"callee:Oh dear, what's happened?",
			"We need you to withdraw four thousand pounds and an officer will collect it from your house tonight.",
		}, Scam, []string{"authority:police", "request:withdraw-cash", "request:courier"}},
		{"friend withdrawing cash for a coach trip", []string{
			"Hi Jean, it's Margaret. I'm going to withdraw some cash tomorrow for the coach trip to Bath, do you want me to get yours too? You can pay me back on the bus.",
		}, None, nil},
		{"daughter warning about police scams", []string{
			"Mum, remember the police would never ask you to withdraw cash or hand your card to a courier. If anyone rings saying that, put the phone down and call me.",
		}, None, nil},
		{"genuine bank message", []string{
			"This is a message from your bank about a payment on your card. If you don't recognise it, call the number on the back of your card. We will never ask for your PIN.",
		}, None, nil},
		{"recogniser style: split and misheard words", []string{
			"this is the police we have arrested a man using you re card you need to with draw the money and give it to the career when he arrives",
		}, Scam, []string{"authority:police", "request:withdraw-cash", "request:courier"}},
		{"numbers spoken as words in the call-back trick", []string{
			"if you doubt i am a real officer put the phone down and dial nine nine nine they will confirm who i am",
		}, Scam, []string{"pressure:call-back-trick"}},
		{"PIN on the keypad", []string{
			"This is your bank's security team. Please key your PIN into your telephone keypad now to confirm it's you.",
		}, Scam, []string{"request:keypad"}},
		{"one-time code", []string{
			"Hi, it's the fraud department at Barclays, we've stopped a suspicious payment.",
			"You'll get a text with a six digit code, just read it back to me.",
		}, Scam, []string{"request:one-time-code"}},
		{"vouchers for tax", []string{
			"hmrc here you owe unpaid tax and officers will arrest you today unless you pay with google play cards",
		}, Scam, []string{"authority:tax", "request:vouchers"}},
		{"safe account", []string{
			"I'm calling from Santander fraud prevention, your account is compromised. Transfer your savings into the safe account we have set up.",
		}, Scam, []string{"request:safe-account"}},
		{"remote access", []string{
			"I'm from BT broadband, your router has been hacked. Please download AnyDesk so I can fix it.",
		}, Scam, []string{"request:remote-access"}},
		{"stay on the line with a cover story", []string{
			"Don't hang up, stay on the line while you go to the bank, and if the cashier asks, say it's for a new car.",
		}, Scam, []string{"pressure:stay-on-line", "pressure:secrecy"}},
		{"guaranteed return investment", []string{
			"Our bitcoin fund offers a guaranteed twenty percent return. I just need your card number to make the initial deposit.",
		}, Scam, []string{"lure:guaranteed-return"}},
		{"request alone is only suspicious", []string{
			"Can you buy an iTunes voucher for me?",
		}, Suspicious, []string{"request:vouchers"}},
		{"genuine police follow-up", []string{
			"Hello, it's PC Amin from St Albans police about the burglary you reported. Could I come round on Thursday to take a statement?",
		}, None, []string{"authority:police"}},
		{"news about a courier scam", []string{
			"Did you see on the news a man in Luton lost his savings to fake police officers who sent a courier to collect his cash?",
		}, None, nil},
		// Tactics added for unseen scripts.
		{"ignore the app's warning", []string{
			"It's the account protection team at your bank. We have to move your money somewhere the criminals can't reach.",
			"If the app says the name doesn't match, ignore that warning and tap continue.",
		}, Scam, []string{"request:safe-account", "request:ignore-warning"}},
		{"call 161 and don't worry about the dialling tone", []string{
			"if you dont trust me hang up and ring one six one",
			"dont worry about the dialling tone just dial and youll get through",
		}, Scam, []string{"pressure:no-dial-tone"}},
		{"cover story for the cashier", []string{
			"The cashier may ask you why you want the money. Just say it's for a new car, they're part of the investigation.",
		}, Scam, []string{"pressure:cover-story"}},
		{"card and PIN in an envelope, misheard", []string{
			"its inspector wade your card has been cloned",
			"put the card and a note of your pin num bar in an envelope a career will come by to take it",
		}, Scam, []string{"request:hand-over-card"}},
		{"foreign currency for an officer", []string{
			"Detective Sergeant Cole here. We need you to order three thousand euros at the post office; one of our plain clothes officers will collect it from you.",
		}, Scam, []string{"request:withdraw-cash", "request:courier"}},
		{"relative on a new phone asks for money", []string{
			"Hi Mum, I've broken my phone, I'm on a friend's one.",
			"Can you send eight hundred pounds to this account? I'll explain later.",
		}, Scam, []string{"story:new-number", "request:payment"}},
		{"advance fee for a prize", []string{
			"Congratulations, you have won a holiday. There is a processing fee of two hundred pounds, payable in Google Play cards.",
		}, Scam, []string{"request:vouchers"}},
		{"tech support and a virus", []string{
			"Hello, I'm calling from Windows technical support, your computer is infected with a virus.",
		}, Scam, []string{"authority:tech-support", "story:virus"}},
		{"denial covers the whole clause", []string{
			"Hello, it's Sarah from Starling. We will never ask you to move money to another account or read out a one-time passcode.",
		}, None, nil},
		{"conditional is not a denial", []string{
			"This is an automated call from your bank. A payment of nine hundred pounds has been authorised. If you did not make this payment press one now to speak to an adviser.",
		}, Scam, []string{"pressure:press-to-connect"}},
		{"branch checking on a withdrawal", []string{
			"Hello, it's Nadia from the Barclays branch. You were in earlier asking to take out eight thousand pounds.",
			"If anyone says they're the police and wants your cash, that's a scam. Would you like to come in and talk it through?",
		}, None, nil},
		{"grandson borrowing for a school trip", []string{
			"Gran, can I borrow twenty pounds for the school trip? I'll pop round after school to get it.",
		}, Suspicious, nil},
		{"call-back advice with another phone", []string{
			"There are people phoning round here pretending to be police. If you get one, hang up and call one oh one from a different phone.",
		}, None, nil},
		{"callee words are not evidence", []string{
			"Hello, it's the surgery.",
			"callee:Is this about the police asking me to withdraw cash for a courier?",
		}, None, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := feedAll(m, tc.turns...)
			if a.Verdict != tc.want {
				t.Errorf("verdict %v (score %.2f, tactics %+v), want %v", a.Verdict, a.Score, a.Tactics, tc.want)
			}
			for _, id := range tc.tactics {
				if !has(a, id) {
					t.Errorf("tactic %s not heard; got %+v", id, a.Tactics)
				}
			}
			if (a.Verdict == None) != (a.Explanation == "") {
				t.Errorf("explanation %q with verdict %v", a.Explanation, a.Verdict)
			}
			if a.Verdict == None && a.Score >= 0.4 || a.Verdict == Scam && a.Score < 0.8 {
				t.Errorf("score %.2f out of band for %v", a.Score, a.Verdict)
			}
		})
	}
}

// TestFlaggedAtRequest checks the verdict arrives with the first request,
// not before (no request, no scam) and not after.
func TestFlaggedAtRequest(t *testing.T) {
	c := Default().NewCall()
	turns := []string{
		"Good afternoon, this is Detective Constable Price of the economic crime unit.",
		"We have arrested two people at your bank branch who were stealing from customers.",
		"I need you to go to the branch and draw out five thousand pounds in cash.",
	}
	for i, text := range turns {
		a := c.Feed(Segment{Speaker: Caller, Text: text})
		if i < 2 && a.Verdict == Scam {
			t.Fatalf("scam at turn %d before any request", i+1)
		}
		if i == 2 && (a.Verdict != Scam || a.FlaggedAtTurn != 3) {
			t.Fatalf("turn 3: verdict %v flagged at %d, want scam at 3", a.Verdict, a.FlaggedAtTurn)
		}
	}
}

func TestExplanation(t *testing.T) {
	a := feedAll(Default(),
		"This is PC Wright from the Met. I need you to withdraw cash today; a courier will collect it from your home.")
	want := []string{"police officer", "withdraw cash", "courier", "The police and your bank will never ask you to withdraw cash"}
	for _, w := range want {
		if !strings.Contains(a.Explanation, w) {
			t.Errorf("explanation %q lacks %q", a.Explanation, w)
		}
	}
	if !strings.HasPrefix(a.Warning, "This call may be a scam.") || !strings.HasSuffix(a.Warning, "You can hang up now.") || a.WarningPrompt != "cash" {
		t.Errorf("warning %q prompt %q", a.Warning, a.WarningPrompt)
	}
}

func TestTokenizer(t *testing.T) {
	m := Default()
	tk := tokenizer{lex: m.lex}
	tests := []struct{ in, want string }{
		{"Don't hang UP!", "dont hang up"},
		{"with draw the cash", "withdraw the cash"},
		{"dial one zero one now", "dial 101 now"},
		{"call nine nine nine", "call 999"},
		{"h m r c", "hmrc"},
		{"the career will come", "the courier will come"},
		{"one of our officers", "one of our officers"},
		{"café naïve", "café naïve"},
		{"your pin num bar", "your pin"},
		{"the courrier and the sergant", "the courier and the sergeant"},
		{"an unautorised transaction", "an unauthorised transaction"},
		{"withdraw £3,000", "withdraw 3 000"},
		{"don't worry about the dial tone", "dont worry about the dialling tone"},
		{"", ""},
	}
	for _, tc := range tests {
		var ws []string
		for _, tok := range tk.tokenize(tc.in) {
			ws = append(ws, tok.word)
		}
		if got := strings.Join(ws, " "); got != tc.want {
			t.Errorf("tokenize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Fuzzy matching is for the listed words only: "defective" is not
	// "detective", "billion" not "bullion", "warranty" not "warrant".
	for _, w := range []string{"defective", "billion", "warranty", "polite"} {
		if fw, id := m.lex.fuzzy(w, nil); id != 0 {
			t.Errorf("fuzzy(%q) = %q", w, fw)
		}
	}
	if m.lex.lookup("collected") != m.lex.lookup("collect") || m.lex.lookup("collect") == 0 {
		t.Error("collected does not fold to collect")
	}
}

func FuzzFeed(f *testing.F) {
	f.Add("This is the police, withdraw cash for the courier", true)
	f.Add("one two three four five six seven eight nine zero", false)
	f.Add("\xff\xfe h m r c ' ' .. ... |", true)
	f.Fuzz(func(t *testing.T, text string, caller bool) {
		c := Default().NewCall()
		sp := Callee
		if caller {
			sp = Caller
		}
		for i := 0; i < 2; i++ {
			a := c.Feed(Segment{Speaker: sp, Text: text})
			if a.Score < 0 || a.Score > 1 {
				t.Fatalf("score %v", a.Score)
			}
			if a.Verdict > Scam {
				t.Fatalf("verdict %v", a.Verdict)
			}
		}
	})
}

// BenchmarkFeed measures transcript turns analysed per second on one core,
// over the development set's turns.
func BenchmarkFeed(b *testing.B) {
	turns := devTurns(b)
	m := Default()
	b.ReportAllocs()
	b.ResetTimer()
	c := m.NewCall()
	n := 0
	for i := 0; i < b.N; i++ {
		if n%8 == 0 {
			c = m.NewCall()
		}
		c.Feed(turns[i%len(turns)])
		n++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

// TestSpottedPhrases: keyword-spotter output (one phrase per segment, no
// surrounding words) still adds up to a scam across phrases.
func TestSpottedPhrases(t *testing.T) {
	c := Default().NewCall()
	var a Assessment
	for i, p := range []string{"detective sergeant", "been cloned", "withdraw cash", "courier"} {
		a = c.Feed(Segment{Speaker: Caller, Text: p, Spotted: true, Start: time.Duration(i) * 3 * time.Second})
	}
	if a.Verdict != Scam || !has(a, "request:withdraw-cash") || !has(a, "authority:police") {
		t.Fatalf("spotted phrases: %v %+v", a.Verdict, a.Tactics)
	}
	// Phrases far apart in time do not combine.
	c = Default().NewCall()
	c.Feed(Segment{Speaker: Caller, Text: "withdraw", Spotted: true, Start: 0})
	a = c.Feed(Segment{Speaker: Caller, Text: "cash", Spotted: true, Start: time.Minute})
	if has(a, "request:withdraw-cash") {
		t.Fatalf("phrases a minute apart combined: %+v", a.Tactics)
	}
}

// TestSpottedPhraseTactics: a phrase the keyword spotter reports stands for
// its tactic by itself, and spotted phrases combine into a verdict the way
// transcript turns do.
func TestSpottedPhraseTactics(t *testing.T) {
	cases := []struct {
		name    string
		phrases []string
		verdict Verdict
		tactics []string
	}{
		{"police and courier", []string{"from the police", "send a courier"}, Scam, []string{"authority:police", "request:courier"}},
		{"bank fraud team and keypad", []string{"fraud team", "keypad"}, Scam, []string{"authority:bank", "request:keypad"}},
		{"gift cards after a threat", []string{"be arrested", "gift cards"}, Scam, []string{"pressure:threat", "request:vouchers"}},
		{"a courier alone is no scam", []string{"courier"}, None, []string{"request:courier"}},
		{"hmrc and itunes cards", []string{"h m r c", "itunes cards"}, Scam, []string{"authority:tax", "request:vouchers"}},
		{"tax office and google play vouchers", []string{"tax office", "google play vouchers"}, Scam, []string{"authority:tax", "request:vouchers"}},
		{"revenue and customs and a court threat", []string{"revenue and customs", "taken to court"}, Suspicious, []string{"authority:tax", "pressure:threat"}},
		{"court enforcement and bailiffs", []string{"enforcement officer", "magistrates court", "bailiffs"}, Suspicious, []string{"authority:court", "pressure:threat"}},
		{"bank and a temporary account", []string{"fraud team", "into a temporary account"}, Scam, []string{"authority:bank", "request:safe-account"}},
		{"hackers and anydesk", []string{"hackers", "download any desk"}, Scam, []string{"story:virus", "request:remote-access"}},
		{"computer and teamviewer", []string{"your computer", "team viewer"}, Scam, []string{"story:virus", "request:remote-access"}},
		{"context phrases alone say nothing", []string{"bank account", "debit card"}, None, nil},
		{"nine nine nine alone is no call-back trick", []string{"nine nine nine"}, None, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default().NewCall()
			var a Assessment
			for i, p := range tc.phrases {
				a = c.Feed(Segment{Speaker: Caller, Text: p, Spotted: true, Start: time.Duration(i) * 2 * time.Second})
			}
			if a.Verdict < tc.verdict || (tc.verdict == None && a.Verdict == Scam) {
				t.Fatalf("verdict %v, want %v (tactics %+v)", a.Verdict, tc.verdict, a.Tactics)
			}
			for _, id := range tc.tactics {
				if !has(a, id) {
					t.Errorf("tactic %s missing: %+v", id, a.Tactics)
				}
			}
			if tc.tactics == nil && len(a.Tactics) > 0 {
				t.Errorf("tactics from context phrases: %+v", a.Tactics)
			}
		})
	}
	// One stretch of speech reported as two nested phrases is one piece
	// of evidence.
	c := Default().NewCall()
	c.Feed(Segment{Speaker: Caller, Text: "arrested", Spotted: true, Start: 9900 * time.Millisecond, End: 10500 * time.Millisecond})
	a := c.Feed(Segment{Speaker: Caller, Text: "be arrested", Spotted: true, Start: 9800 * time.Millisecond, End: 10500 * time.Millisecond})
	if len(a.Tactics) != 1 {
		t.Fatalf("nested spots over the same audio gave %+v", a.Tactics)
	}
	// The same words in a transcript turn are not read as a bare phrase.
	a = Default().NewCall().Feed(Segment{Speaker: Caller, Text: "the courier left a card"})
	if has(a, "request:courier") {
		t.Fatalf("transcript turn read as a spotted phrase: %+v", a.Tactics)
	}
}
