package testpeer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BaresipOptions configures a baresip softphone playing the protected phone.
type BaresipOptions struct {
	// Registrar is the host:port the phone registers to (clearline). Empty
	// means no registration (regint=0): the phone is called directly at
	// (*Baresip).URI and dials URIs directly.
	Registrar string
	// User is the account's user (default "phone"); Password its digest
	// password (auth_pass); AuthUser the digest user when it differs.
	User, Password, AuthUser string
	// DisplayName is the account's display name.
	DisplayName string
	// AutoAnswer answers incoming calls at once (answermode=auto).
	AutoAnswer bool
	// AudioSource is a WAV the phone "speaks" into every call from its start
	// (converted to 8 kHz mono 16-bit when needed). Empty: silence.
	AudioSource string
	// Record keeps what the phone hears (decoded RTP) as WAV files:
	// RecordingPath, Recordings.
	Record bool
	// Transport is "udp" (default) or "tcp" for registration and calls.
	Transport string
	// RegInterval is the registration interval (regint). Default 60s.
	RegInterval time.Duration
	// MaxLifetime ends baresip on its own after this long (baresip -t), so
	// nothing outlives a stuck test. Default 120s. Audio sources are padded
	// with silence to this length: baresip 1.0.0 hangs up a call when its
	// aufile source reaches the end of the file.
	MaxLifetime time.Duration
	// AccountParams are extra account parameters, e.g. ";ptime=20".
	AccountParams string
	// Config are extra configuration lines.
	Config []string
}

// BaresipEvent is one event from baresip's ctrl_tcp interface.
type BaresipEvent struct {
	Type       string `json:"type"`  // CALL_INCOMING, CALL_ESTABLISHED, CALL_CLOSED, REGISTER_OK, ...
	Class      string `json:"class"` // call, register, other
	AccountAOR string `json:"accountaor"`
	Direction  string `json:"direction"` // incoming, outgoing
	PeerURI    string `json:"peeruri"`
	ID         string `json:"id"`    // call id
	Param      string `json:"param"` // e.g. the reason of CALL_CLOSED, the digit of CALL_DTMF_START
	Raw        string `json:"-"`
}

// Baresip event types used by tests (baresip 1.0.0's names).
const (
	EventRegisterOK      = "REGISTER_OK"
	EventRegisterFail    = "REGISTER_FAIL"
	EventUnregistering   = "UNREGISTERING"
	EventCallIncoming    = "CALL_INCOMING"
	EventCallRinging     = "CALL_RINGING"
	EventCallProgress    = "CALL_PROGRESS"
	EventCallEstablished = "CALL_ESTABLISHED"
	EventCallClosed      = "CALL_CLOSED"
	EventCallRTPEstab    = "CALL_RTPESTAB"
	EventDTMFStart       = "CALL_DTMF_START"
	EventDTMFEnd         = "CALL_DTMF_END"
	EventAudioError      = "AUDIO_ERROR"
)

// Baresip is a running baresip softphone controlled over ctrl_tcp.
type Baresip struct {
	t         testing.TB
	opts      BaresipOptions
	dir       string
	recDir    string
	sipPort   int
	transport string
	proc      *process
	log       *syncBuffer
	conn      net.Conn

	mu      sync.Mutex
	events  []BaresipEvent
	cursor  map[string]int // per event type: index of the next event WaitEvent returns
	changed chan struct{}  // closed and replaced when events or responses change
	replies map[string]ctrlReply
	readErr error
	token   int
	writeMu sync.Mutex
}

// ctrlReply is a ctrl_tcp command response.
type ctrlReply struct {
	OK   bool   `json:"ok"`
	Data string `json:"data"`
}

// StartBaresip writes a configuration into a temp dir, starts baresip bound
// to 127.0.0.1 on free ports, and connects to its ctrl_tcp interface. It does
// not wait for registration: call WaitRegistered. baresip is stopped when ctx
// ends or the test is cleaned up. A port can be taken by another process
// between being found free and baresip binding it; baresip then exits with
// "Address already in use", and it is started again on new ports (up to
// bindAttempts times).
func StartBaresip(ctx context.Context, t testing.TB, opts BaresipOptions) (*Baresip, error) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		b, err := startBaresip(ctx, t, opts)
		if err != nil && attempt < bindAttempts && b != nil && strings.Contains(b.log.String(), "Address already in use") {
			t.Logf("testpeer: baresip lost its port to another process (attempt %d); starting it on new ports", attempt)
			continue
		}
		return b, err
	}
}

