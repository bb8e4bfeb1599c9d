package media

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of the SDP lexer and grammar; ParseSDP adds the line number.
var (
	errSDPEnd    = errors.New("body ends inside a line")
	errSDPSyntax = errors.New("syntax error")
)

// sdpLexer reads an SDP body the way pion/sdp's lexer does.
type sdpLexer struct {
	s   string
	pos int
}

func isSDPNewline(c byte) bool { return c == '\r' || c == '\n' }
func isSDPSpace(c byte) bool   { return c == ' ' || c == '\t' }

// lineType reads the type letter and '=' of the next line, skipping empty
// lines. end is set at the end of the body, and (as in pion) when a single
// byte is left where a line would start.
func (l *sdpLexer) lineType() (key byte, end bool, err error) {
	for l.pos < len(l.s) && isSDPNewline(l.s[l.pos]) {
		l.pos++
	}
	if l.pos == len(l.s) {
		return 0, true, nil
	}
	key = l.s[l.pos]
	l.pos++
	if l.pos == len(l.s) {
		return 0, true, nil // a last stray byte: pion ignores it
	}
	if l.s[l.pos] != '=' {
		return key, false, fmt.Errorf("%w: %q after the line type", errSDPSyntax, l.s[l.pos])
	}
	l.pos++
	return key, false, nil
}

// skipSpace skips spaces and tabs.
func (l *sdpLexer) skipSpace() {
	for l.pos < len(l.s) && isSDPSpace(l.s[l.pos]) {
		l.pos++
	}
}

// nextLine skips the line break (any run of CR and LF).
func (l *sdpLexer) nextLine() {
	for l.pos < len(l.s) && isSDPNewline(l.s[l.pos]) {
		l.pos++
	}
}

// field reads the next field of the line and the spaces after it; it is
// "" at the end of the line. At the end of the body it is an error unless
// it read something.
func (l *sdpLexer) field() (string, error) {
	start := l.pos
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		if isSDPNewline(c) {
			return l.s[start:l.pos], nil
		}
		if isSDPSpace(c) {
			f := l.s[start:l.pos]
			l.skipSpace()
			return f, nil
		}
		l.pos++
	}
	if l.pos > start {
		return l.s[start:l.pos], nil
	}
	return "", errSDPEnd
}

// uintField reads a field of decimal digits (none: 0), wrapping around
// past 2^64-1 as pion does. At the end of the body it is an error unless
// the number is positive.
func (l *sdpLexer) uintField() (uint64, error) {
	var n uint64
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		switch {
		case isSDPNewline(c):
			return n, nil
		case isSDPSpace(c):
			l.skipSpace()
			return n, nil
		case c < '0' || c > '9':
			return n, fmt.Errorf("%w: %q in a number", errSDPSyntax, c)
		}
		n = n*10 + uint64(c-'0')
		l.pos++
	}
	if n > 0 {
		return n, nil
	}
	return 0, errSDPEnd
}

// text reads the rest of the line as text, up to a '\n' (which must come).
// Like pion, it drops as many bytes from the end as there are '\r's in the
// line: one for the usual CRLF.
func (l *sdpLexer) text() (string, error) {
	i := strings.IndexByte(l.s[l.pos:], '\n')
	if i < 0 {
		return "", errSDPEnd
	}
	v := l.s[l.pos : l.pos+i]
	l.pos += i + 1
	return v[:len(v)-strings.Count(v, "\r")], nil
}

// lineNumber is the 1-based line of byte offset pos, for errors.
func (l *sdpLexer) lineNumber(pos int) int { return 1 + strings.Count(l.s[:pos], "\n") }
