package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"
)

// vCard support: versions 2.1 (old Android and Nokia exports), 3.0
// (iPhone, macOS, Google) and 4.0 (RFC 6350). Handled: folded lines (a line
// starting with a space or tab continues the previous one), 2.1
// quoted-printable values with soft line breaks and CHARSET=UTF-8 or
// ISO-8859-1, property groups ("item1.TEL"), bare 2.1 parameters
// ("TEL;CELL;PREF:"), 4.0 "tel:" URIs, backslash escapes, FN with N and ORG
// as fallbacks for the name. Everything else (PHOTO, EMAIL, ADR…) is
// skipped.

// maxLogicalLine bounds one unfolded property, so a broken file cannot
// exhaust memory (photos in a 3.0 card run to a few hundred kilobytes).
const maxLogicalLine = 4 << 20

// vline is one logical (unfolded) line and where it started.
type vline struct {
	text string
	line int
}

// vcardLines yields the logical lines of a vCard stream.
type vcardLines struct {
	br      *bufio.Reader
	n       int    // physical lines read
	pending []byte // next physical line, read ahead to see folding
	pendN   int
	eof     bool
	err     error
}

func (v *vcardLines) physical() ([]byte, int, bool) {
	if v.pending != nil {
		b, n := v.pending, v.pendN
		v.pending = nil
		return b, n, true
	}
	if v.eof {
		return nil, 0, false
	}
	b, err := v.br.ReadBytes('\n')
	if err != nil {
		if err != io.EOF {
			v.err = err
		}
		v.eof = true
		if len(b) == 0 {
			return nil, 0, false
		}
	}
	v.n++
	return bytes.TrimRight(b, "\r\n"), v.n, true
}

// next returns the next logical line.
func (v *vcardLines) next() (vline, bool) {
	first, n, ok := v.physical()
	if !ok {
		return vline{}, false
	}
	buf := append([]byte(nil), first...)
	qp := isQuotedPrintable(buf)
	for {
		nx, nn, ok := v.physical()
		if !ok {
			break
		}
		switch {
		case len(nx) > 0 && (nx[0] == ' ' || nx[0] == '\t'):
			buf = append(buf, nx[1:]...) // RFC 6350 §3.2 folding
		case qp && bytes.HasSuffix(buf, []byte("=")):
			buf = append(buf[:len(buf)-1], nx...) // 2.1 quoted-printable soft break
		default:
			v.pending, v.pendN = nx, nn
			return vline{text: string(buf), line: n}, true
		}
		if len(buf) > maxLogicalLine {
			v.err = errors.New("a vCard line longer than 4 MB")
			return vline{}, false
		}
	}
	return vline{text: string(buf), line: n}, true
}

func isQuotedPrintable(b []byte) bool {
	head, _, ok := bytes.Cut(b, []byte(":"))
	return ok && bytes.Contains(bytes.ToUpper(head), []byte("QUOTED-PRINTABLE"))
}

// property is one parsed vCard line.
type property struct {
	name   string            // upper case, group removed
	params map[string]string // upper-case keys; bare 2.1 parameters map to TYPE
	value  string            // raw value
}

// parseProperty splits "item1.TEL;TYPE=CELL:+44…".
func parseProperty(s string) (property, bool) {
	var p property
	// the name and parameters end at the first colon outside quotes
	inQuote := false
	colon := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			inQuote = !inQuote
		} else if s[i] == ':' && !inQuote {
			colon = i
			break
		}
	}
	if colon <= 0 {
		return p, false
	}
	head, value := s[:colon], s[colon+1:]
	parts := strings.Split(head, ";")
	name := parts[0]
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	p.name = strings.ToUpper(strings.TrimSpace(name))
	if p.name == "" {
		return p, false
	}
	p.params = map[string]string{}
	for _, param := range parts[1:] {
		k, v, ok := strings.Cut(param, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		if !ok { // vCard 2.1 bare parameter: TEL;CELL;PREF
			v, k = k, "TYPE"
			switch v {
			case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT":
				k = "ENCODING"
			}
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if old, seen := p.params[k]; seen {
			v = old + "," + v
		}
		p.params[k] = v
	}
	p.value = value
	return p, true
}

// text decodes a property's value: quoted-printable, character set, and
// (outside 2.1) backslash escapes. Structured values (N) are split on
// unescaped semicolons first.
func (p property) text(version string) []string {
	raw := p.value
	if strings.EqualFold(p.params["ENCODING"], "QUOTED-PRINTABLE") {
		if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(raw))); err == nil {
			raw = string(b)
		}
	}
	switch strings.ToUpper(p.params["CHARSET"]) {
	case "ISO-8859-1", "LATIN1", "WINDOWS-1252", "CP1252":
		if !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return r >= 0x80 }) {
			raw = latin1(raw)
		}
	}
	raw = strings.ToValidUTF8(raw, "\uFFFD")
	var fields []string
	var cur strings.Builder
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		switch {
		case ch == '\\' && i+1 < len(raw) && version != "2.1":
			i++
			switch raw[i] {
			case 'n', 'N':
				cur.WriteByte(' ')
			default:
				cur.WriteByte(raw[i])
			}
		case ch == ';':
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	return append(fields, cur.String())
}

