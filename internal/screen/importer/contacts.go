package importer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/numplan"
)

// Format is a contacts file format.
type Format int

// Formats. Auto looks at the content: "BEGIN:VCARD" means vCard.
const (
	Auto Format = iota
	VCard
	CSV
)

// FormatFor returns the format a file name implies (".vcf", ".vcard":
// VCard; ".csv", ".txt": CSV), or Auto.
func FormatFor(name string) Format {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".vcf"), strings.HasSuffix(n, ".vcard"):
		return VCard
	case strings.HasSuffix(n, ".csv"), strings.HasSuffix(n, ".txt"):
		return CSV
	}
	return Auto
}

// ReadContacts reads trusted contacts from a vCard or CSV file. Each
// telephone number becomes one contact (a card with a mobile and a
// landline gives two). Numbers that no genuine call can come from (invalid
// in the numbering plan, or in Ofcom's drama ranges) are rejected, since
// screening would block them before it looks at trusted contacts. A file
// with no usable contact is an error.
func ReadContacts(ctx context.Context, r io.Reader, format Format, opt Options) ([]screen.Contact, Summary, error) {
	if err := opt.check(); err != nil {
		return nil, Summary{}, err
	}
	br, cr := open(r)
	if format == Auto {
		format = CSV
		head, _ := br.Peek(512)
		if bytes.HasPrefix(bytes.ToUpper(bytes.TrimLeft(head, " \t\r\n")), []byte("BEGIN:VCARD")) {
			format = VCard
		}
	}
	c := &collector{opt: opt, seen: map[numplan.Number]bool{}}
	tr := &tracker{ctx: ctx, opt: opt, cr: cr}
	var err error
	if format == VCard {
		err = readVCards(br, c, tr)
	} else {
		err = readContactsCSV(br, c, tr)
	}
	tr.done()
	c.sum.Added = len(c.out)
	if err != nil {
		return nil, c.sum, fmt.Errorf("import contacts: %w", err)
	}
	if len(c.out) == 0 {
		return nil, c.sum, fmt.Errorf("import contacts: no contacts with a usable telephone number (%d lines rejected)", c.sum.RejectedTotal)
	}
	return c.out, c.sum, nil
}

// collector validates and gathers contacts.
type collector struct {
	opt  Options
	sum  Summary
	out  []screen.Contact
	seen map[numplan.Number]bool
}

// add reads one number for name; text is the line shown if it is rejected.
func (c *collector) add(line int, text, name, number string) {
	p := c.opt.Parser
	n, err := p.Parse(number)
	if err != nil {
		c.sum.reject(line, text, describe(err))
		return
	}
	if r, ok := numplan.Drama(n); ok {
		c.sum.reject(line, text, n.String()+" is in Ofcom's drama range ("+r.Area+"): no real phone has it, and calls showing it are blocked")
		return
	}
	if !p.Classify(n).Valid() {
		c.sum.reject(line, text, n.String()+" is not a valid number: calls showing it are blocked as made up, so it cannot be a trusted contact")
		return
	}
	if c.seen[n] {
		c.sum.Duplicates++
		return
	}
	c.seen[n] = true
	c.out = append(c.out, screen.Contact{Name: strings.TrimSpace(name), Number: n})
}

// contactColumns maps a contacts CSV header to the columns to read.
type contactColumns struct {
	name    []int // joined with spaces: "First Name", "Last Name"
	org     int   // company, when there is no name; -1 if none
	numbers []int
}

// contactHeader reads a header row as Google, Outlook and iPhone exports
// write them. ok is false when rec does not look like a header.
func contactHeader(p *numplan.Parser, rec []string) (contactColumns, bool) {
	cols := contactColumns{org: -1}
	for _, f := range rec {
		if looksLikeNumber(p, f) {
			return cols, false
		}
	}
	var full, first, middle, last []int
	for i, f := range rec {
		h := strings.ToLower(strings.TrimSpace(f))
		switch {
		case isNumberColumn(h):
			cols.numbers = append(cols.numbers, i)
		case h == "name" || h == "display name" || h == "full name" || h == "fn" || h == "contact" || h == "contact name":
			full = append(full, i)
		case h == "first name" || h == "given name" || h == "forename":
			first = append(first, i)
		case h == "middle name" || h == "additional name":
			middle = append(middle, i)
		case h == "last name" || h == "family name" || h == "surname":
			last = append(last, i)
		case cols.org < 0 && (h == "company" || h == "organization" || h == "organisation" || h == "organization 1 - name" || h == "organization name"):
			cols.org = i
		}
	}
	if len(cols.numbers) == 0 {
		return cols, false
	}
	if len(full) > 0 {
		cols.name = full[:1]
	} else {
		cols.name = append(append(append(cols.name, first...), middle...), last...)
	}
	return cols, true
}

// looksLikeNumber reports whether a cell holds a telephone number: it
// parses, and has at least seven digits (so "2" or "2024" is not one).
func looksLikeNumber(p *numplan.Parser, s string) bool {
	d := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d++
		}
	}
	if d < 7 {
		return false
	}
	_, err := p.Parse(s)
	return err == nil
}

func pick(rec []string, i int) string {
	if i >= 0 && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// readContactsCSV reads contacts from CSV. With a header, named columns are
// used (several number columns, and Google's "a ::: b" multi-values, give
// several contacts). Without one, each row's cells holding a number are its
// numbers and its first other non-empty cell is the name.
func readContactsCSV(br *bufio.Reader, c *collector, tr *tracker) error {
	recs := newCSV(br)
	p := c.opt.Parser
	var cols contactColumns
	header, first, lastLine := false, true, 0
	for {
		rec, line, err := recs.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if line == 0 || line <= lastLine {
				return err
			}
			c.sum.reject(line, "", "not valid CSV: "+describe(err))
			lastLine = line
			continue
		}
		c.sum.Skipped += max(0, line-lastLine-1)
		lastLine, _ = recs.r.FieldPos(len(rec) - 1)
		c.sum.Lines = lastLine
		if err := tr.line(line); err != nil {
			return err
		}
		if first {
			first = false
			if cols, header = contactHeader(p, rec); header {
				c.sum.Skipped++
				continue
			}
		}
		text := recs.text(rec)
		if strings.TrimSpace(strings.ReplaceAll(text, string(recs.delim), "")) == "" {
			c.sum.Skipped++
			continue
		}
		var name string
		var numbers []string
		if header {
			var parts []string
			for _, i := range cols.name {
				if v := pick(rec, i); v != "" {
					parts = append(parts, v)
				}
			}
			name = strings.Join(parts, " ")
			if name == "" {
				name = pick(rec, cols.org)
			}
			for _, i := range cols.numbers {
				for _, v := range strings.Split(pick(rec, i), ":::") {
					if v = strings.TrimSpace(v); v != "" {
						numbers = append(numbers, v)
					}
				}
			}
			if len(numbers) == 0 {
				c.sum.Skipped++ // a contact without a telephone number
				continue
			}
		} else {
			for _, f := range rec {
				f = strings.TrimSpace(f)
				switch {
				case f == "":
				case looksLikeNumber(p, f):
					numbers = append(numbers, f)
				case name == "" && hasLetters(f):
					name = f
				}
			}
			if len(numbers) == 0 {
				c.sum.reject(line, text, "no telephone number in this line")
				continue
			}
		}
		for _, num := range numbers {
			c.add(line, text, name, num)
		}
	}
	return nil
}
