// Package redact removes card numbers, PINs, one-time codes and bank
// details from transcript text before anything is stored or sent.
//
// It works on words, written or spoken: any run of four or more digits
// ("4929 1234 5678 9012", "one two three four", "oh seven seven double
// nine") becomes "[number]", and whatever follows a word that introduces a
// secret ("PIN", "code", "sort code", "card number", "password", "CVV") is
// removed up to the next ordinary word, so "my pin is twenty twelve" and
// "the code is 58" are covered too. Sums of money ("£5,000", "3000 pounds")
// are kept: an analyst needs them and they identify nobody.
package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marks written in place of what was removed.
const (
	Number = "[number]"
	Secret = "[redacted]"
)

type word struct {
	start, end int    // byte offsets in the text
	norm       string // lower case, without punctuation
}

var digitWord = map[string]int{
	"zero": 1, "oh": 1, "o": 1, "nought": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1,
	"six": 1, "seven": 1, "eight": 1, "nine": 1, "double": 0, "triple": 0,
}

var numberWord = map[string]bool{
	"ten": true, "eleven": true, "twelve": true, "thirteen": true, "fourteen": true, "fifteen": true,
	"sixteen": true, "seventeen": true, "eighteen": true, "nineteen": true, "twenty": true, "thirty": true,
	"forty": true, "fifty": true, "sixty": true, "seventy": true, "eighty": true, "ninety": true,
	"hundred": true, "thousand": true, "and": true,
}

// secretCue words introduce a secret; fillers may sit between the cue and
// the secret ("my PIN is", "the code: ").
var (
	secretCue = map[string]bool{"pin": true, "code": true, "passcode": true, "password": true, "cvv": true, "cvc": true,
		"otp": true, "pin's": true, "pins": true, "codes": true, "passwords": true, "memorable": true}
	secretCuePairs = map[[2]string]bool{{"card", "number"}: true, {"account", "number"}: true, {"sort", "code"}: true,
		{"security", "number"}: true, {"long", "number"}: true, {"expiry", "date"}: true, {"security", "code"}: true,
		{"pin", "number"}: true, {"memorable", "word"}: true}
	filler = map[string]bool{"is": true, "was": true, "its": true, "it's": true, "are": true, "number": true, "the": true, "my": true, "your": true, "of": true, "to": true, "be": true, "will": true}
)

func words(s string) []word {
	var ws []word
	start := -1
	for i := 0; i <= len(s); {
		r, n := rune(0), 1
		if i < len(s) {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		inWord := i < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
		if inWord && start < 0 {
			start = i
		}
		if !inWord && start >= 0 {
			ws = append(ws, word{start: start, end: i, norm: strings.ToLower(s[start:i])})
			start = -1
		}
		i += n
	}
	return ws
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

// numeric reports whether a word is part of a spoken or written number.
func numeric(w string) bool { _, ok := digitWord[w]; return ok || isDigits(w) || numberWord[w] }

// gapOK reports whether the text between two words can sit inside one
// number ("4929 1234", "12-34-56", "one, two") .
func gapOK(s string) bool {
	return len(s) <= 3 && strings.Trim(s, " -.,/") == ""
}

// Text returns s with secrets removed.
func Text(s string) string {
	ws := words(s)
	cut := make([]string, len(ws)) // replacement for the span starting here; "" = keep
	drop := make([]bool, len(ws))  // word swallowed into a preceding replacement
	// Words holding four or more digits ("ref4929x").
	for i, w := range ws {
		if !isDigits(w.norm) && countDigits(w.norm) >= 4 {
			cut[i] = Number
		}
	}
	// Runs of digits (written or spoken) of four or more.
	for i := 0; i < len(ws); {
		if !(isDigits(ws[i].norm) || digitWord[ws[i].norm] == 1 || ws[i].norm == "double" || ws[i].norm == "triple") || ws[i].norm == "o" && !(i+1 < len(ws) && numeric(ws[i+1].norm)) {
			i++
			continue
		}
		j, digits := i, 0
		for j < len(ws) && (j == i || gapOK(s[ws[j-1].end:ws[j].start])) {
			w := ws[j].norm
			switch {
			case isDigits(w):
				digits += len(w)
			case digitWord[w] == 1:
				digits++
			case w == "double" || w == "triple":
			default:
				goto done
			}
			j++
		}
	done:
		if digits >= 4 && !money(s, ws, i, j) {
			cut[i] = Number
			for k := i + 1; k < j; k++ {
				drop[k] = true
			}
		}
		i = max(j, i+1)
	}
	// Whatever follows a secret cue.
	for i := 0; i < len(ws); i++ {
		cue := secretCue[ws[i].norm]
		next := i + 1
		if i+1 < len(ws) && secretCuePairs[[2]string{ws[i].norm, ws[i+1].norm}] {
			cue, next = true, i+2
		}
		if !cue {
			continue
		}
		j := next
		for j < len(ws) && filler[ws[j].norm] {
			j++
		}
		k := j
		for k < len(ws) && (numeric(ws[k].norm) || len(ws[k].norm) <= 8 && hasDigit(ws[k].norm)) && ws[k].norm != "and" {
			k++
		}
		if k > j {
			cut[j] = Secret
			drop[j] = false
			for m := j + 1; m < k; m++ {
				drop[m] = true
				cut[m] = ""
			}
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(ws); i++ {
		if cut[i] == "" {
			continue
		}
		end := i + 1
		for end < len(ws) && drop[end] {
			end++
		}
		b.WriteString(s[last:ws[i].start])
		b.WriteString(cut[i])
		last = ws[end-1].end
		i = end - 1
	}
	b.WriteString(s[last:])
	return b.String()
}

func countDigits(w string) int {
	n := 0
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			n++
		}
	}
	return n
}

func hasDigit(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			return true
		}
	}
	return false
}

// money reports whether the number ws[i:j] is a sum of money: "£5,000",
// "$1200", "3000 pounds".
func money(s string, ws []word, i, j int) bool {
	before := strings.TrimRight(s[:ws[i].start], " ")
	if strings.HasSuffix(before, "£") || strings.HasSuffix(before, "$") || strings.HasSuffix(before, "€") {
		return true
	}
	if j < len(ws) {
		switch ws[j].norm {
		case "pounds", "pound", "quid", "dollars", "euros", "gbp":
			return true
		}
	}
	return false
}
