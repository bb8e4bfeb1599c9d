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
//     "collecting", "collects" -> "collect") against the rule lexicon;
//   - a word the lexicon still does not know, of six letters or more, is
//     read as one of a short list of long, distinctive rule words when it
//     is one edit away ("courrier", "sergant", "unautorised"); see
//     fuzzyWords for the list and the words kept out of it on purpose;
//   - figures ("£3,000" -> "3 000") match the "#num" word class in rules;
//   - sentence punctuation, when there is any, marks the next word as the
//     start of a clause, so "if it warns you, ignore it" reads "ignore"
//     as an imperative; recogniser text without punctuation loses nothing.
//
// Words the rules never mention get lexicon id 0; matching only looks at ids.

// token is one word of a turn after normalisation.
type token struct {
	id   int32  // lexicon id; 0 when the word appears in no rule
	word string // the normalised word, for evidence
	// clause marks the first word after sentence punctuation (". , ! ? ;
	// :"), when the text has any: "If it warns you, ignore it" starts an
	// imperative at "ignore". Recogniser text has none, and then only
	// the first word of a turn starts a clause.
	clause bool
}

// tokenizer holds reusable buffers; one per Detector.
type tokenizer struct {
	lex  *lexicon
	buf  []byte
	raw  []string
	cl   []bool // per raw word: starts a clause
	toks []token
}

// joins are adjacent word pairs a recogniser (or a writer) splits.
var joins = map[[2]string]string{
	{"with", "draw"}:     "withdraw",
	{"with", "drawn"}:    "withdrawn",
	{"with", "drew"}:     "withdrew",
	{"team", "viewer"}:   "teamviewer",
	{"any", "desk"}:      "anydesk",
	{"log", "me"}:        "logme",
	{"pass", "code"}:     "passcode",
	{"pass", "word"}:     "password",
	{"pin", "code"}:      "pin",
	{"pin", "number"}:    "pin",
	{"on", "line"}:       "online",
	{"bit", "coin"}:      "bitcoin",
	{"gift", "cards"}:    "giftcard",
	{"gift", "card"}:     "giftcard",
	{"i", "tunes"}:       "itunes",
	{"b", "t"}:           "bt",
	{"num", "bar"}:       "number", // "pin num bar"
	{"numb", "er"}:       "number",
	{"pen", "number"}:    "pin",
	{"cash", "point"}:    "cashpoint",
	{"cash", "machine"}:  "cashpoint",
	{"safe", "keeping"}:  "safekeeping",
	{"gift", "voucher"}:  "voucher",
	{"gift", "vouchers"}: "voucher",
	{"e", "voucher"}:     "voucher",
	{"key", "pad"}:       "keypad",
	{"hand", "set"}:      "handset",
	{"web", "site"}:      "website",
	{"tele", "phone"}:    "telephone",
	{"ultra", "viewer"}:  "ultraviewer",
	{"rust", "desk"}:     "rustdesk",
	{"pay", "safe"}:      "paysafe",
	{"tax", "man"}:       "taxman",
	{"hm", "rc"}:         "hmrc",
	{"h", "mrc"}:         "hmrc",
	{"dialing", "tone"}:  "dialling tone",
	{"dial", "tone"}:     "dialling tone",
	{"with", "drawer"}:   "withdraw",
	{"with", "drawl"}:    "withdraw",
	{"food", "bank"}:     "foodbank",
	{"blood", "bank"}:    "bloodbank",
	{"bank", "holiday"}:  "bankholiday",
	{"a", "count"}:       "account",
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
	"sergent":      "sergeant",
	"sargent":      "sergeant",
	"sargeant":     "sergeant",
	"withdrawl":    "withdrawal",
	"bale":         "bail",
	"quid":         "pounds",
	"dialing":      "dialling",
	"jewelery":     "jewellery",
	"pinnumber":    "pin",
	"pinno":        "pin",
	"cache":        "cash",
}

