// Package config loads and validates clearline's configuration: a TOML file
// (see config/clearline.example.toml), overridden by CLEARLINE_* environment
// variables, checked once, and passed down as plain values. Nothing else in
// clearline reads the environment or the config file.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is clearline's whole configuration.
type Config struct {
	SIP       SIP       `toml:"sip"`
	Media     Media     `toml:"media"`
	Trunk     Trunk     `toml:"trunk"`
	Emergency Emergency `toml:"emergency"`
	Store     Store     `toml:"store"`
	Log       Log       `toml:"log"`
	Web       Web       `toml:"web"`
	Screening Screening `toml:"screening"`
	Listening Listening `toml:"listening"`
	Alerts    Alerts    `toml:"alerts"`
	ClearLine ClearLine `toml:"clear_line"`
	Lines     []Line    `toml:"lines"`
}

// ClearLine configures the new-call announcement: after a risky call
// (flagged, challenged or from an unknown caller), a call the person dials
// within Window to one of these numbers is announced with "This is a new
// call. Your previous call has ended." once clearline has confirmed the
// risky call is over, and the family is told. Emergency numbers are never
// announced or delayed.
type ClearLine struct {
	// Numbers are verification numbers for every line: police 101, power
	// cut 105, Stop Scams 159, 161...
	Numbers []string `toml:"numbers"`
	// BankNumbers are banks' customer-service numbers, for every line.
	BankNumbers []string `toml:"bank_numbers"`
	// Window after the risky call ends; "0s" turns the announcement off.
	Window Duration `toml:"window"`
}

// Listening configures in-call protection: the speech recogniser that
// hears callers who are not trusted contacts.
type Listening struct {
	// Recognizer: "embedded" (pocketsphinx, default), "remote" (an
	// OpenAI-compatible /v1/audio/transcriptions server) or "off".
	Recognizer string `toml:"recognizer"`
	// RemoteURL is the remote server's base URL, e.g. http://10.0.0.5:8000.
	RemoteURL   string `toml:"remote_url"`
	RemoteModel string `toml:"remote_model"`
	RemoteKey   string `toml:"remote_key"`
}

// Alerts configures how trusted contacts are told about suspicious calls.
type Alerts struct {
	SMTPAddr     string `toml:"smtp_addr"` // host:port; empty: no e-mail
	SMTPFrom     string `toml:"smtp_from"`
	SMTPUsername string `toml:"smtp_username"`
	SMTPPassword string `toml:"smtp_password"`
	// SMTPStartTLS requires STARTTLS (default true except on loopback).
	SMTPStartTLS *bool `toml:"smtp_starttls"`
	// WebhookSecret signs webhook bodies (X-Clearline-Signature: sha256=HMAC).
	WebhookSecret string `toml:"webhook_secret"`
	// SuspiciousDelay holds an alert about a merely suspicious call this
	// long (or until the call ends), so that a call which turns into a
	// scam sends one alert, not two. Scam alerts go at once.
	SuspiciousDelay Duration `toml:"suspicious_delay"`
}

// Screening holds the settings shared by every line's screening.
type Screening struct {
	// HomeRegion is the ISO 3166 region caller IDs are read in ("GB").
	HomeRegion string `toml:"home_region"`
	// DNOFile is a CSV of Do-Not-Originate numbers (banks' and government
	// inbound-only lines): a call presenting one is refused.
	DNOFile string `toml:"dno_file"`
	// CommunityBlocklistFile is a CSV of numbers blocked for every line.
	CommunityBlocklistFile string `toml:"community_blocklist_file"`
	// ChallengeNameTime is the longest name a challenged caller may say.
	ChallengeNameTime Duration `toml:"challenge_name_time"`
}

// SIP is where clearline listens for SIP.
type SIP struct {
	Listen     string   `toml:"listen"`     // host:port for UDP and TCP
	Transports []string `toml:"transports"` // "udp", "tcp"
	Host       string   `toml:"host"`       // address advertised in Via/Contact; default: listen host
	Realm      string   `toml:"realm"`      // digest realm for phones
	// TransactionLinger is how long a finished SIP transaction is kept to
	// answer retransmissions of its request (RFC 3261 timers J, L, M and D
	// over UDP): 64×T1 = 32s in the RFC; 5s by default, as Kamailio's tm
	// wait timer. Each call's transactions hold about 20 kB meanwhile.
	TransactionLinger Duration `toml:"transaction_linger"`
}

