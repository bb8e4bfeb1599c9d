package testpeer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SippOptions configures one SIPp run. Zero values give a single UDP call with
// bounded timeouts.
type SippOptions struct {
	// Scenario is the name of an embedded scenario (see Scenarios(), e.g.
	// "uac_call.xml") or the path of a SIPp XML file, which is used verbatim.
	Scenario string
	// Remote is the host:port a UAC sends its INVITE to. Empty for a UAS.
	Remote string
	// Service is the user part of the Request-URI and To (-s). Default "service".
	Service string
	// CallerID is the user part of From (the caller ID a trunk presents), e.g.
	// "+441632960001" or "anonymous". Default "sipp".
	CallerID string
	// CallerName is the display name in From; empty leaves it out.
	CallerName string
	// CallerHost is the host part of From. Default "[local_ip]:[local_port]".
	CallerHost string
	// Callee is the user part of a UAS's Contact. Default "sipp".
	Callee string
	// Headers are extra header lines for the INVITE (UAC) or the final response
	// (UAS), e.g. "P-Asserted-Identity: <sip:+441632960001@trunk>", "Privacy: id".
	Headers []string

	// Transport is "udp" (default, -t u1) or "tcp" (-t t1).
	Transport string
	// Calls is the number of calls to place or answer before exiting (-m). Default 1.
	Calls int
	// Rate is the call rate (-r) per RatePeriod (-rp, default 1s). Zero keeps
	// SIPp's default of 10 calls per second.
	Rate       float64
	RatePeriod time.Duration
	// MaxConcurrent limits simultaneous calls (-l); zero is SIPp's default.
	MaxConcurrent int

	// Timeout is the global limit after which SIPp quits and the run fails
	// (-timeout with -timeout_error). Default 30s.
	Timeout time.Duration
	// RecvTimeout bounds every wait for a message (-recv_timeout); a call that
	// waits longer fails. Default 10s.
	RecvTimeout time.Duration

	// Hold is how long an answered call lasts before this peer hangs up
	// (uac_call, uas_answer_bye). Default 2s.
	Hold time.Duration
	// Ring is how long a UAS rings before answering (uas_answer,
	// uas_answer_bye, uas_busy; default 0) or before giving up with 480
	// (uas_ring_noanswer; default 10s), and how long uac_cancel lets it ring
	// before sending CANCEL (default 200ms).
	Ring time.Duration
	// ExpectCode is the final response uac_expect_code requires (e.g. 403, 486).
	ExpectCode int
	// ResponseCode is the final response uas_busy sends. Default 486; the
	// reason phrase is taken from ResponseReason or a built-in table.
	ResponseCode   int
	ResponseReason string
	// AuthUser and AuthPassword are the credentials uas_register accepts;
	// Expires is the registration lifetime it grants (default 60).
	AuthUser, AuthPassword string
	Expires                int

	// Audio is a WAV file (any format sox reads; 8 kHz mono 16-bit needs no
	// sox) streamed once as PCMU with SIPp's rtp_stream after the call is
	// answered. It needs no privileges.
	Audio string
	// AudioLoops is how many times Audio is played (-1 loops until the call
	// ends). Default 1.
	AudioLoops int
	// Media is an RTP script (speech, RFC 4733 events, in-band tones) played
	// with play_pcap_audio MediaDelay after the answer (after Audio has
	// started). play_pcap_audio uses a raw socket: it needs root.
	Media      *RTPScript
	MediaDelay time.Duration
	// RTPEcho echoes every RTP packet SIPp receives back to its sender (-rtp_echo).
	RTPEcho bool
	// CaptureRTP records, with tcpdump on lo, every UDP packet sent to SIPp's
	// media port, returned in SippResult.RTP. Needs root and tcpdump.
	CaptureRTP bool
	// NoMessageTrace turns off -trace_msg (for load runs).
	NoMessageTrace bool

	// Keys and Vars are passed as -key and -set, for custom scenarios.
	Keys, Vars map[string]string
	// Args are extra raw SIPp arguments.
	Args []string
	// LocalIP is the loopback address SIPp binds for SIP and RTP
	// (default 127.0.0.1); e.g. 127.0.0.2 plays a stranger that is not the
	// configured provider.
	LocalIP string
}

