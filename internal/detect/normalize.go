package detect

import (
	"unicode"
	"unicode/utf8"
)

// This file turns a transcript turn into the token stream the rules match
// on. It is where robustness to speech-recogniser output lives:
//
//   - case and punctuation are dropped, apostrophes vanish inside words
//     ("don't" -> "dont", "it's" -> "its"), so written and recognised text
//     look alike;
//   - words a recogniser splits are joined back ("with draw" -> "withdraw",
//     "team viewer" -> "teamviewer", spelled letters "h m r c" -> "hmrc");
//   - common mishearings map to the word that was meant ("career" ->
//     "courier");
//   - runs of spoken digits become digit strings ("one zero one" -> "101",
//     "nine nine nine" -> "999"), so rules about numbers see one form;
//   - inflections are folded by a small suffix stripper ("collected",
//     "collecting", "collects" -> "collect") against the rule lexicon.
//
// Words the rules never mention get lexicon id 0; matching only looks at ids.

// token is one word of a turn after normalisation.
type token struct {
	id   int32  // lexicon id; 0 when the word appears in no rule
	word string // the normalised word, for evidence
}

// tokenizer holds reusable buffers; one per Detector.
type tokenizer struct {
	lex  *lexicon
	buf  []byte
	raw  []string
	toks []token
}

// joins are adjacent word pairs a recogniser (or a writer) splits.
var joins = map[[2]string]string{
	{"with", "draw"}:   "withdraw",
	{"with", "drawn"}:  "withdrawn",
	{"with", "drew"}:   "withdrew",
	{"team", "viewer"}: "teamviewer",
	{"any", "desk"}:    "anydesk",
	{"log", "me"}:      "logme",
	{"pass", "code"}:   "passcode",
	{"pass", "word"}:   "password",
	{"pin", "code"}:    "pin",
	{"pin", "number"}:  "pin",
	{"on", "line"}:     "online",
	{"bit", "coin"}:    "bitcoin",
	{"gift", "cards"}:  "giftcard",
	{"gift", "card"}:   "giftcard",
	{"i", "tunes"}:     "itunes",
	{"b", "t"}:         "bt",
}

// misheard maps recogniser confusions to the intended word. Only words
// whose intended meaning is far more likely in a phone call to an older
// person are listed.
var misheard = map[string]string{
	"career":       "courier",
	"careers":      "courier",
	"currier":      "courier",
	"courtier":     "courier",
	"carrier":      "courier",
	"couriers":     "courier",
	"youre":        "your", // "you're bank details"
	"ur":           "your",
	"u":            "you",
	"cassh":        "cash",
	"constabulary": "police",
	"vouchers":     "voucher",
	"evouchers":    "voucher",
}

var digitWords = map[string]byte{
	"zero": '0', "oh": '0', "nought": '0', "one": '1', "two": '2', "three": '3',
	"four": '4', "five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9',
}

// split lower-cases text and splits it into words, dropping apostrophes
// and treating every other non-letter, non-digit as a separator.
func (t *tokenizer) split(text string) []string {
	t.buf = t.buf[:0]
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			t.buf = append(t.buf, byte(r))
		case r >= 'A' && r <= 'Z':
			t.buf = append(t.buf, byte(r+'a'-'A'))
		case r == '\'' || r == '’' || r == '‘':
			// dropped inside words: don't -> dont
		case r >= utf8.RuneSelf && unicode.IsLetter(r):
			t.buf = utf8.AppendRune(t.buf, unicode.ToLower(r))
		default:
			if len(t.buf) > 0 && t.buf[len(t.buf)-1] != ' ' {
				t.buf = append(t.buf, ' ')
			}
		}
	}
	s := string(t.buf)
	t.raw = t.raw[:0]
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				t.raw = append(t.raw, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return t.raw
}

// tokenize normalises one turn. The returned slice is reused by the next
// call.
func (t *tokenizer) tokenize(text string) []token {
	words := t.split(text)
	t.toks = t.toks[:0]
	for i := 0; i < len(words); i++ {
		w := words[i]
		// Joins of split words.
		if i+1 < len(words) {
			if j, ok := joins[[2]string{w, words[i+1]}]; ok {
				w = j
				i++
			}
		}
		// Runs of spelled letters: "h m r c" -> "hmrc", "p c" -> "pc".
		if len(w) == 1 && w != "a" && w != "i" && w[0] >= 'a' && w[0] <= 'z' {
			j := i + 1
			for j < len(words) && len(words[j]) == 1 && words[j][0] >= 'a' && words[j][0] <= 'z' && words[j] != "a" && words[j] != "i" {
				j++
			}
			if j-i >= 2 {
				b := make([]byte, 0, j-i)
				for k := i; k < j; k++ {
					b = append(b, words[k][0])
				}
				w = string(b)
				i = j - 1
			}
		}
		// Runs of three or more spoken digits become one number: "one zero one".
		if _, ok := digitWords[w]; ok {
			j := i
			for j < len(words) {
				if _, ok := digitWords[words[j]]; !ok {
					break
				}
				j++
			}
			if j-i >= 3 {
				b := make([]byte, 0, j-i)
				for k := i; k < j; k++ {
					b = append(b, digitWords[words[k]])
				}
				w = string(b)
				i = j - 1
			}
		}
		if m, ok := misheard[w]; ok {
			w = m
		}
		t.toks = append(t.toks, token{id: t.lex.lookup(w), word: w})
	}
	return t.toks
}

// lexicon interns the words rules mention.
type lexicon struct {
	ids map[string]int32
}

func newLexicon() *lexicon { return &lexicon{ids: map[string]int32{}} }

func (l *lexicon) add(w string) int32 {
	if id, ok := l.ids[w]; ok {
		return id
	}
	id := int32(len(l.ids) + 1)
	l.ids[w] = id
	return id
}

// lookup finds w or, failing that, its stem by stripping a common English
// suffix ("arrested" -> "arrest", "vouchers" -> "voucher", "taking" ->
// "take", "copied" -> "copy").
func (l *lexicon) lookup(w string) int32 {
	if id, ok := l.ids[w]; ok {
		return id
	}
	n := len(w)
	try := func(stem string) int32 { return l.ids[stem] }
	switch {
	case n > 4 && w[n-3:] == "ing":
		if id := try(w[:n-3]); id != 0 {
			return id
		}
		if id := try(w[:n-3] + "e"); id != 0 {
			return id
		}
		if n > 5 && w[n-4] == w[n-5] { // "getting" -> "get"
			return try(w[:n-4])
		}
	case n > 4 && w[n-3:] == "ied":
		return try(w[:n-3] + "y")
	case n > 3 && w[n-2:] == "ed":
		if id := try(w[:n-2]); id != 0 {
			return id
		}
		if id := try(w[:n-1]); id != 0 { // "issued" -> "issue"
			return id
		}
	case n > 3 && w[n-3:] == "ies":
		return try(w[:n-3] + "y")
	case n > 3 && w[n-2:] == "es":
		if id := try(w[:n-2]); id != 0 {
			return id
		}
		return try(w[:n-1])
	case n > 2 && w[n-1] == 's' && w[n-2] != 's':
		return try(w[:n-1])
	}
	return 0
}
