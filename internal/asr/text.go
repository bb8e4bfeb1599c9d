package asr

import (
	"strings"
	"unicode"
)

// NormalizeText puts recogniser output in Segment.Text form: lowercase
// words of letters, digits and inner apostrophes (typographic ones made
// plain), joined by single spaces; punctuation separates words.
func NormalizeText(text string) string {
	var words []string
	for w := range strings.FieldsFuncSeq(strings.ToLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’')
	}) {
		w = strings.Trim(strings.ReplaceAll(w, "’", "'"), "'")
		if w != "" {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}
