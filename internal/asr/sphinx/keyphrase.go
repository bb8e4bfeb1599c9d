package sphinx

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Keyphrase is one phrase for keyword spotting with its detection
// threshold: the likelihood ratio of the phrase against pocketsphinx's phone
// loop (the garbage model) a detection needs. Smaller thresholds (1e-40)
// detect more and false-alarm more; larger ones (1e-5) fewer. Longer phrases
// need smaller thresholds, since their scores are products over more frames.
type Keyphrase struct {
	Phrase    string  // lowercase words, each in the dictionary
	Threshold float64 // e.g. 1e-20
}

// Words returns the phrase's words.
func (k Keyphrase) Words() []string { return strings.Fields(k.Phrase) }

// WriteKeyphrases writes phrases in pocketsphinx's -kws file format, one
// "phrase /threshold/" per line.
func WriteKeyphrases(w io.Writer, phrases []Keyphrase) error {
	for _, k := range phrases {
		p := strings.Join(k.Words(), " ")
		if p == "" {
			return fmt.Errorf("write keyphrases: empty phrase")
		}
		if !(k.Threshold > 0) {
			return fmt.Errorf("write keyphrases: %q: threshold %v is not positive", p, k.Threshold)
		}
		if _, err := fmt.Fprintf(w, "%s /%s/\n", p, strconv.FormatFloat(k.Threshold, 'e', -1, 64)); err != nil {
			return fmt.Errorf("write keyphrases: %w", err)
		}
	}
	return nil
}
