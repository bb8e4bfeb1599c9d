// Package listen measures in-call listening end to end on telephone-band
// audio: synthesised scam and benign calls (flite, several voices) sent by
// SIPp as G.711 µ-law through the real gateway (clearline in-process,
// embedded pocketsphinx keyword spotter, scam-script detector) to a
// baresip phone that records what it hears. It reports the share of scam
// calls warned, of benign calls wrongly warned, the latency from the end
// of the first scam request in the caller's audio to the start of the
// warning at the phone, and the recogniser's real-time factor and calls
// per core. It is a measurement, not a CI test: it runs only with
// CLEARLINE_BENCH_LISTEN=1 (see run.sh and README.md).
package listen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/detect"
	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/prompts"
	"github.com/clearline/clearline/internal/testpeer"
)

// call is one synthesised call.
type call struct {
	script
	voice  string
	pcm    []int16  // the caller's audio as sent (8 kHz)
	spans  [][2]int // speech start and end (samples) of each utterance in pcm
	reqEnd int      // end of the first scam request's speech (samples); -1 for benign
	wav    string
}

// result is what one call through the gateway gave.
type result struct {
	done           bool
	err            string
	verdict        string        // highest verdict the guard reported ("" none)
	prompt         string        // warning prompt key of the scam verdict
	tactics        []string      // tactics at the scam verdict
	heardWarning   string        // prompt found in the phone's recording ("" none)
	warnCorr       float64       // its envelope correlation
	callerCorr     float64       // how well the caller's first utterance was found
	latency        time.Duration // phone recording: warning start - end of first request
	verdictLatency time.Duration // wall clock: verdict - answer - end of first request
	incident       []string      // transcript lines of the stored incident (at: text)
	// Offline pass of the same audio (µ-law round trip) through a stream.
	spotted        []string
	offlineVerdict string
	whatIf         string        // detector verdict with the what-if phrase table (whatif_test.go)
	whatIfAt       time.Duration // end of the phrase that made it a scam, in the caller's audio
	groups         []string      // asr tactic groups of the spotted phrases
}

const gap = 1200 * time.Millisecond

func buildCalls(t *testing.T) []*call {
	var out []*call
	scripts := append(append([]script(nil), scamScripts...), benignScripts...)
	only := os.Getenv("CALLS") // e.g. CALLS=s01,b07 for a quick look
	dir := t.TempDir()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, s := range scripts {
		if only != "" && !slices.Contains(strings.Split(only, ","), s.name) {
			continue
		}
		c := &call{script: s, voice: voices[i%len(voices)], reqEnd: -1}
		out = append(out, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			pcm := testpeer.Silence(time.Second)
			for _, u := range c.utts {
				req := strings.HasPrefix(u, "*")
				sp, err := speak(c.voice, strings.TrimPrefix(u, "*"))
				if err != nil {
					t.Errorf("%s: speak: %v", c.name, err)
					return
				}
				a, b := speechSpan(sp)
				c.spans = append(c.spans, [2]int{len(pcm) + a, len(pcm) + b})
				if req && c.reqEnd < 0 {
					c.reqEnd = len(pcm) + b
				}
				pcm = append(pcm, sp...)
				pcm = append(pcm, testpeer.Silence(gap)...)
			}
			c.pcm = append(pcm, testpeer.Silence(time.Second)...)
			c.wav = filepath.Join(dir, c.name+".wav")
			mu.Lock()
			defer mu.Unlock()
			if err := testpeer.WriteWAV(c.wav, c.pcm, testpeer.PhoneRate); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, c := range out {
		if c.scam && c.reqEnd < 0 {
			t.Fatalf("%s: no utterance marked as the first request", c.name)
		}
	}
	return out
}

func TestListenBench(t *testing.T) {
	if os.Getenv("CLEARLINE_BENCH_LISTEN") != "1" {
		t.Skip("measurement: run bench/listen/run.sh (CLEARLINE_BENCH_LISTEN=1)")
	}
	testpeer.Require(t, "flite", "sox", "sipp", "baresip")
	if r, err := asr.Embedded(asr.EmbeddedConfig{}); err != nil {
		if errors.Is(err, asr.ErrUnavailable) {
			t.Fatalf("the embedded recogniser is not in this build: %v", err)
		}
		t.Fatal(err)
	} else {
		r.Close()
	}
	calls := buildCalls(t)
	var audio time.Duration
	for _, c := range calls {
		audio += samplesDur(len(c.pcm))
	}
	t.Logf("%d calls synthesised, %.0f s of caller audio", len(calls), audio.Seconds())

	results := make([]result, len(calls))
	cpu0, wall0 := cpuTime(), time.Now()
	t.Run("calls", func(t *testing.T) {
		if os.Getenv("OFFLINE_ONLY") == "1" {
			t.Skip("OFFLINE_ONLY=1: the recogniser and detector only, no gateway")
		}
		for i, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				results[i] = runCall(t, c)
			})
		}
	})
	gwCPU, gwWall := cpuTime()-cpu0, time.Since(wall0)
	var rtf costFigures
	t.Run("recogniser", func(t *testing.T) { rtf = offline(t, calls, results) })
	report(t, calls, results, rtf, gwCPU, gwWall)
}