// Media is where RTP is anchored.
type Media struct {
	IP          string   `toml:"ip"`
	PortMin     int      `toml:"port_min"`
	PortMax     int      `toml:"port_max"`
	RTPTimeout  Duration `toml:"rtp_timeout"`
	RingTimeout Duration `toml:"ring_timeout"`
}

// Trunk is the line provider.
type Trunk struct {
	Address        string   `toml:"address"`
	Transport      string   `toml:"transport"`
	Domain         string   `toml:"domain"`
	AllowedSources []string `toml:"allowed_sources"`
	Username       string   `toml:"username"`
	Password       string   `toml:"password"`
	Register       bool     `toml:"register"`
	RegisterExpiry Duration `toml:"register_expiry"`
}

// Emergency lists numbers that are never screened, delayed or prompted.
type Emergency struct {
	Numbers []string `toml:"numbers"`
}

// Store selects the database.
type Store struct {
	DSN string `toml:"dsn"` // a file path or sqlite:// URL, or postgres://
}

// Log configures logging.
type Log struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text or json
	// Pprof, when set, serves Go's profiler (net/http/pprof) on this
	// loopback host:port, for measuring clearline under load.
	Pprof string `toml:"pprof"`
}

// Web configures the dashboard listener.
type Web struct {
	Listen string `toml:"listen"` // empty: no dashboard
	// CookieSecure marks the session cookie Secure: set it when the
	// dashboard is reached over HTTPS (through a reverse proxy); leave it
	// off only for plain HTTP on loopback or a trusted LAN.
	CookieSecure bool `toml:"cookie_secure"`
}

// Line is one protected line.
type Line struct {
	ID       string   `toml:"id"`
	Name     string   `toml:"name"`
	Postcode string   `toml:"postcode"`
	Numbers  []string `toml:"numbers"`
	Phones   []Phone  `toml:"phones"`

	// Screening policy for this line.
	UnknownCallers  string `toml:"unknown_callers"`  // challenge (default), block, or allow (ring through; still listened to)
	WithheldCallers string `toml:"withheld_callers"` // challenge (default) or block
	// QuietHours like "21:00-08:00": callers who are not trusted contacts
	// are not put through then.
	QuietHours         string `toml:"quiet_hours"`
	BlockInternational bool   `toml:"block_international"`
	// Trusted contacts ring straight through: numbers, and/or a vCard
	// (.vcf, as phones export them) or CSV file.
	Trusted     []string `toml:"trusted"`
	TrustedFile string   `toml:"trusted_file"`
	// The line's own block list: numbers and/or a CSV file.
	Blocked     []string `toml:"blocked"`
	BlockedFile string   `toml:"blocked_file"`

	// In-call protection for callers who are not trusted contacts.
	// OnScam: "warn-and-end" (default: the person hears the warning, then
	// the call is cleared) or "warn-and-continue".
	OnScam string `toml:"on_scam"`
	// Listen: analyse calls from callers who are not trusted (default true).
	Listen *bool `toml:"listen"`
	// Alert recipients: the family's e-mail addresses and webhook URLs.
	AlertEmails   []string `toml:"alert_emails"`
	AlertWebhooks []string `toml:"alert_webhooks"`
	// ClearLineNumbers are further verification numbers for this line
	// (e.g. the numbers on the back of the person's own cards).
	ClearLineNumbers []string `toml:"clear_line_numbers"`
}

// Phone is a SIP phone allowed to register for a line.
type Phone struct {
	Username string `toml:"username"`
	Password string `toml:"password"`
	// Contact is a fixed SIP URI for a phone that does not register (an
	// ATA or PBX at a known address); empty for phones that register.
	Contact string `toml:"contact"`
}