const bindAttempts = 3

// baresipPort picks baresip's SIP port: UDP and TCP free on it, and TCP on
// the next port. A variable so that a test can hand out a taken port.
var baresipPort = func() (int, error) {
	return freePortGroup(portNeed{udp: true, tcp: true}, portNeed{offset: 1, tcp: true})
}

// startBaresip is one attempt of StartBaresip. b is returned with the error
// once baresip was started, so that its log can be read.
func startBaresip(ctx context.Context, t testing.TB, opts BaresipOptions) (*Baresip, error) {
	b := &Baresip{t: t, opts: opts, dir: t.TempDir(), log: newSyncBuffer(256 << 10),
		cursor: map[string]int{}, changed: make(chan struct{}), replies: map[string]ctrlReply{}}
	if err := b.defaults(); err != nil {
		return nil, err
	}
	ctrlPort, err := b.writeConfig(ctx)
	if err != nil {
		return nil, err
	}
	args := []string{"-f", b.dir, "-t", strconv.Itoa(int(b.opts.MaxLifetime.Seconds()))}
	b.proc, err = startProcess(ctx, t, b.dir, b.log, b.log, "baresip", args...)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("testpeer: baresip (%s) log:\n%s", b.URI(), tail(b.log.String(), 6000))
		}
	})
	if err := b.connect(ctx, ctrlPort); err != nil {
		return b, fmt.Errorf("%w\nbaresip log:\n%s", err, tail(b.log.String(), 3000))
	}
	if _, err := b.Command(ctx, "uanew", b.accountLine()); err != nil {
		return nil, fmt.Errorf("%w\nbaresip log:\n%s", err, tail(b.log.String(), 3000))
	}
	return b, nil
}

// defaults validates and completes the options and picks the SIP port.
func (b *Baresip) defaults() error {
	o := &b.opts
	if o.User == "" {
		o.User = "phone"
	}
	if o.AuthUser == "" {
		o.AuthUser = o.User
	}
	switch strings.ToLower(o.Transport) {
	case "", "udp":
		b.transport = "udp"
	case "tcp":
		b.transport = "tcp"
	default:
		return fmt.Errorf("testpeer: unsupported baresip transport %q (udp, tcp)", o.Transport)
	}
	if o.RegInterval <= 0 {
		o.RegInterval = 60 * time.Second
	}
	if o.MaxLifetime <= 0 {
		o.MaxLifetime = 120 * time.Second
	}
	for _, v := range []string{o.User, o.Password, o.AuthUser, o.DisplayName, o.Registrar} {
		if strings.ContainsAny(v, "\r\n;<>\"") {
			return fmt.Errorf("testpeer: baresip option value %q contains one of ; < > \" or a line break", v)
		}
	}
	// baresip listens for SIP on UDP and TCP at sip_listen, and for TLS on the
	// next port.
	var err error
	b.sipPort, err = baresipPort()
	return err
}