// runCall sends one call through the gateway and reads what the phone heard.
func runCall(t *testing.T, c *call) (res result) {
	var (
		mu              sync.Mutex
		scamAt          time.Time
		verdict, prompt string
		tactics         []string
		callID          string
	)
	e := newEnv(t, func(gc *gateway.Call, a detect.Assessment) {
		mu.Lock()
		defer mu.Unlock()
		callID = gc.ID
		verdict = a.Verdict.String()
		if a.Verdict == detect.Scam && scamAt.IsZero() {
			scamAt, prompt = time.Now(), a.WarningPrompt
			for _, ev := range a.Tactics {
				tactics = append(tactics, ev.Tactic)
			}
		}
	})
	dur := samplesDur(len(c.pcm))
	// A scammer stays on the line after their script (and so hears the
	// person being warned, then the hang-up); a benign caller hangs up
	// when done.
	hold := dur + 500*time.Millisecond
	if c.scam {
		hold = dur + 15*time.Second
	}
	sipp, err := testpeer.StartSipp(e.ctx, t, testpeer.SippOptions{
		Scenario: "uac_call.xml", Remote: e.app.SIPAddr(), Service: lineNumber, CallerID: strangerNumber,
		Audio: c.wav, Hold: hold, Timeout: hold + 60*time.Second,
	})
	if err != nil {
		res.err = "sipp: " + err.Error()
		t.Error(res.err)
		return res
	}
	if _, err := e.phone.WaitEvent(e.ctx, testpeer.EventCallEstablished); err != nil {
		res.err = "phone never answered: " + err.Error()
		t.Error(res.err)
		return res
	}
	answerAt := time.Now()
	wctx, cancel := context.WithTimeout(e.ctx, hold+30*time.Second)
	defer cancel()
	if _, err := e.phone.WaitEvent(wctx, testpeer.EventCallClosed); err != nil {
		res.err = "call did not end: " + err.Error()
		t.Error(res.err)
	}
	sipp.Stop()
	time.Sleep(time.Second) // recording closed; incident updated at stream end

	mu.Lock()
	res.verdict, res.prompt, res.tactics = verdict, prompt, tactics
	if !scamAt.IsZero() && c.reqEnd >= 0 {
		res.verdictLatency = scamAt.Sub(answerAt) - samplesDur(c.reqEnd)
	}
	id := callID
	mu.Unlock()
	if id != "" {
		if inc, err := e.app.Store.GetIncident(context.Background(), id); err == nil {
			for _, l := range inc.Transcript {
				res.incident = append(res.incident, fmt.Sprintf("%.1fs %s", l.At.Seconds(), l.Text))
			}
		}
	}

	heard, rate, err := testpeer.ReadWAV(e.phone.RecordingPath())
	if err == nil && rate != testpeer.PhoneRate {
		conv := filepath.Join(t.TempDir(), "heard.wav")
		if err = testpeer.ConvertWAV(context.Background(), e.phone.RecordingPath(), conv); err == nil {
			heard, _, err = testpeer.ReadWAV(conv)
		}
	}
	if err != nil {
		res.err = "recording: " + err.Error()
		t.Error(res.err)
		return res
	}
	if dir := os.Getenv("KEEP"); dir != "" { // keep what the phone heard, for listening to
		if b, err := os.ReadFile(e.phone.RecordingPath()); err == nil {
			_ = os.WriteFile(filepath.Join(dir, c.name+"-heard.wav"), b, 0o644)
		}
	}
	// Where the caller's audio starts in the recording: find the first
	// utterance.
	u0 := c.spans[0]
	off, corr := locate(heard, c.pcm[u0[0]:u0[1]], 0)
	res.callerCorr = corr
	zero := off - u0[0]
	if corr < 0.7 {
		res.err = fmt.Sprintf("caller's first utterance not found in the phone's recording (correlation %.2f)", corr)
		t.Error(res.err)
	}
	// Which warning, if any, the phone heard, and when it started.
	bestCorr, bestAt, best := 0.0, -1, ""
	for _, key := range warningKeys {
		w, err := prompts.Load(key)
		if err != nil {
			t.Fatal(err)
		}
		at, cr := locate(heard, w, max(0, zero))
		if cr > bestCorr {
			a, _ := speechSpan(w)
			bestCorr, bestAt, best = cr, at+a, key
		}
	}
	res.warnCorr = bestCorr
	if bestCorr >= 0.7 {
		res.heardWarning = best
		if c.reqEnd >= 0 {
			res.latency = samplesDur(bestAt - (zero + c.reqEnd))
		}
	}
	res.done = true
	t.Logf("%s first request ends at %.2fs", c.name, samplesDur(c.reqEnd).Seconds())
	t.Logf("%s (%s, %s): caller found at %.2fs (corr %.2f); verdict %q prompt %q heard %q (corr %.2f) latency %.2fs (verdict clock %.2fs) tactics %v incident %v",
		c.name, c.voice, c.tactic, samplesDur(zero).Seconds(), res.callerCorr, res.verdict, res.prompt, res.heardWarning, res.warnCorr, res.latency.Seconds(), res.verdictLatency.Seconds(), res.tactics, res.incident)
	return res
}

