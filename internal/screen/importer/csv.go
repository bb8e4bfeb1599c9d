package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/clearline/clearline/internal/screen/numplan"
)

// csvRecords reads CSV records with their line numbers. It guesses the
// delimiter (comma, semicolon as European spreadsheets write, or tab) from
// the first line, allows ragged rows and stray quotes, and skips lines
// starting with '#'. Records that are malformed beyond repair are
// reported through bad and reading goes on.
type csvRecords struct {
	r     *csv.Reader
	delim rune
}

func newCSV(br *bufio.Reader) *csvRecords {
	delim := ','
	if head, _ := br.Peek(4096); len(head) > 0 {
		first, _, _ := strings.Cut(string(head), "\n")
		switch {
		case strings.Contains(first, "\t"):
			delim = '\t'
		case strings.Count(first, ";") > strings.Count(first, ","):
			delim = ';'
		}
	}
	r := csv.NewReader(br)
	r.Comma = delim
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return &csvRecords{r: r, delim: delim}
}

// next returns the next record and its line, or io.EOF. A malformed
// record comes back as a *csv.ParseError with its line.
func (c *csvRecords) next() (rec []string, line int, err error) {
	rec, err = c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, err
		}
		return nil, 0, err
	}
	line, _ = c.r.FieldPos(0)
	return rec, line, nil
}

func (c *csvRecords) text(rec []string) string { return strings.Join(rec, string(c.delim)) }

// numberHeader reports whether rec, the first row, is a header, and which
// column holds the numbers: the one a header names ("number", "phone"…),
// else the first column holding a number in the first row, else column 0.
func numberHeader(p *numplan.Parser, rec []string) (col int, isHeader bool) {
	for i, f := range rec {
		if _, err := p.Parse(f); err == nil {
			return i, false
		}
	}
	if !slices.ContainsFunc(rec, hasLetters) {
		return 0, false
	}
	for i, f := range rec {
		if isNumberColumn(f) {
			return i, true
		}
	}
	return 0, true
}

// isNumberColumn reports whether a header names a telephone-number column
// ("Number", "Phone", "Mobile Phone", "Phone 1 - Value", "CLI"), not its
// type or label.
func isNumberColumn(h string) bool {
	h = strings.ToLower(h)
	for _, not := range []string{"type", "label", "kind"} {
		if strings.Contains(h, not) {
			return false
		}
	}
	for _, w := range []string{"phone", "mobile", "tel", "number", "cell", "cli", "msisdn"} {
		if strings.Contains(h, w) {
			return true
		}
	}
	return false
}

// ReadNumbers reads a list of telephone numbers from CSV: one number a
// line, or a table whose header names the number column ("number",
// "phone"…; otherwise the first column holding a number). Other columns
// are ignored. Numbers are read as dialled in the parser's region; numbers
// the numbering plan does not allocate are rejected (a typo, or a number
// cut short), since screening blocks them anyway. It returns the
// distinct numbers in ascending order. A file with no usable number at all
// is an error, so that a wrong file can never empty a list.
func ReadNumbers(ctx context.Context, r io.Reader, opt Options) ([]numplan.Number, Summary, error) {
	var sum Summary
	if err := opt.check(); err != nil {
		return nil, sum, err
	}
	br, cr := open(r)
	recs := newCSV(br)
	tr := &tracker{ctx: ctx, opt: opt, cr: cr}
	var nums []numplan.Number
	col, first, lastLine := 0, true, 0
	for {
		rec, line, err := recs.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if line == 0 || line <= lastLine {
				return nil, sum, fmt.Errorf("import numbers: %w", err)
			}
			sum.reject(line, "", "not valid CSV: "+describe(err))
			lastLine = line
			continue
		}
		sum.Skipped += max(0, line-lastLine-1) // blank and comment lines in between
		lastLine, _ = recs.r.FieldPos(len(rec) - 1)
		if err := tr.line(line); err != nil {
			return nil, sum, fmt.Errorf("import numbers: %w", err)
		}
		if first {
			first = false
			var header bool
			if col, header = numberHeader(opt.Parser, rec); header {
				sum.Skipped++
				continue
			}
		}
		if col >= len(rec) || strings.TrimSpace(rec[col]) == "" {
			if strings.TrimSpace(recs.text(rec)) == "" {
				sum.Skipped++
			} else {
				sum.reject(line, recs.text(rec), "no telephone number in this line")
			}
			continue
		}
		n, err := opt.Parser.Parse(rec[col])
		if err != nil {
			sum.reject(line, recs.text(rec), describe(err))
			continue
		}
		if !opt.Parser.Classify(n).Valid() {
			sum.reject(line, recs.text(rec), n.String()+" is not a valid number (a typo, or cut short?); calls showing it are blocked anyway")
			continue
		}
		nums = append(nums, n)
	}
	sum.Lines = lastLine
	tr.lines = lastLine
	tr.done()
	slices.Sort(nums)
	before := len(nums)
	nums = slices.Compact(nums)
	sum.Duplicates = before - len(nums)
	sum.Added = len(nums)
	if len(nums) == 0 {
		return nil, sum, fmt.Errorf("import numbers: no telephone numbers found (%d lines rejected)", sum.RejectedTotal)
	}
	return slices.Clip(nums), sum, nil
}