// writeConfig writes config, accounts, contacts and the audio source into
// b.dir and returns the ctrl_tcp port.
func (b *Baresip) writeConfig(ctx context.Context) (int, error) {
	o := b.opts
	ctrlPort, err := FreeTCPPort()
	if err != nil {
		return 0, err
	}
	src, err := b.prepareSource(ctx, o.AudioSource, "source.wav")
	if err != nil {
		return 0, err
	}
	lines := []string{
		"poll_method epoll",
		fmt.Sprintf("sip_listen 127.0.0.1:%d", b.sipPort),
		"net_interface 127.0.0.1", // an address: baresip 1.0.0 cannot resolve "lo"
		"call_local_timeout 120",
		"call_max_calls 4",
		"audio_player aubridge,testpeer-nil", // no sound card: a bridge nobody reads
		"audio_alert aubridge,testpeer-nil",
		"audio_source aufile," + src,
		"audio_buffer 40",
		"rtp_ports 20000-32767", // below Linux's ephemeral range, where FreeUDPPort picks
		"rtcp_mux no",
		"jitter_buffer_delay 1-10",
		"rtp_stats no",
		"statmode_default off",
		"ringback_disabled yes",
		"module_path /usr/lib/baresip/modules",
		"module g711.so",
		"module aufile.so",
		"module aubridge.so",
		"module_tmp account.so",
		"module_app menu.so",
		"module_app ctrl_tcp.so",
		fmt.Sprintf("ctrl_tcp_listen 127.0.0.1:%d", ctrlPort),
	}
	if o.Record {
		b.recDir = filepath.Join(b.dir, "recordings")
		if err := os.Mkdir(b.recDir, 0o755); err != nil {
			return 0, fmt.Errorf("testpeer: baresip recordings dir: %w", err)
		}
		lines = append(lines, "module sndfile.so", "snd_path "+b.recDir)
	}
	lines = append(lines, o.Config...)
	if err := os.WriteFile(filepath.Join(b.dir, "config"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return 0, fmt.Errorf("testpeer: write baresip config: %w", err)
	}
	// The account is created with "uanew" once ctrl_tcp is connected, so that
	// no REGISTER_OK/REGISTER_FAIL event is sent before anyone listens.
	if err := os.WriteFile(filepath.Join(b.dir, "accounts"), nil, 0o644); err != nil {
		return 0, fmt.Errorf("testpeer: write baresip accounts: %w", err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "contacts"), nil, 0o644); err != nil {
		return 0, fmt.Errorf("testpeer: write baresip contacts: %w", err)
	}
	return ctrlPort, nil
}

// accountLine returns the accounts file line.
func (b *Baresip) accountLine() string {
	o := b.opts
	var s strings.Builder
	if o.DisplayName != "" {
		fmt.Fprintf(&s, "%q ", o.DisplayName)
	}
	domain := "127.0.0.1"
	regint := 0
	if o.Registrar != "" {
		domain = o.Registrar
		regint = int(o.RegInterval.Seconds())
	}
	fmt.Fprintf(&s, "<sip:%s@%s;transport=%s>", o.User, domain, b.transport)
	if o.Password != "" {
		fmt.Fprintf(&s, ";auth_user=%s;auth_pass=%s", o.AuthUser, o.Password)
	}
	fmt.Fprintf(&s, ";regint=%d", regint)
	if o.AutoAnswer {
		s.WriteString(";answermode=auto")
	} else {
		s.WriteString(";answermode=manual")
	}
	s.WriteString(o.AccountParams)
	return s.String()
}

// prepareSource writes wav (or silence) as an 8 kHz mono 16-bit file padded
// with silence to MaxLifetime, named name in b.dir, and returns its path.
func (b *Baresip) prepareSource(ctx context.Context, wav, name string) (string, error) {
	var pcm []int16
	if wav != "" {
		var err error
		if pcm, err = readPhoneWAV(ctx, wav, b.dir); err != nil {
			return "", err
		}
	}
	if pad := int(b.opts.MaxLifetime.Seconds()*PhoneRate) - len(pcm); pad > 0 {
		pcm = append(pcm, make([]int16, pad)...)
	}
	path := filepath.Join(b.dir, name)
	return path, WriteWAV(path, pcm, PhoneRate)
}

// connect dials ctrl_tcp (retrying until baresip listens) and starts the reader.
func (b *Baresip) connect(ctx context.Context, port int) error {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			b.conn = conn
			go b.readLoop(bufio.NewReader(conn))
			return nil
		}
		select {
		case <-b.proc.done:
			return fmt.Errorf("testpeer: baresip exited (%v) before ctrl_tcp listened", b.proc.err)
		case <-ctx.Done():
			return fmt.Errorf("testpeer: connect to baresip ctrl_tcp: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// readLoop reads netstring-framed JSON messages: events and command responses.
func (b *Baresip) readLoop(r *bufio.Reader) {
	for {
		msg, err := readNetstring(r)
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			b.notifyLocked()
			b.mu.Unlock()
			return
		}
		var head struct {
			Event    bool   `json:"event"`
			Response bool   `json:"response"`
			Token    string `json:"token"`
			OK       bool   `json:"ok"`
			Data     string `json:"data"`
		}
		if json.Unmarshal(msg, &head) != nil {
			continue
		}
		b.mu.Lock()
		switch {
		case head.Event:
			var ev BaresipEvent
			_ = json.Unmarshal(msg, &ev)
			ev.Raw = string(msg)
			b.events = append(b.events, ev)
		case head.Response:
			b.replies[head.Token] = ctrlReply{OK: head.OK, Data: head.Data}
		}
		b.notifyLocked()
		b.mu.Unlock()
	}
}

// notifyLocked wakes every waiter; b.mu must be held.
func (b *Baresip) notifyLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// readNetstring reads one "len:payload," frame.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[:len(head)-1]))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("testpeer: bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("testpeer: netstring without trailing comma")
	}
	return buf[:n], nil
}