// Duration is a time.Duration written as "30s", "2m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (use e.g. 30s, 2m)", string(b))
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default is the configuration used where the file is silent: everything
// on loopback, SQLite in the working directory.
func Default() Config {
	return Config{
		SIP:       SIP{Listen: "127.0.0.1:5060", Transports: []string{"udp", "tcp"}, Realm: "clearline", TransactionLinger: Duration{5 * time.Second}},
		Media:     Media{IP: "127.0.0.1", PortMin: 20000, PortMax: 29999, RTPTimeout: Duration{60 * time.Second}, RingTimeout: Duration{60 * time.Second}},
		Trunk:     Trunk{Transport: "udp", RegisterExpiry: Duration{time.Hour}},
		Emergency: Emergency{Numbers: []string{"999", "112"}},
		Store:     Store{DSN: "clearline.db"},
		Log:       Log{Level: "info", Format: "text"},
		Screening: Screening{HomeRegion: "GB", ChallengeNameTime: Duration{4 * time.Second}},
		Listening: Listening{Recognizer: "embedded"},
		Alerts:    Alerts{SuspiciousDelay: Duration{30 * time.Second}},
		ClearLine: ClearLine{Numbers: []string{"101", "105", "159", "161"}, Window: Duration{30 * time.Minute}},
	}
}

