// Package importer reads the files carers and operators bring to
// clearline: block and Do-Not-Originate lists as CSV (one number a line, or
// a number column), and trusted contacts as vCard (.vcf, as Android phones,
// iPhones and Google/Outlook export them) or CSV.
//
// It owns file formats and the import report: every line that cannot be
// used is reported with its line number and reason, never silently
// dropped. It is pure: it returns what it read and never changes a list
// itself, so an import that fails (an error) changes nothing — the caller
// applies the result only on success. It never logs.
package importer

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/clearline/clearline/internal/screen/numplan"
)

// MaxRejections is how many rejected lines a Summary lists in detail;
// RejectedTotal counts them all.
const MaxRejections = 10000

// ProgressEvery is how many lines pass between calls of Options.Progress.
const ProgressEvery = 65536

// Rejection is one line that could not be used.
type Rejection struct {
	Line   int    // 1-based line number in the file
	Text   string // the line (or its start), as read
	Reason string // plain English
}

// Summary reports an import.
type Summary struct {
	Lines         int         // lines read
	Added         int         // distinct entries returned
	Duplicates    int         // entries repeating an earlier one in the same file
	Skipped       int         // blank lines, comments, headers, contacts without a telephone number
	Rejected      []Rejection // the first MaxRejections lines that could not be used
	RejectedTotal int         // every line that could not be used
}

func (s *Summary) reject(line int, text, reason string) {
	s.RejectedTotal++
	if len(s.Rejected) < MaxRejections {
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		s.Rejected = append(s.Rejected, Rejection{Line: line, Text: strings.ToValidUTF8(text, "\uFFFD"), Reason: reason})
	}
}

// Progress is how far an import has read.
type Progress struct {
	Lines int
	Bytes int64
}

// Options configure an import.
type Options struct {
	// Parser reads numbers in the carer's home region. Required.
	Parser *numplan.Parser
	// Progress, if set, is called every ProgressEvery lines and once at the
	// end, from the importing goroutine.
	Progress func(Progress)
}

func (o Options) check() error {
	if o.Parser == nil {
		return fmt.Errorf("import: no number parser")
	}
	return nil
}

// countingReader counts bytes read, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// tracker reports progress and watches for cancellation.
type tracker struct {
	ctx   context.Context
	opt   Options
	cr    *countingReader
	lines int
}

func (t *tracker) line(n int) error {
	t.lines = n
	if n%ProgressEvery != 0 {
		return nil
	}
	if err := t.ctx.Err(); err != nil {
		return err
	}
	if t.opt.Progress != nil {
		t.opt.Progress(Progress{Lines: n, Bytes: t.cr.n})
	}
	return nil
}

func (t *tracker) done() {
	if t.opt.Progress != nil {
		t.opt.Progress(Progress{Lines: t.lines, Bytes: t.cr.n})
	}
}

// open wraps r for reading text: counts bytes and skips a UTF-8 byte-order
// mark (Excel writes one).
func open(r io.Reader) (*bufio.Reader, *countingReader) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 64<<10)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	return br, cr
}

// hasLetters reports whether s holds a letter (a header cell, a name).
func hasLetters(s string) bool {
	for _, r := range s {
		if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || (r >= utf8.RuneSelf && r != '\uFFFD') {
			return true
		}
	}
	return false
}

// describe turns a parse error into a reason for the report.
func describe(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}