// Command sends a ctrl_tcp command (a menu long command without the slash,
// e.g. "dial", "hangup", "accept", "sndcode", "ausrc", "reginfo") and returns
// its response text; a response with ok=false is an error.
func (b *Baresip) Command(ctx context.Context, command, params string) (string, error) {
	b.mu.Lock()
	b.token++
	token := "testpeer-" + strconv.Itoa(b.token)
	b.mu.Unlock()
	msg := map[string]string{"command": command, "token": token}
	if params != "" {
		msg["params"] = params
	}
	js, _ := json.Marshal(msg)
	frame := []byte(strconv.Itoa(len(js)) + ":" + string(js) + ",")
	b.writeMu.Lock()
	if dl, ok := ctx.Deadline(); ok {
		_ = b.conn.SetWriteDeadline(dl)
	}
	_, err := b.conn.Write(frame)
	b.writeMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("testpeer: baresip %s: %w", command, err)
	}
	for {
		b.mu.Lock()
		reply, ok := b.replies[token]
		readErr, changed := b.readErr, b.changed
		b.mu.Unlock()
		if ok {
			if !reply.OK {
				return reply.Data, fmt.Errorf("testpeer: baresip %s %s: %s", command, params, strings.TrimSpace(reply.Data))
			}
			return reply.Data, nil
		}
		if readErr != nil {
			return "", fmt.Errorf("testpeer: baresip %s: connection: %w", command, readErr)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return "", fmt.Errorf("testpeer: baresip %s: %w", command, ctx.Err())
		}
	}
}

// WaitEvent returns the next event of type kind (e.g. EventCallEstablished)
// that no earlier WaitEvent for kind returned, waiting for it if needed.
// Events are kept from the start, so an event that happened before the call
// is not missed.
func (b *Baresip) WaitEvent(ctx context.Context, kind string) (BaresipEvent, error) {
	for {
		b.mu.Lock()
		for i := b.cursor[kind]; i < len(b.events); i++ {
			if b.events[i].Type == kind {
				b.cursor[kind] = i + 1
				ev := b.events[i]
				b.mu.Unlock()
				return ev, nil
			}
		}
		b.cursor[kind] = len(b.events)
		readErr, changed := b.readErr, b.changed
		b.mu.Unlock()
		if readErr != nil {
			return BaresipEvent{}, fmt.Errorf("testpeer: baresip ended while waiting for %s: %w", kind, readErr)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return BaresipEvent{}, fmt.Errorf("testpeer: waiting for baresip %s (events so far: %s): %w", kind, b.eventTypes(), ctx.Err())
		}
	}
}

// Events returns every event received so far.
func (b *Baresip) Events() []BaresipEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]BaresipEvent(nil), b.events...)
}

// eventTypes lists the event types received so far, for error messages.
func (b *Baresip) eventTypes() string {
	var s []string
	for _, e := range b.Events() {
		s = append(s, e.Type)
	}
	return strings.Join(s, ",")
}