// Sipp is a running SIPp process.
type Sipp struct {
	t         testing.TB
	opts      SippOptions
	dir       string
	proc      *process
	port      int
	mediaPort int
	transport string
	capture   *Capture
	stdout    *syncBuffer
	result    *SippResult
}

// SippResult is what a finished SIPp run reports.
type SippResult struct {
	// ExitCode is SIPp's exit status: 0 all calls succeeded, 1 at least one
	// failed, 97 stopped by an internal command, 99 ended without processing a
	// call, 255 fatal error, 254 could not bind its socket; -1 killed.
	ExitCode int
	// Successful and Failed are the cumulative call counts of the final
	// -trace_stat line ("Successful call", "Failed call").
	Successful, Failed int
	// Stats is the final -trace_stat line, column name to value, e.g.
	// "SuccessfulCall(C)", "FailedCallRejected(C)", "Retransmissions(C)",
	// "ResponseTime1(C)" (hh:mm:ss:µs), "CallLength(C)".
	Stats map[string]string
	// Messages is the SIP message trace (-trace_msg), sent and received.
	Messages []SIPMessage
	// RTP holds the packets that reached SIPp's media port (CaptureRTP only).
	RTP []RTPPacket
	// Screen is SIPp's final screen (-trace_screen); Errors its error log
	// (-trace_err, unexpected messages and aborts), both truncated.
	Screen, Errors string
	// Dir is the run directory (scenario, logs); removed when the test ends.
	Dir string
}

// StartSipp renders the scenario, starts SIPp on 127.0.0.1 with free SIP,
// media and control ports, and returns once its SIP socket is bound (so a UAS
// is ready for calls). The process is killed when ctx ends or the test is
// cleaned up.
func StartSipp(ctx context.Context, t testing.TB, opts SippOptions) (*Sipp, error) {
	t.Helper()
	s := &Sipp{t: t, opts: opts, dir: t.TempDir(), stdout: newSyncBuffer(64 << 10)}
	if err := s.defaults(); err != nil {
		return nil, err
	}
	scenario, err := s.prepareScenario(ctx)
	if err != nil {
		return nil, err
	}
	args, err := s.args(scenario)
	if err != nil {
		return nil, err
	}
	if opts.CaptureRTP {
		if s.capture, err = CaptureRTP(ctx, t, s.mediaPort); err != nil {
			return nil, err
		}
	}
	s.proc, err = startProcess(ctx, t, s.dir, s.stdout, s.stdout, "sipp", args...)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		if t.Failed() && s.result == nil {
			t.Logf("testpeer: sipp %s still running at test end; output:\n%s", s.opts.Scenario, tail(s.stdout.String(), 2000))
		}
	})
	network := "udp"
	if s.transport == "tcp" {
		network = "tcp"
	}
	if err := waitListening(ctx, s.proc, network, s.port); err != nil {
		return nil, fmt.Errorf("%w\nsipp output:\n%s", err, tail(s.stdout.String(), 2000))
	}
	return s, nil
}