// Load reads the TOML file at path (if path is not empty) over the
// defaults, applies environment overrides, and validates the result. Every
// problem found is reported, each naming its setting.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		md, err := toml.Decode(string(b), &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			keys := make([]string, len(und))
			for i, k := range und {
				keys[i] = k.String()
			}
			return Config{}, fmt.Errorf("config %s: unknown setting(s): %s", path, strings.Join(keys, ", "))
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// applyEnv overrides scalar settings from CLEARLINE_<SECTION>_<KEY>, e.g.
// CLEARLINE_SIP_LISTEN or CLEARLINE_STORE_DSN. List settings take a
// comma-separated value. CLEARLINE_<SECTION>_<KEY>_FILE reads the value from
// a file (for secrets such as CLEARLINE_TRUNK_PASSWORD_FILE).
func applyEnv(cfg *Config, getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	var errs []error
	root := reflect.ValueOf(cfg).Elem()
	rt := root.Type()
	for i := 0; i < rt.NumField(); i++ {
		sec := rt.Field(i)
		if sec.Type.Kind() != reflect.Struct {
			continue
		}
		secName := strings.ToUpper(sec.Tag.Get("toml"))
		sv := root.Field(i)
		for j := 0; j < sec.Type.NumField(); j++ {
			f := sec.Type.Field(j)
			name := "CLEARLINE_" + secName + "_" + strings.ToUpper(f.Tag.Get("toml"))
			val, ok := getenv(name), getenv(name) != ""
			if fileName := getenv(name + "_FILE"); fileName != "" {
				b, err := os.ReadFile(fileName)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
					continue
				}
				val, ok = strings.TrimRight(string(b), "\r\n"), true
			}
			if !ok {
				continue
			}
			if err := setField(sv.Field(j), val); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	return errors.Join(errs...)
}

func setField(v reflect.Value, s string) error {
	if v.Type() == reflect.TypeOf(Duration{}) {
		var d Duration
		if err := d.UnmarshalText([]byte(s)); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Set(reflect.ValueOf(parts))
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// Validate checks every setting and reports all problems at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if _, _, err := net.SplitHostPort(c.SIP.Listen); err != nil {
		bad("sip.listen", "%q is not host:port", c.SIP.Listen)
	}
	if len(c.SIP.Transports) == 0 {
		bad("sip.transports", "at least one of udp, tcp is needed")
	}
	for _, t := range c.SIP.Transports {
		if t != "udp" && t != "tcp" {
			bad("sip.transports", "%q is not udp or tcp", t)
		}
	}
	if c.SIP.Realm == "" {
		bad("sip.realm", "must not be empty")
	}
	if d := c.SIP.TransactionLinger.Duration; d < time.Second || d > 32*time.Second {
		bad("sip.transaction_linger", "must be between 1s and 32s (RFC 3261's 64×T1), got %s", d)
	}
	if ip, err := netip.ParseAddr(c.Media.IP); err != nil || ip.IsUnspecified() {
		bad("media.ip", "%q must be the IP address RTP is sent to (not 0.0.0.0)", c.Media.IP)
	}
	if c.Media.PortMin < 1024 || c.Media.PortMax > 65534 || c.Media.PortMin >= c.Media.PortMax {
		bad("media.port_min/port_max", "need 1024 <= port_min < port_max <= 65534, got %d-%d", c.Media.PortMin, c.Media.PortMax)
	}
	if c.Media.RTPTimeout.Duration < time.Second {
		bad("media.rtp_timeout", "must be at least 1s, got %s", c.Media.RTPTimeout)
	}
	if c.Media.RingTimeout.Duration < time.Second {
		bad("media.ring_timeout", "must be at least 1s, got %s", c.Media.RingTimeout)
	}
	if c.Trunk.Address != "" {
		if _, _, err := net.SplitHostPort(c.Trunk.Address); err != nil {
			bad("trunk.address", "%q is not host:port", c.Trunk.Address)
		}
		if len(c.Trunk.AllowedSources) == 0 {
			bad("trunk.allowed_sources", "list the provider's addresses (ip, ip:port or CIDR); calls from anywhere else are refused")
		}
	}
	if c.Trunk.Transport != "udp" && c.Trunk.Transport != "tcp" {
		bad("trunk.transport", "%q is not udp or tcp", c.Trunk.Transport)
	}
	for _, s := range c.Trunk.AllowedSources {
		if !validSource(s) {
			bad("trunk.allowed_sources", "%q is not an IP address, ip:port or CIDR prefix", s)
		}
	}
	if c.Trunk.Register && (c.Trunk.Username == "" || c.Trunk.Address == "") {
		bad("trunk.register", "needs trunk.address and trunk.username")
	}
	for _, n := range c.Emergency.Numbers {
		if strings.Trim(n, "0123456789") != "" || n == "" {
			bad("emergency.numbers", "%q must be digits only", n)
		}
	}
	if len(c.Emergency.Numbers) == 0 {
		bad("emergency.numbers", "must not be empty (999 and 112 at least)")
	}
	if c.Store.DSN == "" {
		bad("store.dsn", "must not be empty")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if c.Log.Pprof != "" {
		h, _, err := net.SplitHostPort(c.Log.Pprof)
		if ip, perr := netip.ParseAddr(h); err != nil || perr != nil || !ip.IsLoopback() {
			bad("log.pprof", "%q must be a loopback host:port such as 127.0.0.1:6060 (the profiler shows the process's memory)", c.Log.Pprof)
		}
	}
	if c.Web.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Web.Listen); err != nil {
			bad("web.listen", "%q is not host:port", c.Web.Listen)
		}
	}
	if len(c.Screening.HomeRegion) != 2 || strings.ToUpper(c.Screening.HomeRegion) != c.Screening.HomeRegion {
		bad("screening.home_region", "%q is not a two-letter region code such as GB", c.Screening.HomeRegion)
	}
	if d := c.Screening.ChallengeNameTime.Duration; d < time.Second || d > 15*time.Second {
		bad("screening.challenge_name_time", "must be between 1s and 15s, got %s", d)
	}
	for key, f := range map[string]string{"screening.dno_file": c.Screening.DNOFile, "screening.community_blocklist_file": c.Screening.CommunityBlocklistFile} {
		if f != "" {
			if _, err := os.Stat(f); err != nil {
				bad(key, "%v", err)
			}
		}
	}
	switch c.Listening.Recognizer {
	case "embedded", "off":
	case "remote":
		if u, err := url.Parse(c.Listening.RemoteURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("listening.remote_url", "%q is not an http(s) URL", c.Listening.RemoteURL)
		}
	default:
		bad("listening.recognizer", "%q is not embedded, remote or off", c.Listening.Recognizer)
	}
	if c.Alerts.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.Alerts.SMTPAddr); err != nil {
			bad("alerts.smtp_addr", "%q is not host:port", c.Alerts.SMTPAddr)
		}
		if _, err := mail.ParseAddress(c.Alerts.SMTPFrom); err != nil {
			bad("alerts.smtp_from", "%q is not an e-mail address", c.Alerts.SMTPFrom)
		}
	}
	if d := c.Alerts.SuspiciousDelay.Duration; d < 0 || d > time.Hour {
		bad("alerts.suspicious_delay", "must be between 0s and 1h, got %s", d)
	}
	if d := c.ClearLine.Window.Duration; d < 0 || d > 24*time.Hour {
		bad("clear_line.window", "must be between 0s and 24h, got %s", d)
	}
	checkClearNumbers := func(key string, ns []string) {
		for _, n := range ns {
			if !validDialled(n) {
				bad(key, "%q is not a number that can be dialled (digits, optionally +44...)", n)
			} else if isEmergencyNumber(n, c.Emergency.Numbers) {
				bad(key, "%q is an emergency number: emergency calls are never announced or delayed", n)
			}
		}
	}
	checkClearNumbers("clear_line.numbers", c.ClearLine.Numbers)
	checkClearNumbers("clear_line.bank_numbers", c.ClearLine.BankNumbers)
	for i, l := range c.Lines {
		checkClearNumbers(fmt.Sprintf("lines[%d].clear_line_numbers", i), l.ClearLineNumbers)
	}
	ids := map[string]bool{}
	users := map[string]bool{}
	numbers := map[string]string{}
	for i, l := range c.Lines {
		key := fmt.Sprintf("lines[%d]", i)
		if l.ID == "" || strings.ContainsAny(l.ID, " /\t") {
			bad(key+".id", "%q must be a non-empty word", l.ID)
		}
		if ids[l.ID] {
			bad(key+".id", "%q is used twice", l.ID)
		}
		ids[l.ID] = true
		for _, n := range l.Numbers {
			if strings.Trim(n, "+0123456789 ") != "" {
				bad(key+".numbers", "%q is not a phone number", n)
			}
			if other, dup := numbers[n]; dup {
				bad(key+".numbers", "%q is also a number of line %q", n, other)
			}
			numbers[n] = l.ID
		}
		switch l.OnScam {
		case "", "warn-and-end", "warn-and-continue":
		default:
			bad(key+".on_scam", "%q is not warn-and-end or warn-and-continue", l.OnScam)
		}
		for _, e := range l.AlertEmails {
			if _, err := mail.ParseAddress(e); err != nil {
				bad(key+".alert_emails", "%q is not an e-mail address", e)
			}
		}
		for _, w := range l.AlertWebhooks {
			if u, err := url.Parse(w); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(key+".alert_webhooks", "%q is not an http(s) URL", w)
			}
		}
		if (len(l.AlertEmails) > 0) && c.Alerts.SMTPAddr == "" {
			bad(key+".alert_emails", "e-mail alerts need alerts.smtp_addr")
		}
		for _, a := range []struct{ key, v string }{{".unknown_callers", l.UnknownCallers}, {".withheld_callers", l.WithheldCallers}} {
			if a.v != "" && a.v != "challenge" && a.v != "block" && a.v != "allow" {
				bad(key+a.key, "%q is not challenge, block or allow", a.v)
			}
		}
		if l.QuietHours != "" && !quietHoursRE.MatchString(l.QuietHours) {
			bad(key+".quiet_hours", "%q is not like 21:00-08:00", l.QuietHours)
		}
		for _, f := range []struct{ key, v string }{{".trusted_file", l.TrustedFile}, {".blocked_file", l.BlockedFile}} {
			if f.v != "" {
				if _, err := os.Stat(f.v); err != nil {
					bad(key+f.key, "%v", err)
				}
			}
		}
		for j, p := range l.Phones {
			pk := fmt.Sprintf("%s.phones[%d]", key, j)
			if p.Username == "" || strings.ContainsAny(p.Username, " @:;<>\"") {
				bad(pk+".username", "%q must be a plain SIP user name", p.Username)
			}
			if users[p.Username] {
				bad(pk+".username", "%q is used twice", p.Username)
			}
			users[p.Username] = true
			if len(p.Password) < 8 {
				bad(pk+".password", "must be at least 8 characters")
			}
			if p.Contact != "" && !strings.HasPrefix(p.Contact, "sip:") {
				bad(pk+".contact", "%q must be a sip: URI such as sip:phone@192.0.2.20:5060", p.Contact)
			}
		}
	}
	return errors.Join(errs...)
}

// validDialled accepts a number as a phone dials it: digits, spaces and
// dashes, with an optional leading +.
func validDialled(n string) bool {
	d := strings.TrimPrefix(strings.TrimSpace(n), "+")
	return d != "" && strings.Trim(d, "0123456789 -") == "" && strings.Trim(d, " -") != ""
}

// isEmergencyNumber compares digits only.
func isEmergencyNumber(n string, emergency []string) bool {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, n)
	for _, e := range emergency {
		if digits == e {
			return true
		}
	}
	return false
}

var quietHoursRE = regexp.MustCompile(`^([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-3]):[0-5]\d$`)

func validSource(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParseAddrPort(s)
	return err == nil
}
