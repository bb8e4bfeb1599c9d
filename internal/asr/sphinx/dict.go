package sphinx

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ReduceDict copies from the pronunciation dictionary src (CMUdict format:
// "word PH1 PH2 ...", alternates as "word(2) ...") to dst the entries of the
// given words, alternates included, and returns the words it did not find.
// Keyword spotting needs only the words of its phrases; a decoder loading a
// few dozen entries instead of CMUdict's 134,000 starts faster and is
// smaller.
func ReduceDict(dst io.Writer, src io.Reader, words []string) (missing []string, err error) {
	want := make(map[string]bool, len(words))
	for _, w := range words {
		want[BaseWord(strings.ToLower(w))] = false
	}
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	bw := bufio.NewWriter(dst)
	for sc.Scan() {
		line := sc.Text()
		head, _, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		base := BaseWord(head)
		if _, ok := want[base]; !ok {
			continue
		}
		want[base] = true
		if _, err := bw.WriteString(line + "\n"); err != nil {
			return nil, fmt.Errorf("reduce dictionary: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reduce dictionary: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("reduce dictionary: %w", err)
	}
	for w, found := range want {
		if !found {
			missing = append(missing, w)
		}
	}
	slices.Sort(missing)
	return missing, nil
}

// BaseWord strips a pronunciation-variant suffix: "courier(2)" -> "courier".
func BaseWord(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 && strings.HasSuffix(w, ")") {
		return w[:i]
	}
	return w
}

// BasePhrase strips the variant suffixes of every word of a phrase.
func BasePhrase(p string) string {
	f := strings.Fields(p)
	for i, w := range f {
		f[i] = BaseWord(w)
	}
	return strings.Join(f, " ")
}