// fuzzyWords are long, distinctive rule words that a recogniser often gets
// one letter wrong ("courrier", "withdrar", "sergant"). A word the lexicon
// does not know, of six letters or more, is read as one of these when it
// is one edit (a letter dropped, added, changed or two swapped) away.
// Words with a common English neighbour one edit away are left out on
// purpose: "detective" (defective), "bullion" (billion), "warrant"
// (warranty), "police" (polite).
var fuzzyWords = []string{
	"courier", "withdraw", "withdrawal", "sergeant", "constable", "inspector", "investigation",
	"teamviewer", "anydesk", "voucher", "jewellery", "envelope", "counterfeit", "compromised",
	"confidential", "cryptocurrency", "bitcoin", "passcode", "password", "suspicious",
	"metropolitan", "fraudulent", "unauthorised", "laundering", "safekeeping", "cashpoint",
	"verification", "giftcard", "keypad", "bailiffs", "undercover", "transaction",
	"arrested", "custody", "solicitor", "hmrc",
}

// shape is a cheap pre-check for a word set: which (first letter,
// length) pairs occur in it. Most words of a turn fail it and skip a map
// lookup.
type shape [27][16]bool

func shapeOf[V any](m map[string]V, key func(string) string) *shape {
	var s shape
	for k := range m {
		s.add(key(k))
	}
	return &s
}

func (s *shape) add(w string) {
	if w != "" {
		s[letterIndex(w[0])][min(len(w), 15)] = true
	}
}

func (s *shape) has(w string) bool {
	return w != "" && s[letterIndex(w[0])][min(len(w), 15)]
}

func letterIndex(b byte) int {
	if b >= 'a' && b <= 'z' {
		return int(b - 'a')
	}
	return 26
}

var (
	joinHeads = func() *shape {
		var s shape
		for k := range joins {
			s.add(k[0])
		}
		return &s
	}()
	misheardHeads = shapeOf(misheard, func(k string) string { return k })
	digitHeads    = shapeOf(digitWords, func(k string) string { return k })
)

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
		case r == '.' || r == ',' || r == '!' || r == '?' || r == ';' || r == ':':
			if n := len(t.buf); n > 0 && (t.buf[n-1] == ' ' || t.buf[n-1] == '\n') {
				t.buf[n-1] = '\n'
			} else if n > 0 {
				t.buf = append(t.buf, '\n')
			}
		default:
			if len(t.buf) > 0 && t.buf[len(t.buf)-1] != ' ' && t.buf[len(t.buf)-1] != '\n' {
				t.buf = append(t.buf, ' ')
			}
		}
	}
	s := string(t.buf)
	t.raw, t.cl = t.raw[:0], t.cl[:0]
	start, clause := -1, true
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' {
			if start >= 0 {
				t.raw = append(t.raw, s[start:i])
				t.cl = append(t.cl, clause)
				start, clause = -1, false
			}
			if i < len(s) && s[i] == '\n' {
				clause = true
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
	// Joins of split words, in two passes so a join can feed another:
	// "pin num bar" -> "pin number" -> "pin".
	for pass := 0; pass < 2; pass++ {
		joined := false
		out, cl := words[:0], t.cl[:0]
		for i := 0; i < len(words); i++ {
			c := t.cl[i]
			if i+1 < len(words) && !t.cl[i+1] {
				if !joinHeads.has(words[i]) {
					// most words start no join: skip the pair hash
				} else if j, ok := joins[[2]string{words[i], words[i+1]}]; ok {
					out, cl = append(out, j), append(cl, c)
					i++
					joined = true
					continue
				}
			}
			out, cl = append(out, words[i]), append(cl, c)
		}
		words, t.cl = out, cl
		if !joined {
			break
		}
	}
	t.raw = words
	t.toks = t.toks[:0]
	for i := 0; i < len(words); i++ {
		w := words[i]
		clause := t.cl[i]
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
		if _, ok := digitWords[w]; digitHeads.has(w) && ok {
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
		if m, ok := misheard[w]; misheardHeads.has(w) && ok {
			w = m
		}
		id := t.lex.lookup(w)
		if id == 0 {
			if isDigits(w) {
				// Amounts written as figures ("£3,000" -> "3 000") match
				// the "#num" class in rules; known numbers (999, 101)
				// were found by lookup above.
				id = t.lex.ids["#num"]
			} else if fw, fid := t.lex.fuzzy(w, t.buf[:0]); fid != 0 {
				w, id = fw, fid
			}
		}
		t.toks = append(t.toks, token{id: id, word: w, clause: clause})
	}
	return t.toks
}

// lexicon interns the words rules mention.
type lexicon struct {
	ids map[string]int32
	// near maps every one-letter deletion of a fuzzy word to the word:
	// the symmetric-delete index for edit distance one.
	near map[string]string
	// pairs marks the first two letters of every key of near: a word
	// whose deletions cannot start with a marked pair is rejected
	// without a map lookup.
	pairs [26 * 26]bool
}

func pairIndex(a, b byte) int {
	if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
		return -1
	}
	return int(a-'a')*26 + int(b-'a')
}

