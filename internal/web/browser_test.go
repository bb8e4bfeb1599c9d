package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearline/clearline/internal/app"
	"github.com/clearline/clearline/internal/app/apptest"
	"github.com/clearline/clearline/internal/asr"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/testpeer"
)

const (
	mumNumber    = "+441632960001"
	dadNumber    = "+441632960002"
	trustedNum   = "020 7183 8750"
	scammerNum   = "+442071838999"
	screenshotTo = "docs/screenshots" // relative to the module root

	mumPhoneUser = "mum-phone"
	mumPhonePass = "mum-phone-password"
	// bankScammer is an unknown caller: neither a trusted contact nor
	// blocked, so Mum's line (unknown_callers = allow) rings it through
	// to her phone and the guard listens to it.
	bankScammer = "+441142345678"
)

// bankScamScript is a short bank "safe account" scam: a bank
// impersonation, an account-compromise story and the request to move the
// money. Spoken by flite's default voice, the embedded recogniser spots
// "security department", "compromised" and "move your money" in it and the
// detector calls it a scam on the last sentence, about 10 s into the call
// (the same wording with flite's slt, rms, awb and kal16 voices is flagged
// too; bench/listen measures such scripts).
var bankScamScript = []string{
	"Hello, this is the security department at your bank.",
	"Your account has been compromised.",
	"Move your money to a safe account now.",
}

// skipOrFail skips the test for a missing tool, or fails it under CI
// (CI=true), which installs everything, as testpeer.Require does.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// requireChromium skips without Debian's chromium, or fails under CI.
func requireChromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	skipOrFail(t, "chromium not installed (apt-get install chromium; scripts/install-deps.sh)")
	return ""
}

// requireRecognizer skips without the embedded speech recogniser (a build
// without cgo or libpocketsphinx, or no acoustic model), or fails under CI:
// without it clearline cannot listen to the scam call.
func requireRecognizer(t *testing.T) {
	t.Helper()
	r, err := asr.Embedded(asr.EmbeddedConfig{})
	if errors.Is(err, asr.ErrUnavailable) {
		skipOrFail(t, fmt.Sprintf("embedded recogniser unavailable (cgo and libpocketsphinx-dev; scripts/install-deps.sh): %v", err))
	}
	if err != nil {
		t.Fatalf("embedded recogniser: %v", err)
	}
	r.Close()
}

// moduleRoot finds go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// startApp runs the whole of clearline in-process, dashboard on.
func startApp(t *testing.T) (*app.App, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := config.Default()
	cfg.SIP.Listen = "127.0.0.1:0"
	// The scam call's two legs need a few ports; the range sits above
	// Linux's ephemeral ports like the e2e tests' ranges.
	cfg.Media.PortMin, cfg.Media.PortMax = 64900, 64999
	cfg.Trunk.Address = "127.0.0.1:9"
	cfg.Trunk.AllowedSources = []string{"127.0.0.1"}
	cfg.Store.DSN = filepath.Join(t.TempDir(), "clearline.db")
	cfg.Listening.Recognizer = "embedded"
	cfg.Web.Listen = "127.0.0.1:0"
	cfg.Lines = []config.Line{
		// Unknown callers ring through (and are listened to), as in the
		// e2e listening tests: this test is about the alert, not the challenge.
		{ID: "mum", Name: "Mum's landline", Postcode: "AL1 3XY", Numbers: []string{mumNumber}, UnknownCallers: "allow",
			Phones: []config.Phone{{Username: mumPhoneUser, Password: mumPhonePass}}},
		{ID: "dad", Name: "Dad's landline", Postcode: "SW1A 1AA", Numbers: []string{dadNumber}, Phones: []config.Phone{{Username: "dad-phone", Password: "dad-phone-password"}}},
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	a, _ := apptest.Start(ctx, t, cfg, slog.LevelInfo, app.Options{})
	return a, "http://" + a.WebAddr()
}

// startPhone registers Mum's phone, a baresip that answers every call,
// with clearline.
func startPhone(ctx context.Context, t *testing.T, a *app.App) *testpeer.Baresip {
	t.Helper()
	ph, err := testpeer.StartBaresip(ctx, t, testpeer.BaresipOptions{Registrar: a.SIPAddr(), User: mumPhoneUser, Password: mumPhonePass, AutoAnswer: true})
	if err != nil {
		t.Fatalf("start Mum's phone: %v", err)
	}
	if err := ph.WaitRegistered(ctx); err != nil {
		t.Fatalf("Mum's phone did not register: %v", err)
	}
	return ph
}

// speakScam synthesises bankScamScript into a WAV for SIPp and returns its
// path and length.
func speakScam(ctx context.Context, t *testing.T) (string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "bank-scam.wav")
	length, err := testpeer.SpeakSentences(ctx, path, "flite", time.Second, bankScamScript...)
	if err != nil {
		t.Fatalf("synthesise the scam call: %v", err)
	}
	return path, length
}

