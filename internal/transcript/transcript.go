// Package transcript reads labelled call transcripts in the JSONL format
// of shared/data/README.md: one call per line,
//
//	{"id": "d-s01", "label": "scam", "category": "courier-police",
//	 "turns": [{"speaker": "caller", "text": "..."}]}
//
// It validates every line and names the line number in every error.
package transcript

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLine is the longest line accepted (a call of several hours).
const MaxLine = 4 << 20

// Turn is one speaker's turn.
type Turn struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
}

// Call is one labelled call.
type Call struct {
	ID       string `json:"id"`
	Label    string `json:"label,omitempty"`    // "scam", "benign" or empty when unknown
	Category string `json:"category,omitempty"` // a hint for people, never a detector input
	Turns    []Turn `json:"turns"`
	Line     int    `json:"-"` // 1-based line number in the file
}

// LineError is a malformed line.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Read calls fn for each call in r, in order. Blank lines are skipped. It
// stops at the first malformed line with a *LineError, or at the first
// error fn returns.
func Read(r io.Reader, fn func(Call) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	seen := map[string]int{}
	for line := 1; ; line++ {
		b, err := readLine(br)
		if len(b) == 0 && errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return &LineError{Line: line, Err: err}
		}
		if len(bytes.TrimSpace(b)) > 0 {
			c, perr := Parse(b)
			if perr != nil {
				return &LineError{Line: line, Err: perr}
			}
			if prev, dup := seen[c.ID]; dup {
				return &LineError{Line: line, Err: fmt.Errorf("id %q already used on line %d", c.ID, prev)}
			}
			seen[c.ID] = line
			c.Line = line
			if ferr := fn(c); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

var errTooLong = fmt.Errorf("line longer than %d bytes", MaxLine)

func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > MaxLine {
			// Skip the rest of the line so the caller's count stays right.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			return nil, errTooLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(out, "\r\n"), err
	}
}

// Parse decodes and validates one line.
func Parse(b []byte) (Call, error) {
	var c Call
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Call{}, fmt.Errorf("not a call object: %w", err)
	}
	if dec.More() {
		return Call{}, errors.New("more than one JSON value on the line")
	}
	if strings.TrimSpace(c.ID) == "" {
		return Call{}, errors.New(`missing "id"`)
	}
	switch c.Label {
	case "", "scam", "benign":
	default:
		return Call{}, fmt.Errorf("call %q: label %q: want scam or benign", c.ID, c.Label)
	}
	if len(c.Turns) == 0 {
		return Call{}, fmt.Errorf("call %q: no turns", c.ID)
	}
	for i, t := range c.Turns {
		if t.Speaker != "caller" && t.Speaker != "callee" {
			return Call{}, fmt.Errorf("call %q turn %d: speaker %q: want caller or callee", c.ID, i+1, t.Speaker)
		}
	}
	return c, nil
}