func isDigits(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// indexFuzzy builds the deletion index for fuzzyWords that rules use.
func (l *lexicon) indexFuzzy() {
	l.near = map[string]string{}
	for _, w := range fuzzyWords {
		if l.ids[w] == 0 {
			continue
		}
		l.near[w] = w
		for i := 0; i < len(w); i++ {
			d := w[:i] + w[i+1:]
			if _, taken := l.ids[d]; !taken {
				l.near[d] = w
			}
		}
	}
	for k := range l.near {
		if len(k) >= 2 {
			if p := pairIndex(k[0], k[1]); p >= 0 {
				l.pairs[p] = true
			}
		}
	}
}

// mayBeNear reports whether w[:i]+w[i+1:] (or w itself, i < 0) can be a
// key of near, from its first two letters.
func (l *lexicon) mayBeNear(w string, i int) bool {
	var a, b byte
	switch i {
	case 0:
		a, b = w[1], w[2]
	case 1:
		a, b = w[0], w[2]
	default:
		a, b = w[0], w[1]
	}
	p := pairIndex(a, b)
	return p >= 0 && l.pairs[p]
}

// fuzzy finds the fuzzy word within one edit of w (six letters or more,
// ASCII): w itself with a letter dropped (a substitution, deletion or
// swap on the recogniser's side) or w as a dropped-letter form of the
// word (an added letter). buf is scratch space.
func (l *lexicon) fuzzy(w string, buf []byte) (string, int32) {
	if len(w) < 6 || len(l.near) == 0 {
		return "", 0
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return "", 0
		}
	}
	if !l.mayBeNear(w, 0) && !l.mayBeNear(w, 1) && !l.mayBeNear(w, 2) {
		return "", 0
	}
	if l.mayBeNear(w, -1) {
		if fw, ok := l.near[w]; ok { // a letter dropped from fw
			return fw, l.ids[fw]
		}
	}
	for i := 0; i < len(w); i++ {
		if !l.mayBeNear(w, i) {
			if i >= 2 {
				break
			}
			continue
		}
		buf = append(buf[:0], w[:i]...)
		buf = append(buf, w[i+1:]...)
		if fw, ok := l.near[string(buf)]; ok {
			if len(fw) == len(w) && !oneSubOrSwap(fw, w) {
				continue
			}
			return fw, l.ids[fw]
		}
	}
	return "", 0
}

// oneSubOrSwap reports whether a and b (same length) differ by one
// changed letter or two adjacent letters swapped; deletion pairs can
// also match words two edits apart ("abcd"/"abdc" is fine, "abcd"/"bacd"
// too, but "axcd"/"abcy" is not).
func oneSubOrSwap(a, b string) bool {
	diff := -1
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			if diff >= 0 {
				return diff == i-1 && a[diff] == b[i] && a[i] == b[diff] && a[i+1:] == b[i+1:]
			}
			diff = i
		}
	}
	return true
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