// startScamCall has SIPp, as the provider, call Mum's line from
// bankScammer and play audio (length long) once the phone answers. SIPp
// then waits for clearline to hang up (uac_call_wait_bye): its run
// succeeds only if clearline ends the call, which it does after the
// warning on a scam verdict (on_scam = warn-and-end).
func startScamCall(ctx context.Context, t *testing.T, a *app.App, audio string, length time.Duration) *testpeer.Sipp {
	t.Helper()
	// Allow for the warning (at most 12 s) after the audio, and a loaded machine.
	wait := length + 30*time.Second
	sipp, err := testpeer.StartSipp(ctx, t, testpeer.SippOptions{Scenario: "uac_call_wait_bye.xml", Remote: a.SIPAddr(),
		Service: mumNumber, CallerID: bankScammer, Audio: audio, RecvTimeout: wait, Timeout: wait + 15*time.Second})
	if err != nil {
		t.Fatalf("start the scam call: %v", err)
	}
	return sipp
}

// waitCall waits up to 10 s for the call log to hold a finished call from
// the number from.
func waitCall(t *testing.T, a *app.App, from string) store.Call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cs, err := a.Store.ListCalls(context.Background(), store.CallFilter{LineID: "mum"})
		if err != nil {
			t.Fatalf("list calls: %v", err)
		}
		for _, c := range cs {
			if c.From == from && c.Outcome != "in-progress" && c.Outcome != "answered" {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished call from %s in the call log: %+v", from, cs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSubscriber waits up to 10 s for a dashboard page to subscribe to
// the live feed.
func waitSubscriber(t *testing.T, a *app.App) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); a.Feed.Subscribers() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the live page never subscribed to the feed")
		}
	}
}

