package testpeer

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Direction says whether a traced SIP message was sent or received by the peer.
type Direction int

// Directions of traced messages.
const (
	Sent Direction = iota + 1
	Received
)

// String returns "sent" or "received".
func (d Direction) String() string {
	switch d {
	case Sent:
		return "sent"
	case Received:
		return "received"
	}
	return "unknown"
}

// Header is one SIP header line.
type Header struct {
	Name  string
	Value string
}

// SIPMessage is one SIP message from a peer's message trace (SIPp -trace_msg).
type SIPMessage struct {
	Time       time.Time // as logged by the peer (local time)
	Dir        Direction
	Transport  string // "UDP", "TCP"
	Raw        string // the message as logged
	StartLine  string
	Method     string // request method; empty for responses
	RequestURI string // request URI; empty for responses
	StatusCode int    // response status; 0 for requests
	Reason     string // response reason phrase
	Headers    []Header
	Body       string
}

// compactHeaders maps RFC 3261 compact header names to their full names.
var compactHeaders = map[string]string{
	"f": "from", "t": "to", "i": "call-id", "m": "contact", "v": "via", "l": "content-length",
	"c": "content-type", "s": "subject", "k": "supported", "e": "content-encoding", "o": "event",
	"r": "refer-to", "b": "referred-by", "x": "session-expires", "u": "allow-events",
}

func canonicalHeader(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if full, ok := compactHeaders[n]; ok {
		return full
	}
	return n
}

// IsRequest reports whether m is a request.
func (m SIPMessage) IsRequest() bool { return m.Method != "" }

// Header returns the value of the first header called name (case-insensitive,
// compact forms understood), or "".
func (m SIPMessage) Header(name string) string {
	if v := m.HeaderValues(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// HeaderValues returns the values of every header called name, in order.
func (m SIPMessage) HeaderValues(name string) []string {
	want := canonicalHeader(name)
	var out []string
	for _, h := range m.Headers {
		if canonicalHeader(h.Name) == want {
			out = append(out, h.Value)
		}
	}
	return out
}

// CSeqMethod returns the method named in the CSeq header.
func (m SIPMessage) CSeqMethod() string {
	f := strings.Fields(m.Header("CSeq"))
	if len(f) < 2 {
		return ""
	}
	return strings.ToUpper(f[1])
}

// CallID returns the Call-ID header.
func (m SIPMessage) CallID() string { return m.Header("Call-ID") }

// String returns the start line and direction, for test failure messages.
func (m SIPMessage) String() string { return m.Dir.String() + ": " + m.StartLine }

var (
	traceSeparator = regexp.MustCompile(`^-{10,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*$`)
	traceHeading   = regexp.MustCompile(`^(\S+) message (received|sent)\b`)
)

// ParseSIPTrace parses the text of a SIPp message trace (-trace_msg) into
// messages. Blocks that are not messages (SIPp's own notes) are skipped.
func ParseSIPTrace(text string) []SIPMessage {
	var (
		out   []SIPMessage
		stamp time.Time
		block []string
	)
	flush := func() {
		if len(block) > 0 {
			if m, ok := parseTraceBlock(stamp, block); ok {
				out = append(out, m)
			}
		}
		block = nil
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if sm := traceSeparator.FindStringSubmatch(line); sm != nil {
			flush()
			stamp, _ = time.ParseInLocation("2006-01-02 15:04:05.999999", sm[1], time.Local)
			continue
		}
		block = append(block, line)
	}
	flush()
	return out
}

// parseTraceBlock parses the lines between two separators.
func parseTraceBlock(stamp time.Time, lines []string) (SIPMessage, bool) {
	// Skip to the "UDP message sent" heading and the empty line after it.
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i >= len(lines) {
		return SIPMessage{}, false
	}
	hm := traceHeading.FindStringSubmatch(lines[i])
	if hm == nil {
		return SIPMessage{}, false
	}
	m := SIPMessage{Time: stamp, Transport: hm[1], Dir: Sent}
	if hm[2] == "received" {
		m.Dir = Received
	}
	i++
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	msg := lines[i:]
	for len(msg) > 0 && strings.TrimSpace(msg[len(msg)-1]) == "" {
		msg = msg[:len(msg)-1]
	}
	if len(msg) == 0 {
		return SIPMessage{}, false
	}
	m.Raw = strings.Join(msg, "\r\n")
	parseSIPMessage(&m, msg)
	return m, true
}

// parseSIPMessage fills the parsed fields of m from its lines.
func parseSIPMessage(m *SIPMessage, lines []string) {
	m.StartLine = strings.TrimSpace(lines[0])
	f := strings.SplitN(m.StartLine, " ", 3)
	if len(f) >= 2 && strings.HasPrefix(f[0], "SIP/") {
		m.StatusCode, _ = strconv.Atoi(f[1])
		if len(f) == 3 {
			m.Reason = f[2]
		}
	} else if len(f) >= 2 {
		m.Method = strings.ToUpper(f[0])
		m.RequestURI = f[1]
	}
	i := 1
	for ; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" {
			i++
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(m.Headers) > 0 { // folded line
			m.Headers[len(m.Headers)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		m.Headers = append(m.Headers, Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	if i < len(lines) {
		m.Body = strings.Join(lines[i:], "\r\n") + "\r\n"
	}
}

// SDPAudio is the first audio stream of an SDP body (RFC 4566), enough to
// assert what a peer was offered or answered.
type SDPAudio struct {
	Addr      string         // connection address (media-level c= if present, else session-level)
	Port      int            // m=audio port; 0 means the stream was refused
	Payloads  []int          // payload types in m= order
	RTPMap    map[int]string // payload type -> encoding, e.g. 0 -> "PCMU/8000", 101 -> "telephone-event/8000"
	Direction string         // sendrecv (default), sendonly, recvonly or inactive
}

// ParseSDPAudio returns the first m=audio stream of body.
func ParseSDPAudio(body string) (SDPAudio, bool) {
	var (
		a       SDPAudio
		inAudio bool
		found   bool
	)
	a.RTPMap = map[int]string{}
	a.Direction = "sendrecv"
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "m="):
			if found {
				return a, true
			}
			f := strings.Fields(line[2:])
			inAudio = len(f) >= 3 && f[0] == "audio"
			if inAudio {
				found = true
				a.Port, _ = strconv.Atoi(f[1])
				for _, pt := range f[3:] {
					if n, err := strconv.Atoi(pt); err == nil {
						a.Payloads = append(a.Payloads, n)
					}
				}
			}
		case strings.HasPrefix(line, "c="):
			if f := strings.Fields(line[2:]); len(f) == 3 && (inAudio || !found) {
				a.Addr = f[2]
			}
		case inAudio && strings.HasPrefix(line, "a=rtpmap:"):
			pt, enc, ok := strings.Cut(line[len("a=rtpmap:"):], " ")
			if n, err := strconv.Atoi(pt); ok && err == nil {
				a.RTPMap[n] = strings.TrimSpace(enc)
			}
		case inAudio && (line == "a=sendrecv" || line == "a=sendonly" || line == "a=recvonly" || line == "a=inactive"):
			a.Direction = line[2:]
		}
	}
	return a, found
}

// HasEncoding reports whether the stream offers an encoding by name,
// case-insensitively, e.g. "PCMU" or "telephone-event".
func (a SDPAudio) HasEncoding(name string) bool {
	for _, pt := range a.Payloads {
		enc, ok := a.RTPMap[pt]
		if !ok { // static payload types need no rtpmap
			enc = map[int]string{0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 18: "G729/8000"}[pt]
		}
		if n, _, _ := strings.Cut(enc, "/"); strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}