// WaitRegistered waits for REGISTER_OK; a REGISTER_FAIL first is an error.
func (b *Baresip) WaitRegistered(ctx context.Context) error {
	if b.opts.Registrar == "" {
		return errors.New("testpeer: baresip has no registrar configured")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	fail := make(chan BaresipEvent, 1)
	go func() {
		if ev, err := b.WaitEvent(ctx, EventRegisterFail); err == nil {
			fail <- ev
			cancel()
		}
	}()
	_, err := b.WaitEvent(ctx, EventRegisterOK)
	select {
	case ev := <-fail:
		return fmt.Errorf("testpeer: baresip registration failed: %s", ev.Param)
	default:
	}
	return err
}

// Dial places a call. target is a SIP URI, or a number/user that is sent to
// the registrar (sip:target@registrar).
func (b *Baresip) Dial(ctx context.Context, target string) error {
	if !strings.HasPrefix(target, "sip:") && !strings.HasPrefix(target, "sips:") {
		if b.opts.Registrar == "" {
			return fmt.Errorf("testpeer: dial %q: not a SIP URI and no registrar", target)
		}
		target = fmt.Sprintf("sip:%s@%s", target, b.opts.Registrar)
		if b.transport == "tcp" {
			target += ";transport=tcp"
		}
	}
	_, err := b.Command(ctx, "dial", target)
	return err
}

// Accept answers the ringing incoming call (when AutoAnswer is off).
func (b *Baresip) Accept(ctx context.Context) error {
	_, err := b.Command(ctx, "accept", "")
	return err
}

// Hangup hangs up the current call (or rejects the ringing one).
func (b *Baresip) Hangup(ctx context.Context) error {
	_, err := b.Command(ctx, "hangup", "")
	return err
}

// SendDTMF sends digits in the current call as RFC 4733 telephone-events
// (baresip 1.0.0 sends no in-band DTMF; for that, SetAudioSource with a WAV
// made by DTMFTones).
func (b *Baresip) SendDTMF(ctx context.Context, digits string) error {
	_, err := b.Command(ctx, "sndcode", digits)
	return err
}

// SetAudioSource switches what the phone "speaks" to wav, from its start,
// in the current call and in later ones.
func (b *Baresip) SetAudioSource(ctx context.Context, wav string) error {
	b.mu.Lock()
	b.token++
	name := fmt.Sprintf("source-%d.wav", b.token)
	b.mu.Unlock()
	path, err := b.prepareSource(ctx, wav, name)
	if err != nil {
		return err
	}
	_, err = b.Command(ctx, "ausrc", "aufile,"+path)
	return err
}

// URI returns the phone's direct SIP URI, sip:user@127.0.0.1:port (with
// ;transport=tcp for TCP), for calling it without a registrar.
func (b *Baresip) URI() string {
	u := fmt.Sprintf("sip:%s@127.0.0.1:%d", b.opts.User, b.sipPort)
	if b.transport == "tcp" {
		u += ";transport=tcp"
	}
	return u
}

// SIPAddr returns baresip's SIP address, "127.0.0.1:port".
func (b *Baresip) SIPAddr() string { return fmt.Sprintf("127.0.0.1:%d", b.sipPort) }

// Recordings returns the WAV files of what the phone heard, one per call,
// oldest first (Record must be set). A file is complete once its call ended.
func (b *Baresip) Recordings() []string { return b.dumps("-dec.wav") }

// RecordingPath returns the newest recording of what the phone heard, or ""
// if there is none yet.
func (b *Baresip) RecordingPath() string {
	r := b.Recordings()
	if len(r) == 0 {
		return ""
	}
	return r[len(r)-1]
}

// SentRecordingPath returns the newest recording of what the phone sent.
func (b *Baresip) SentRecordingPath() string {
	r := b.dumps("-enc.wav")
	if len(r) == 0 {
		return ""
	}
	return r[len(r)-1]
}

// dumps lists sndfile's files with suffix. sndfile names them
// dump-YYYY-MM-DD-hh-mm-ss-{enc,dec}.wav, so name order is time order; two
// calls starting in the same second share (and overwrite) a file.
func (b *Baresip) dumps(suffix string) []string {
	if b.recDir == "" {
		return nil
	}
	m, _ := filepath.Glob(filepath.Join(b.recDir, "dump-*"+suffix))
	sort.Strings(m)
	return m
}

// Log returns the end of baresip's console output.
func (b *Baresip) Log() string { return b.log.String() }

// Stop quits baresip and waits for it: ctrl_tcp "quit" ends its calls (which
// closes their recordings), then SIGKILL after a second (baresip would
// otherwise wait for un-REGISTER answers). It is safe to call more than once.
func (b *Baresip) Stop() {
	if b.proc == nil || b.proc.exited() {
		return
	}
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, _ = b.Command(ctx, "quit", "")
		cancel()
		defer b.conn.Close()
	}
	b.proc.stop(syscall.SIGTERM, time.Second)
}

// WaitRecorded waits until the newest recording holds at least d of what the
// phone heard (Record must be set). sndfile writes as audio arrives, so this
// is how a test lets audio flow for a while without sleeping.
func (b *Baresip) WaitRecorded(ctx context.Context, d time.Duration) error {
	if b.recDir == "" {
		return errors.New("testpeer: baresip was started without Record")
	}
	want := int64(44) + int64(d.Seconds()*PhoneRate)*2
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if p := b.RecordingPath(); p != "" {
			if fi, err := os.Stat(p); err == nil && fi.Size() >= want {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testpeer: waiting for %v of baresip recording: %w", d, ctx.Err())
		case <-b.proc.done:
			return fmt.Errorf("testpeer: baresip exited while waiting for its recording: %w", errProcessExited)
		case <-tick.C:
		}
	}
}