// TestDashboardInBrowser drives the dashboard in headless Chromium against
// the whole program: first-run setup, log in, add a trusted contact and a
// blocked number, a SIPp call through the gateway that the new block
// refuses and that then shows in the call log, a real scam call (SIPp as
// the provider plays a synthesised bank "safe account" script to Mum's
// auto-answering baresip phone; the guard's recogniser and detector flag
// it) whose alert arrives on the open /live page and which then shows in
// the call log with its tactics and transcript excerpt, and a carer
// refused another family's line in the page and through the API.
// Screenshots go to docs/screenshots.
func TestDashboardInBrowser(t *testing.T) {
	chromium := requireChromium(t)
	testpeer.Require(t, "sipp", "baresip", "flite", "sox")
	requireRecognizer(t)
	// Bounds the peers (SIPp, baresip) and the waits for them.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, base := startApp(t)
	phone := startPhone(ctx, t, a)
	scamAudio, scamLength := speakScam(ctx, t)
	shots := filepath.Join(moduleRoot(t), screenshotTo)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	// Each step gets its own deadline; the browser lives on bctx.
	stepWithin := func(name string, within time.Duration, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(bctx, within)
		defer cancel()
		start := time.Now()
		defer func() { t.Logf("step %q took %v", name, time.Since(start).Round(time.Millisecond)) }()
		if err := chromedp.Do(ctx, actions...); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Location())
			body, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
			t.Fatalf("%s: %v\nat %s:\n%s", name, err, loc, body)
		}
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepWithin(name, 20*time.Second, actions...)
	}
	text := func(sel string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(bctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		// Retried while the page is still being laid out after a click.
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for {
				ready, err := chromedp.Evaluate[bool](`document.readyState === "complete" && document.body.getBoundingClientRect().width > 0`)(ctx, tg)
				if err == nil && ready {
					png, err := chromedp.FullScreenshot(100)(ctx, tg)
					if err == nil {
						return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
					}
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("screenshot %s: %w (last error %v)", name, ctx.Err(), err)
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
	}
	waitText := func(sel, want string) chromedp.Action[chromedp.Void] {
		js := fmt.Sprintf(`(document.querySelector(%q)||{textContent:""}).textContent.includes(%q)`, sel, want)
		// Polled from Go so that a page navigating meanwhile (after a
		// click) is simply asked again.
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for {
				ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
				if err == nil && ok {
					return nil
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("waiting for %q in %s: %w (last error %v)", want, sel, ctx.Err(), err)
				case <-time.After(50 * time.Millisecond):
				}
			}
		})
	}

	// First-run setup: the first visit leads there.
	step("setup page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("setup-submit")),
		shot("01-setup"),
		chromedp.SendKeys(chromedp.ID("f-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("f-password"), "correct horse battery"),
		chromedp.SendKeys(chromedp.ID("f-confirm"), "correct horse battery"),
		chromedp.Click(chromedp.ID("setup-submit")),
		chromedp.WaitVisible(chromedp.CSS("ul.lines")),
	)
	// Log out and in again with the new account.
	step("log out and in",
		chromedp.Click(chromedp.CSS("form[action='/logout'] button")),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
		chromedp.SendKeys(chromedp.ID("f-username"), "admin"),
		chromedp.SendKeys(chromedp.ID("f-password"), "wrong password"),
		chromedp.Click(chromedp.ID("login-submit")),
		waitText("#problem", "do not match"),
		shot("02-login-failed"),
		chromedp.SendKeys(chromedp.ID("f-password"), "correct horse battery"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS("ul.lines")),
		shot("03-lines"),
	)
	// Add a trusted contact; a bad number first gets a clear message.
	step("add trusted contact",
		chromedp.Navigate(base+"/lines/mum/contacts"),
		chromedp.WaitVisible(chromedp.ID("add-contact-submit")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Dr Patel (GP)"),
		chromedp.SendKeys(chromedp.ID("f-number"), "01632 960123"),
		chromedp.Click(chromedp.ID("add-contact-submit")),
		waitText("#problem", "drama range"),
		shot("04-contact-rejected"),
		chromedp.Clear(chromedp.ID("f-number")),
		chromedp.SendKeys(chromedp.ID("f-number"), trustedNum),
		chromedp.Click(chromedp.ID("add-contact-submit")),
		waitText(".flash", "Added Dr Patel (GP)"),
		waitText("#contacts", "+442071838750"),
		shot("05-contacts"),
	)
	// Block the scammer's number; the next call from it is refused.
	step("block a number",
		chromedp.Navigate(base+"/lines/mum/blocked"),
		chromedp.WaitVisible(chromedp.ID("add-blocked-submit")),
		chromedp.SendKeys(chromedp.ID("f-number"), scammerNum),
		chromedp.SendKeys(chromedp.ID("f-note"), "said he was from the bank"),
		chromedp.Click(chromedp.ID("add-blocked-submit")),
		waitText(".flash", "Blocked +442071838999"),
		shot("06-blocked"),
	)
	sctx, cancelS := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancelS()
	res, err := testpeer.RunSipp(sctx, t, testpeer.SippOptions{Scenario: "uac_expect_code.xml", Remote: a.SIPAddr(),
		Service: mumNumber, CallerID: scammerNum, ExpectCode: 603})
	if err != nil || !res.OK() {
		t.Fatalf("SIPp call from the number blocked in the dashboard was not refused with 603: %v %s", err, res.Summary())
	}
	waitCall(t, a, scammerNum)
	step("call log shows the call",
		chromedp.Navigate(base+"/lines/mum/calls"),
		waitText("#calls", scammerNum),
		waitText("#calls", "on this line's block list"),
	)

	// A live alert: the /live page is open when a real scam call comes in.
	step("live page", chromedp.Navigate(base+"/live"), waitText("#feed-status", "Connected"))
	waitSubscriber(t, a)
	sipp := startScamCall(ctx, t, a, scamAudio, scamLength)
	if _, err := phone.WaitEvent(ctx, testpeer.EventCallEstablished); err != nil {
		t.Fatalf("Mum's phone never answered the scam call: %v", err)
	}
	answered := time.Now()
	// The verdict comes about 10 s into the call; a loaded machine is slower.
	stepWithin("live alert arrives", scamLength+30*time.Second,
		waitText("#feed", "Scam call on Mum's landline"),
		waitText("#feed", "From "+bankScammer),
		waitText("#feed", "request:safe-account"),
		shot("07-live-alert"),
	)
	t.Logf("the alert showed on /live %v after Mum's phone answered (%v of caller audio)", time.Since(answered).Round(time.Millisecond), scamLength)
	// Mum hears the warning, then clearline hangs up on the caller.
	if res, err := sipp.Wait(ctx); err != nil || !res.OK() {
		t.Fatalf("clearline did not end the scam call (SIPp waits for its BYE): %v %s", err, res.Summary())
	}
	scam := waitCall(t, a, bankScammer)
	if scam.Verdict != "scam" || scam.HangupBy != "clearline" {
		t.Errorf("scam call's log row: %+v", scam)
	}
	inc, err := a.Store.GetIncident(context.Background(), scam.ID)
	if err != nil || len(inc.Tactics) == 0 || len(inc.Transcript) == 0 {
		t.Fatalf("the scam call's incident: %+v %v", inc, err)
	}
	t.Logf("incident: tactics %v, transcript %+v", inc.Tactics, inc.Transcript)
	// The call log shows the flagged call with what the guard heard.
	row := fmt.Sprintf("li[data-call=%q]", scam.ID)
	checks := []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/lines/mum/calls"),
		waitText(row, "Flagged: scam"), waitText(row, "From "+bankScammer), waitText(row, "warned the person and ended the call"), waitText(row, "hung up by clearline (scam warning given)"),
		waitText(row+" .excerpt", "card numbers, PINs and codes removed"), waitText(row+" .excerpt", inc.Transcript[0].Text)}
	for _, tactic := range inc.Tactics {
		checks = append(checks, waitText(row+" .flag", tactic))
	}
	step("call log shows the scam call", append(checks, shot("08-call-log"))...)

	step("the other pages",
		chromedp.Navigate(base+"/lines/mum"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
		waitText("#n-flagged", "1"),
		waitText("#n-calls", "2"), // the blocked call and the scam call
		shot("09-overview"),
		chromedp.Navigate(base+"/lines/mum/settings"),
		chromedp.WaitVisible(chromedp.ID("save-settings")),
		shot("10-settings"),
		chromedp.Navigate(base+"/lines/mum/alerts"),
		chromedp.SendKeys(chromedp.ID("f-target"), "daughter@example.org"),
		chromedp.SendKeys(chromedp.ID("f-name"), "Sarah (daughter)"),
		chromedp.Submit(chromedp.ID("f-target")),
		waitText(".flash", "daughter@example.org"),
		shot("11-alerts"),
		chromedp.Navigate(base+"/lines/mum/changes"),
		waitText("#changes", "blocked.add"),
		shot("12-changes"),
		chromedp.Navigate(base+"/incidents"),
		waitText("#incidents", "AL1"),
		shot("13-incidents"),
	)

	// A carer for mum only.
	step("create carer",
		chromedp.Navigate(base+"/users"),
		chromedp.SendKeys(chromedp.ID("f-username"), "sarah"),
		chromedp.SendKeys(chromedp.ID("f-password"), "sarah's long password"),
		chromedp.Click(chromedp.CSS("#f-lines input[value='mum']")),
		chromedp.Submit(chromedp.ID("f-username")),
		waitText(".flash", "Created the account sarah"),
		shot("14-users"),
		chromedp.Click(chromedp.CSS("form[action='/logout'] button")),
		chromedp.WaitVisible(chromedp.ID("login-submit")),
		chromedp.SendKeys(chromedp.ID("f-username"), "sarah"),
		chromedp.SendKeys(chromedp.ID("f-password"), "sarah's long password"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS("ul.lines")),
	)
	if home := text("main"); strings.Contains(home, "Dad's landline") || !strings.Contains(home, "Mum's landline") {
		t.Fatalf("carer's home page: %q", home)
	}
	step("carer denied dad's line",
		chromedp.Navigate(base+"/lines/dad/calls"),
		waitText("#problem", "You do not look after this line."),
		shot("15-carer-denied"),
	)
	// The same through the API, with the browser's own session.
	status, err := chromedp.Run(bctx, chromedp.Evaluate[int](`fetch("/api/lines/dad/calls").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != http.StatusForbidden {
		t.Fatalf("carer fetching dad's calls through the API: %d %v, want 403", status, err)
	}
	status, _ = chromedp.Run(bctx, chromedp.Evaluate[int](`fetch("/api/lines/mum/calls").then(r => r.status)`, chromedp.EvalAwaitPromise))
	if status != http.StatusOK {
		t.Fatalf("carer fetching mum's calls through the API: %d", status)
	}
	// And with a plain HTTP client logged in through the API.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	var tok struct{ CSRF string }
	getJSON(t, hc, base+"/api/login", &tok)
	req, _ := http.NewRequest("POST", base+"/api/login", strings.NewReader(`{"username":"sarah","password":"sarah's long password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tok.CSRF)
	if r, err := hc.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("API login: %v %v", r, err)
	}
	for path, want := range map[string]int{"/api/lines/dad/calls": 403, "/api/lines/dad/contacts": 403, "/api/incidents": 403, "/api/lines/mum/calls": 200} {
		r, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("carer GET %s = %d, want %d", path, r.StatusCode, want)
		}
	}

	// The carer changes her password in the browser: that browser stays
	// logged in, the API client's session (another login) ends.
	step("carer changes password",
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.ID("password-submit")),
		chromedp.SendKeys(chromedp.ID("f-current"), "sarah's long password"),
		chromedp.SendKeys(chromedp.ID("f-password"), "sarah's new password"),
		chromedp.SendKeys(chromedp.ID("f-confirm"), "sarah's new password"),
		chromedp.Click(chromedp.ID("password-submit")),
		waitText(".flash", "Your password is changed"),
	)
	r, err := hc.Get(base + "/api/lines/mum/calls")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the carer's other session after a password change: %d, want 401", r.StatusCode)
	}

	// Phone-sized screenshots of the pages a carer uses most.
	step("phone width",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/lines/mum"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
		shot("16-phone-overview"),
		chromedp.Navigate(base+"/lines/mum/calls"),
		waitText("#calls", "request:safe-account"),
		shot("17-phone-call-log"),
		chromedp.Navigate(base+"/lines/mum/contacts"),
		chromedp.WaitVisible(chromedp.ID("add-contact-submit")),
		shot("18-phone-contacts"),
	)

	// Metrics counted the calls and the health endpoint answers. The
	// scam call's incident is recorded at the verdict and updated when
	// the call ends, and each counts.
	body := getBody(t, base+"/metrics")
	for _, want := range []string{`clearline_calls_total{outcome="blocked"} 1`, `clearline_screening_decisions_total{decision="block"} 1`, `clearline_incidents_recorded_total{verdict="scam"} `} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if h := getBody(t, base+"/healthz"); !strings.Contains(h, `"ok"`) {
		t.Errorf("healthz: %s", h)
	}
}

func getJSON(t *testing.T, hc *http.Client, url string, v any) {
	t.Helper()
	r, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}
