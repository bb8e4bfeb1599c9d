package gateway

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// response computes a client's digest response as RFC 2617 defines it.
func response(user, realm, pass, method, uri, nonce, nc, cnonce, qop string) string {
	h1 := md5hex(user + ":" + realm + ":" + pass)
	h2 := md5hex(method + ":" + uri)
	if qop == "" {
		return md5hex(h1 + ":" + nonce + ":" + h2)
	}
	return md5hex(h1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + h2)
}

func TestDigestVerify(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	clock := now
	d, err := newDigestAuth("clearline", func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	nonce := d.nonce()
	good := ha1("mum-phone", "clearline", "s3cret-pass")
	tests := []struct {
		name    string
		header  string
		advance time.Duration
		want    error
	}{
		{"qop auth", fmt.Sprintf(`Digest username="mum-phone", realm="clearline", nonce="%s", uri="sip:127.0.0.1", response="%s", qop=auth, nc=00000001, cnonce="abc", algorithm=MD5`,
			nonce, response("mum-phone", "clearline", "s3cret-pass", "REGISTER", "sip:127.0.0.1", nonce, "00000001", "abc", "auth")), 0, nil},
		{"no qop", fmt.Sprintf(`Digest username="mum-phone",realm="clearline",nonce="%s",uri="sip:127.0.0.1",response="%s"`,
			nonce, response("mum-phone", "clearline", "s3cret-pass", "REGISTER", "sip:127.0.0.1", nonce, "", "", "")), 0, nil},
		{"wrong password", fmt.Sprintf(`Digest username="mum-phone", realm="clearline", nonce="%s", uri="sip:127.0.0.1", response="%s"`,
			nonce, response("mum-phone", "clearline", "guess", "REGISTER", "sip:127.0.0.1", nonce, "", "", "")), 0, errBadCredentials},
		{"wrong realm", fmt.Sprintf(`Digest username="mum-phone", realm="other", nonce="%s", uri="sip:127.0.0.1", response="%s"`,
			nonce, response("mum-phone", "other", "s3cret-pass", "REGISTER", "sip:127.0.0.1", nonce, "", "", "")), 0, errBadCredentials},
		{"forged nonce", `Digest username="mum-phone", realm="clearline", nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", uri="sip:127.0.0.1", response="00"`, 0, errBadCredentials},
		{"stale nonce", fmt.Sprintf(`Digest username="mum-phone", realm="clearline", nonce="%s", uri="sip:127.0.0.1", response="%s"`,
			nonce, response("mum-phone", "clearline", "s3cret-pass", "REGISTER", "sip:127.0.0.1", nonce, "", "", "")), 6 * time.Minute, errStaleNonce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock = now.Add(tt.advance)
			c, err := parseCredentials(tt.header)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.verify(c, "REGISTER", good); got != tt.want {
				t.Fatalf("verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	for _, h := range []string{"", "Basic abc", "Digest", `Digest username="a"`, `Digest username="a, nonce=x`, `Digest =x`} {
		if _, err := parseCredentials(h); err == nil {
			t.Errorf("parseCredentials(%q) accepted", h)
		}
	}
}

func FuzzParseCredentials(f *testing.F) {
	f.Add(`Digest username="mum", realm="clearline", nonce="n", uri="sip:x", response="r", qop=auth, nc=00000001, cnonce="c"`)
	f.Add(`Digest username=mum,nonce=n,uri=sip:x,response=r`)
	f.Add(`digest username="a\"b"`)
	d, _ := newDigestAuth("clearline", time.Now)
	f.Fuzz(func(t *testing.T, h string) {
		c, err := parseCredentials(h)
		if err != nil {
			return
		}
		_ = d.verify(c, "INVITE", ha1("a", "clearline", "b")) // must not panic
	})
}

func TestTrunkSources(t *testing.T) {
	allowed := []string{"198.51.100.7", "203.0.113.0/24", "127.0.0.1:5080"}
	tests := []struct {
		src  string
		want bool
	}{
		{"198.51.100.7:5060", true},
		{"198.51.100.8:5060", false},
		{"203.0.113.99:6000", true},
		{"127.0.0.1:5080", true},
		{"127.0.0.1:5081", false},
		{"[::ffff:198.51.100.7]:5060", true},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if got := trunkPortOK(allowed, netip.MustParseAddrPort(tt.src)); got != tt.want {
				t.Fatalf("trunkPortOK(%s) = %v", tt.src, got)
			}
		})
	}
}

func TestFailResponse(t *testing.T) {
	tests := []struct {
		in      int
		code    int
		outcome string
	}{
		{486, 486, "busy"}, {600, 486, "busy"}, {603, 603, "rejected"}, {404, 404, "failed"},
		{480, 480, "no-answer"}, {408, 480, "no-answer"}, {488, 488, "failed"}, {407, 403, "failed"},
		{503, 502, "failed"},
	}
	for _, tt := range tests {
		code, _, outcome := failResponse(tt.in)
		if code != tt.code || outcome != tt.outcome {
			t.Errorf("failResponse(%d) = %d %s, want %d %s", tt.in, code, outcome, tt.code, tt.outcome)
		}
	}
}

func TestPAIUserAndNumberKey(t *testing.T) {
	for in, want := range map[string]string{
		`<sip:+442071838750@trunk.example;user=phone>`: "+442071838750",
		`"Bank" <tel:+443001234567>`:                   "+443001234567",
		`garbage<`:                                     "",
	} {
		if got := paiUser(in); got != want {
			t.Errorf("paiUser(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"+44 (20) 7183-8750": "+442071838750", "999": "999", "9+9": "99", "": ""} {
		if got := numberKey(in); got != want {
			t.Errorf("numberKey(%q) = %q, want %q", in, got, want)
		}
	}
}