// latin1 converts ISO-8859-1 bytes to UTF-8.
func latin1(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// card is the part of one vCard being read.
type card struct {
	line    int // BEGIN line
	version string
	fn, n   string
	org     string
	tels    []vline
	tel     []string // decoded numbers, parallel to tels
}

func (c *card) name() string {
	switch {
	case strings.TrimSpace(c.fn) != "":
		return c.fn
	case strings.TrimSpace(c.n) != "":
		return c.n
	}
	return c.org
}

// readVCards reads every card and hands its numbers to the collector.
func readVCards(br *bufio.Reader, c *collector, tr *tracker) error {
	lines := &vcardLines{br: br}
	var cur *card
	depth := 0
	sawCard := false
	finish := func() {
		if len(cur.tels) == 0 {
			c.sum.Skipped++ // a contact with no telephone number
		}
		name := cur.name()
		for i, l := range cur.tels {
			c.add(l.line, l.text, name, cur.tel[i])
		}
		cur = nil
	}
	for {
		l, ok := lines.next()
		if !ok {
			break
		}
		c.sum.Lines = lines.n
		if err := tr.line(l.line); err != nil {
			return err
		}
		if strings.TrimSpace(l.text) == "" {
			c.sum.Skipped++
			continue
		}
		p, ok := parseProperty(l.text)
		if !ok {
			c.sum.reject(l.line, l.text, "not a vCard line (NAME:value)")
			continue
		}
		switch {
		case p.name == "BEGIN" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			sawCard = true
			depth++
			if depth == 1 {
				cur = &card{line: l.line, version: "3.0"}
			}
			continue
		case p.name == "END" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			switch depth {
			case 0:
				c.sum.reject(l.line, l.text, "END:VCARD without BEGIN:VCARD")
			case 1:
				finish()
			}
			depth = max(0, depth-1)
			continue
		}
		if depth == 0 {
			c.sum.reject(l.line, l.text, "outside any vCard (no BEGIN:VCARD before it)")
			continue
		}
		if depth > 1 {
			continue // a card embedded in a 2.1 AGENT property
		}
		switch p.name {
		case "VERSION":
			cur.version = strings.TrimSpace(p.value)
		case "FN":
			cur.fn = strings.Join(p.text(cur.version), ";")
		case "N":
			// Family;Given;Additional;Prefix;Suffix -> "Prefix Given Additional Family Suffix"
			f := p.text(cur.version)
			for len(f) < 5 {
				f = append(f, "")
			}
			var parts []string
			for _, s := range []string{f[3], f[1], f[2], f[0], f[4]} {
				if s = strings.TrimSpace(strings.ReplaceAll(s, ",", " ")); s != "" {
					parts = append(parts, s)
				}
			}
			cur.n = strings.Join(parts, " ")
		case "ORG":
			cur.org = strings.TrimSpace(strings.Join(p.text(cur.version), " "))
		case "TEL":
			v := strings.TrimSpace(strings.Join(p.text(cur.version), ";"))
			if len(v) >= 4 && strings.EqualFold(v[:4], "tel:") {
				v = v[4:]
			}
			cur.tels = append(cur.tels, l)
			cur.tel = append(cur.tel, v)
		}
	}
	if lines.err != nil {
		return lines.err
	}
	if cur != nil {
		c.sum.reject(cur.line, "BEGIN:VCARD", "this vCard is not finished (no END:VCARD); its numbers are still read")
		finish()
	}
	if !sawCard {
		return errors.New("not a vCard file (no BEGIN:VCARD)")
	}
	return nil
}
