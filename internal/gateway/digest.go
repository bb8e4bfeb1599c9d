package gateway

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// digestAuth verifies RFC 2617/8760 MD5 digest credentials (qop=auth or
// none) for the registrar and for INVITEs from protected phones.
//
// Nonces are stateless: a timestamp signed with a per-process secret, so a
// nonce older than nonceTTL or not ours is refused without any table.
type digestAuth struct {
	realm  string
	secret [32]byte
	now    func() time.Time
}

const nonceTTL = 5 * time.Minute

var (
	errNoCredentials  = errors.New("no credentials")
	errBadCredentials = errors.New("credentials do not match")
	errStaleNonce     = errors.New("stale nonce")
)

func newDigestAuth(realm string, now func() time.Time) (*digestAuth, error) {
	d := &digestAuth{realm: realm, now: now}
	if _, err := rand.Read(d.secret[:]); err != nil {
		return nil, fmt.Errorf("digest secret: %w", err)
	}
	return d, nil
}

// challenge returns the value of a WWW-Authenticate/Proxy-Authenticate header.
func (d *digestAuth) challenge(stale bool) string {
	s := fmt.Sprintf(`Digest realm=%q, nonce=%q, algorithm=MD5, qop="auth"`, d.realm, d.nonce())
	if stale {
		s += ", stale=true"
	}
	return s
}

func (d *digestAuth) nonce() string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(d.now().Unix()))
	m := hmac.New(sha256.New, d.secret[:])
	m.Write(b[:8])
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (d *digestAuth) checkNonce(n string) error {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != 24 {
		return errBadCredentials
	}
	m := hmac.New(sha256.New, d.secret[:])
	m.Write(b[:8])
	if subtle.ConstantTimeCompare(m.Sum(nil)[:16], b[8:]) != 1 {
		return errBadCredentials
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	if d.now().Sub(issued) > nonceTTL {
		return errStaleNonce
	}
	return nil
}

// credentials are the fields of an Authorization header that matter here.
type credentials struct {
	username, realm, nonce, uri, response, qop, nc, cnonce, algorithm string
}

// parseCredentials parses `Digest k="v", k=v, ...`. It accepts quoted values
// containing commas and rejects anything that is not a Digest header.
func parseCredentials(h string) (credentials, error) {
	var c credentials
	h = strings.TrimSpace(h)
	if len(h) < 7 || !strings.EqualFold(h[:7], "digest ") {
		return c, fmt.Errorf("parse credentials: not a digest header")
	}
	rest := h[7:]
	for len(rest) > 0 {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return c, fmt.Errorf("parse credentials: missing '=' in %q", rest)
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return c, fmt.Errorf("parse credentials: unterminated quote for %s", key)
			}
			val, rest = rest[1:1+end], rest[2+end:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		switch key {
		case "username":
			c.username = val
		case "realm":
			c.realm = val
		case "nonce":
			c.nonce = val
		case "uri":
			c.uri = val
		case "response":
			c.response = val
		case "qop":
			c.qop = val
		case "nc":
			c.nc = val
		case "cnonce":
			c.cnonce = val
		case "algorithm":
			c.algorithm = val
		}
	}
	if c.username == "" || c.nonce == "" || c.response == "" || c.uri == "" {
		return c, fmt.Errorf("parse credentials: username, nonce, uri and response are required")
	}
	return c, nil
}

// ha1 is MD5(username:realm:password) in hex, the form in which phone
// passwords can be kept.
func ha1(username, realm, password string) string {
	s := md5.Sum([]byte(username + ":" + realm + ":" + password))
	return hex.EncodeToString(s[:])
}

// verify checks credentials for method against the user's HA1.
func (d *digestAuth) verify(c credentials, method, userHA1 string) error {
	if c.algorithm != "" && !strings.EqualFold(c.algorithm, "MD5") {
		return fmt.Errorf("digest: unsupported algorithm %q", c.algorithm)
	}
	if c.realm != d.realm {
		return errBadCredentials
	}
	if err := d.checkNonce(c.nonce); err != nil {
		return err
	}
	ha2 := md5.Sum([]byte(method + ":" + c.uri))
	var want [16]byte
	switch c.qop {
	case "":
		want = md5.Sum([]byte(userHA1 + ":" + c.nonce + ":" + hex.EncodeToString(ha2[:])))
	case "auth":
		want = md5.Sum([]byte(userHA1 + ":" + c.nonce + ":" + c.nc + ":" + c.cnonce + ":auth:" + hex.EncodeToString(ha2[:])))
	default:
		return fmt.Errorf("digest: unsupported qop %q", c.qop)
	}
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(want[:])), []byte(strings.ToLower(c.response))) != 1 {
		return errBadCredentials
	}
	return nil
}