var warningKeys = func() []string {
	var out []string
	for _, k := range []string{"cash", "pin", "code", "card", "safe-account", "vouchers", "payment", "computer", "investment", "callback", "secrecy", "generic"} {
		out = append(out, prompts.Warning(k))
	}
	return append(out, prompts.ScamWarning)
}()

type costFigures struct {
	cpu, audio, speech time.Duration
	dropped            time.Duration
}

// offline streams each call's caller audio, through a G.711 µ-law round
// trip, into the embedded recogniser as fast as it decodes, one call after
// another: CPU time over audio time is the real-time factor. The spotted
// phrases and the detector's verdict on them show what was missed.
func offline(t *testing.T, calls []*call, results []result) costFigures {
	r, err := asr.Embedded(asr.EmbeddedConfig{Stream: asr.StreamConfig{Queue: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var f costFigures
	for i, c := range calls {
		pcm := testpeer.DecodePCMU(testpeer.EncodePCMU(c.pcm))
		cpu0 := cpuTime()
		st, err := r.NewStream(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var segs []asr.Segment
		done := make(chan struct{})
		go func() {
			for s := range st.Results() {
				segs = append(segs, s)
			}
			close(done)
		}()
		for off := 0; off < len(pcm); off += 160 {
			st.Write(pcm[off:min(off+160, len(pcm))])
		}
		st.Close()
		<-done
		f.cpu += cpuTime() - cpu0
		if sr, ok := st.(asr.StatsReporter); ok {
			s := sr.Stats()
			f.audio += s.Written
			f.speech += s.Speech
			f.dropped += s.Dropped
		}
		det := detect.Default().NewCall()
		var a detect.Assessment
		var dsegs []detect.Segment
		for _, s := range segs {
			if !s.Final || s.Text == "" {
				continue
			}
			dsegs = append(dsegs, detect.Segment{Speaker: detect.Caller, Text: s.Text, Start: s.Start, End: s.End, Spotted: s.Spotted})
			results[i].spotted = append(results[i].spotted, fmt.Sprintf("%.1f:%s", s.End.Seconds(), s.Text))
			if g := phraseGroup[s.Text]; g != "" && !slices.Contains(results[i].groups, g) {
				results[i].groups = append(results[i].groups, g)
			}
			a = det.Feed(detect.Segment{Speaker: detect.Caller, Text: s.Text, Start: s.Start, End: s.End, Spotted: s.Spotted})
		}
		results[i].offlineVerdict = a.Verdict.String()
		results[i].whatIf, results[i].whatIfAt = whatIf(dsegs)
	}
	checkCanonical(t)
	return f
}

// phraseGroup maps a spotted phrase's text to its tactic group in
// asr.DefaultTacticPhrases.
var phraseGroup = func() map[string]string {
	m := map[string]string{}
	for _, p := range asr.DefaultTacticPhrases() {
		m[strings.TrimSuffix(p.Phrase, "(2)")] = p.Tactic
	}
	return m
}()

// spotterEvidence reports whether the spotted groups alone hold what the
// detector's second rule calls a scam: a request (money, vouchers,
// courier, card, remote access) together with a pretext (authority,
// account story) or pressure (secrecy, threat, call-back). It shows how
// much of the recall is lost between the recogniser and the detector.
func spotterEvidence(groups []string) bool {
	has := func(gs ...string) bool {
		for _, g := range gs {
			if slices.Contains(groups, g) {
				return true
			}
		}
		return false
	}
	return has(asr.TacticMoney, asr.TacticVouchers, asr.TacticCourier, asr.TacticCard, asr.TacticRemote) &&
		has(asr.TacticAuthority, asr.TacticAccount, asr.TacticSecrecy, asr.TacticThreat, asr.TacticCallBack)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(t *testing.T, calls []*call, results []result, f costFigures, gwCPU, gwWall time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n| call | voice | what | first request ends | guard verdict | warning heard at the phone | latency (phone) | latency (verdict clock) | phrases spotted (offline, s:phrase) | spotter tactic groups | detector on them (offline) | what-if phrase table |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	var scamN, scamWarned, scamVerdict, benN, benWarned, benSusp, failed, scamEvidence, benEvidence, scamWhatIf, benWhatIf, benWhatIfSusp int
	var lat, vlat, whatIfLead []float64
	var missed []string
	for i, c := range calls {
		r := results[i]
		l, vl := "", ""
		if r.heardWarning != "" && c.scam {
			l = fmt.Sprintf("%.2f s", r.latency.Seconds())
		}
		if r.verdict == "scam" && c.scam {
			vl = fmt.Sprintf("%.2f s", r.verdictLatency.Seconds())
		}
		heard := "no"
		if r.heardWarning != "" {
			heard = fmt.Sprintf("%s (%.2f)", r.heardWarning, r.warnCorr)
		}
		v := r.verdict
		if v == "" {
			v = "none"
		}
		if os.Getenv("OFFLINE_ONLY") == "1" {
			v = "-"
		} else if !r.done {
			v += " ERROR: " + r.err
			failed++
		}
		wi := r.whatIf
		if wi == "scam" && c.scam {
			wi = fmt.Sprintf("scam (phrase end %+.1f s)", (r.whatIfAt - samplesDur(c.reqEnd)).Seconds())
		}
		ov := r.offlineVerdict
		if ov == "" || ov == "none" {
			ov = "none"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.name, c.voice, c.tactic, reqEnd(c), v, heard, l, vl, strings.Join(r.spotted, ", "), strings.Join(r.groups, " "), ov, wi)
		if r.whatIf == "scam" {
			if c.scam {
				scamWhatIf++
				whatIfLead = append(whatIfLead, (r.whatIfAt - samplesDur(c.reqEnd)).Seconds())
			} else {
				benWhatIf++
			}
		} else if r.whatIf == "suspicious" && !c.scam {
			benWhatIfSusp++
		}
		if spotterEvidence(r.groups) {
			if c.scam {
				scamEvidence++
			} else {
				benEvidence++
			}
		}
		if c.scam {
			scamN++
			if r.heardWarning != "" {
				scamWarned++
				lat = append(lat, r.latency.Seconds())
			} else {
				missed = append(missed, fmt.Sprintf("%s (%s, %s; offline verdict %s)", c.name, c.voice, c.tactic, r.offlineVerdict))
			}
			if r.verdict == "scam" {
				scamVerdict++
				vlat = append(vlat, r.verdictLatency.Seconds())
			}
		} else {
			benN++
			if r.heardWarning != "" || r.verdict == "scam" {
				benWarned++
			} else if r.verdict == "suspicious" {
				benSusp++
			}
		}
	}
	t.Log(b.String())
	t.Logf("RESULT scam calls warned (warning heard at the phone): %d/%d; guard scam verdicts %d/%d", scamWarned, scamN, scamVerdict, scamN)
	t.Logf("RESULT benign calls wrongly warned: %d/%d; benign calls judged suspicious (family alerted, call not interrupted): %d/%d", benWarned, benN, benSusp, benN)
	t.Logf("RESULT spotter evidence (offline): a request group with a pretext or pressure group among the spotted phrases in %d/%d scam calls and %d/%d benign calls", scamEvidence, scamN, benEvidence, benN)
	t.Logf("RESULT what-if (offline, not shipped): with a phrase-to-tactic table in the detector (whatif_test.go) scam verdicts in %d/%d scam calls, %d/%d benign calls (suspicious: %d/%d benign)", scamWhatIf, scamN, benWhatIf, benN, benWhatIfSusp, benN)
	t.Logf("RESULT what-if evidence time: end of the deciding spotted phrase - end of the first scam request, in the caller's audio (add the stream's report delay and the relay for a latency): %s", stats(whatIfLead))
	t.Logf("RESULT latency, end of the first scam request -> start of the warning at the phone (warned calls): %s", stats(lat))
	t.Logf("RESULT latency, same, by the guard's verdict time on the wall clock from the answer: %s", stats(vlat))
	if f.audio > 0 {
		t.Logf("RESULT recogniser (offline, same audio, one stream at a time): %.1f s CPU for %.0f s of call audio (%.0f s passed the VAD): real-time factor %.3f per second of call audio, %.3f per second of speech; one core sustains about %.0f such calls (dropped %v)",
			f.cpu.Seconds(), f.audio.Seconds(), f.speech.Seconds(), f.cpu.Seconds()/f.audio.Seconds(), f.cpu.Seconds()/f.speech.Seconds(), f.audio.Seconds()/f.cpu.Seconds(), f.dropped)
	}
	var audio time.Duration
	for _, c := range calls {
		audio += samplesDur(len(c.pcm))
	}
	t.Logf("RESULT whole test process during the calls (clearline: SIP, RTP relay, recogniser, detector, store; plus the harness): %.1f s CPU over %.0f s wall for %d calls (%.0f s of caller audio scheduled; scam calls end at the warning)",
		gwCPU.Seconds(), gwWall.Seconds(), len(calls), audio.Seconds())
	if len(missed) > 0 {
		t.Logf("RESULT scam calls not warned: %s", strings.Join(missed, "; "))
	}
	if failed > 0 {
		t.Errorf("%d calls failed to run", failed)
	}
}

func reqEnd(c *call) string {
	if c.reqEnd < 0 {
		return ""
	}
	return fmt.Sprintf("%.1f s", samplesDur(c.reqEnd).Seconds())
}

func stats(v []float64) string {
	if len(v) == 0 {
		return "none"
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	q := func(p float64) float64 {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	under := 0
	for _, x := range s {
		if x < 3 {
			under++
		}
	}
	return fmt.Sprintf("median %.2f s, p90 %.2f s, max %.2f s, min %.2f s (n=%d; %d under 3 s)", q(0.5), q(0.9), s[len(s)-1], s[0], len(s), under)
}