// RunSipp starts SIPp and waits for it to finish. The error reports harness
// problems only; check SippResult.OK for the calls' outcome.
func RunSipp(ctx context.Context, t testing.TB, opts SippOptions) (*SippResult, error) {
	t.Helper()
	s, err := StartSipp(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	return s.Wait(ctx)
}

// defaults fills in option defaults and picks ports.
func (s *Sipp) defaults() error {
	o := &s.opts
	if o.Scenario == "" {
		return errors.New("testpeer: SippOptions.Scenario is required")
	}
	switch strings.ToLower(o.Transport) {
	case "", "udp":
		s.transport = "udp"
	case "tcp":
		s.transport = "tcp"
	default:
		return fmt.Errorf("testpeer: unsupported SIPp transport %q (udp, tcp)", o.Transport)
	}
	if strings.HasPrefix(o.Scenario, "uac") && o.Remote == "" {
		return fmt.Errorf("testpeer: scenario %s needs SippOptions.Remote", o.Scenario)
	}
	if o.Service == "" {
		o.Service = "service"
	}
	if o.CallerID == "" {
		o.CallerID = "sipp"
	}
	if o.Callee == "" {
		o.Callee = "sipp"
	}
	if o.Calls <= 0 {
		o.Calls = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.RecvTimeout <= 0 {
		o.RecvTimeout = 10 * time.Second
	}
	if o.Hold <= 0 {
		o.Hold = 2 * time.Second
	}
	if o.Ring <= 0 {
		switch o.Scenario {
		case "uas_ring_noanswer.xml":
			o.Ring = 10 * time.Second
		case "uac_cancel.xml":
			o.Ring = 200 * time.Millisecond
		}
	}
	if o.ResponseCode == 0 {
		o.ResponseCode = 486
	}
	if o.ResponseReason == "" {
		o.ResponseReason = reasonPhrase(o.ResponseCode)
	}
	if o.Expires == 0 {
		o.Expires = 60
	}
	if o.AudioLoops == 0 {
		o.AudioLoops = 1
	}
	if o.Scenario == "uac_expect_code.xml" && o.ExpectCode == 0 {
		return errors.New("testpeer: uac_expect_code.xml needs SippOptions.ExpectCode")
	}
	if o.Media != nil && os.Geteuid() != 0 {
		return errors.New("testpeer: SippOptions.Media uses play_pcap_audio, which needs root (raw socket)")
	}
	var err error
	if s.transport == "tcp" {
		s.port, err = FreeTCPPort()
	} else {
		s.port, err = FreeUDPPort()
	}
	if err != nil {
		return err
	}
	// SIPp binds the audio socket at -mp and a video socket at -mp+2.
	s.mediaPort, err = freePortGroup(portNeed{udp: true}, portNeed{offset: 1, udp: true}, portNeed{offset: 2, udp: true})
	return err
}

// prepareScenario writes the scenario (and its media files) into the run dir.
func (s *Sipp) prepareScenario(ctx context.Context) (string, error) {
	o := s.opts
	if !isEmbeddedScenario(o.Scenario) {
		if _, err := os.Stat(o.Scenario); err != nil {
			return "", fmt.Errorf("testpeer: scenario %q is neither embedded (%v) nor a file: %w", o.Scenario, Scenarios(), err)
		}
		return filepath.Abs(o.Scenario)
	}
	host := o.CallerHost
	if host == "" {
		host = "[local_ip]:[local_port]"
	}
	from := fmt.Sprintf("<sip:%s@%s>", o.CallerID, host)
	if o.CallerName != "" {
		from = strconv.Quote(o.CallerName) + " " + from
	}
	d := scenarioData{
		From: from, Caller: o.CallerID, Callee: o.Callee, Headers: o.Headers,
		ExpectCode: o.ExpectCode, ResponseCode: o.ResponseCode, ResponseReason: o.ResponseReason,
		HoldMS: o.Hold.Milliseconds(), RingMS: o.Ring.Milliseconds(),
		AudioLoops: o.AudioLoops, AudioPT: 0, PCAPDelayMS: o.MediaDelay.Milliseconds(),
		AuthUser: o.AuthUser, AuthPassword: o.AuthPassword, Expires: o.Expires,
	}
	if o.Audio != "" {
		raw := filepath.Join(s.dir, "audio.pcmu")
		if err := wavToPCMUFile(ctx, o.Audio, raw, s.dir); err != nil {
			return "", err
		}
		d.AudioFile = raw
	}
	if o.Media != nil {
		pcap := filepath.Join(s.dir, "media.pcap")
		if err := o.Media.WritePCAP(pcap); err != nil {
			return "", err
		}
		d.PCAPFile = pcap
	}
	return renderScenario(o.Scenario, d, s.dir)
}

// args builds SIPp's command line.
func (s *Sipp) args(scenario string) ([]string, error) {
	o := s.opts
	ctrlPort, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	tr := "u1"
	if s.transport == "tcp" {
		tr = "t1"
	}
	ip := s.localIP()
	a := []string{
		"-sf", scenario,
		"-i", ip, "-p", strconv.Itoa(s.port), "-t", tr,
		"-mi", ip, "-mp", strconv.Itoa(s.mediaPort),
		"-ci", "127.0.0.1", "-cp", strconv.Itoa(ctrlPort),
		"-s", o.Service,
		"-m", strconv.Itoa(o.Calls),
		"-timeout", strconv.FormatInt(int64(o.Timeout.Seconds()+0.999), 10) + "s", "-timeout_error",
		"-recv_timeout", millis(o.RecvTimeout),
		"-nostdin",
		"-trace_stat", "-stf", filepath.Join(s.dir, "stat.csv"), "-fd", "1",
		"-trace_screen", "-screen_file", filepath.Join(s.dir, "screen.log"),
		"-trace_err", "-error_file", filepath.Join(s.dir, "errors.log"),
	}
	if !o.NoMessageTrace {
		a = append(a, "-trace_msg", "-message_file", filepath.Join(s.dir, "messages.log"))
	}
	if o.Rate > 0 {
		a = append(a, "-r", strconv.FormatFloat(o.Rate, 'f', -1, 64))
		if o.RatePeriod > 0 {
			a = append(a, "-rp", millis(o.RatePeriod))
		}
	}
	if o.MaxConcurrent > 0 {
		a = append(a, "-l", strconv.Itoa(o.MaxConcurrent))
	}
	if o.RTPEcho {
		a = append(a, "-rtp_echo")
	}
	for k, v := range o.Keys {
		a = append(a, "-key", k, v)
	}
	for k, v := range o.Vars {
		a = append(a, "-set", k, v)
	}
	a = append(a, o.Args...)
	if o.Remote != "" {
		a = append(a, o.Remote)
	}
	return a, nil
}

// Port returns SIPp's SIP port on 127.0.0.1.
func (s *Sipp) Port() int { return s.port }

// Addr returns SIPp's SIP address, "127.0.0.1:port".
func (s *Sipp) Addr() string { return fmt.Sprintf("%s:%d", s.localIP(), s.port) }

func (s *Sipp) localIP() string {
	if s.opts.LocalIP != "" {
		return s.opts.LocalIP
	}
	return "127.0.0.1"
}

// MediaPort returns SIPp's RTP port (-mp), the one in its SDP.
func (s *Sipp) MediaPort() int { return s.mediaPort }

// URI returns a SIP URI for user at this SIPp, with ;transport=tcp for TCP.
func (s *Sipp) URI(user string) string {
	u := fmt.Sprintf("sip:%s@%s", user, s.Addr())
	if s.transport == "tcp" {
		u += ";transport=tcp"
	}
	return u
}

// Dir returns the run directory (rendered scenario, logs).
func (s *Sipp) Dir() string { return s.dir }

// Wait waits for SIPp to exit and collects its result. If ctx ends first SIPp
// is killed and the partial result is returned with ctx's error.
func (s *Sipp) Wait(ctx context.Context) (*SippResult, error) {
	werr := s.proc.wait(ctx)
	res, err := s.collect()
	if werr != nil {
		return res, werr
	}
	return res, err
}

// Stop asks SIPp to finish (SIGUSR1: like pressing q, no new calls, running
// calls end), kills it after a grace period, and collects the result.
func (s *Sipp) Stop() (*SippResult, error) {
	s.proc.stop(syscall.SIGUSR1, 3*time.Second)
	return s.collect()
}

// collect reads the logs of the finished run.
func (s *Sipp) collect() (*SippResult, error) {
	if s.result != nil {
		return s.result, nil
	}
	res := &SippResult{ExitCode: s.proc.exitCode(), Dir: s.dir}
	var errs []error
	if s.capture != nil {
		pkts, err := s.capture.Stop()
		res.RTP = pkts
		if err != nil {
			errs = append(errs, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(s.dir, "stat.csv")); err == nil {
		res.Stats = parseStatCSV(string(b))
		res.Successful, _ = strconv.Atoi(res.Stats["SuccessfulCall(C)"])
		res.Failed, _ = strconv.Atoi(res.Stats["FailedCall(C)"])
	} else if res.ExitCode == 0 || res.ExitCode == 1 {
		errs = append(errs, fmt.Errorf("testpeer: sipp statistics: %w", err))
	}
	if b, err := os.ReadFile(filepath.Join(s.dir, "messages.log")); err == nil {
		res.Messages = ParseSIPTrace(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(s.dir, "screen.log")); err == nil {
		res.Screen = tail(string(b), 8000)
	}
	if b, err := os.ReadFile(filepath.Join(s.dir, "errors.log")); err == nil {
		res.Errors = tail(string(b), 4000)
	}
	if res.Screen == "" {
		res.Screen = tail(s.stdout.String(), 4000)
	}
	s.result = res
	if s.t.Failed() {
		s.t.Logf("testpeer: %s", res.Summary())
	}
	return res, errors.Join(errs...)
}

// parseStatCSV returns the last data line of a -trace_stat file by column.
func parseStatCSV(text string) map[string]string {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		return map[string]string{}
	}
	head, last := recs[0], recs[len(recs)-1]
	out := make(map[string]string, len(head))
	for i, h := range head {
		if i < len(last) && h != "" {
			out[h] = last[i]
		}
	}
	return out
}

// OK reports whether SIPp exited 0 with at least one successful and no failed call.
func (r *SippResult) OK() bool {
	return r.ExitCode == 0 && r.Failed == 0 && r.Successful > 0
}

// Summary describes the run for test failure messages: exit code, counts, the
// SIP start lines and the end of SIPp's error log.
func (r *SippResult) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sipp exit=%d successful=%d failed=%d", r.ExitCode, r.Successful, r.Failed)
	if n := len(r.Messages); n > 0 {
		b.WriteString("\nmessages:")
		for i, m := range r.Messages {
			if i == 40 {
				fmt.Fprintf(&b, "\n  … %d more", n-i)
				break
			}
			fmt.Fprintf(&b, "\n  %s %s", m.Dir, m.StartLine)
		}
	}
	if r.Errors != "" {
		fmt.Fprintf(&b, "\nerrors log:\n%s", tail(r.Errors, 1500))
	}
	if !r.OK() && r.Screen != "" {
		fmt.Fprintf(&b, "\nscreen:\n%s", tail(r.Screen, 2500))
	}
	return b.String()
}

// Received returns the messages SIPp received.
func (r *SippResult) Received() []SIPMessage { return r.filter(Received) }

// Sent returns the messages SIPp sent.
func (r *SippResult) Sent() []SIPMessage { return r.filter(Sent) }

func (r *SippResult) filter(d Direction) []SIPMessage {
	var out []SIPMessage
	for _, m := range r.Messages {
		if m.Dir == d {
			out = append(out, m)
		}
	}
	return out
}

// ReceivedRequest returns the first request with method that SIPp received.
func (r *SippResult) ReceivedRequest(method string) (SIPMessage, bool) {
	for _, m := range r.Messages {
		if m.Dir == Received && m.Method == strings.ToUpper(method) {
			return m, true
		}
	}
	return SIPMessage{}, false
}

// FinalResponse returns the last final (>= 200) status code of the responses
// to method (by CSeq) that SIPp received, or 0 if none arrived.
func (r *SippResult) FinalResponse(method string) int {
	code := 0
	for _, m := range r.Messages {
		if m.Dir == Received && m.StatusCode >= 200 && m.CSeqMethod() == strings.ToUpper(method) {
			code = m.StatusCode
		}
	}
	return code
}

// SentResponses returns the status codes SIPp sent for method, in order.
func (r *SippResult) SentResponses(method string) []int {
	var out []int
	for _, m := range r.Messages {
		if m.Dir == Sent && m.StatusCode > 0 && m.CSeqMethod() == strings.ToUpper(method) {
			out = append(out, m.StatusCode)
		}
	}
	return out
}

// reasonPhrase returns a reason phrase for common final responses.
func reasonPhrase(code int) string {
	switch code {
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	}
	return "Error"
}
