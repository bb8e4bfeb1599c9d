package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// PhoneAccount is a protected phone allowed to register: it belongs to one
// line and authenticates with digest credentials.
type PhoneAccount struct {
	Username string
	Password string
	LineID   string
	// Contact, when set, is a fixed address for the phone (an ATA or PBX
	// that does not register): "sip:user@host:port". It never expires.
	Contact string
}

// binding is where a registered phone can be reached.
type binding struct {
	contact   sip.Uri   // the Contact the phone registered
	source    string    // host:port the REGISTER came from (NAT-safe target)
	transport string    // udp or tcp
	expires   time.Time // when the binding lapses
	static    bool      // configured, never expires
}

// registrar keeps the bindings of protected phones. It answers REGISTER with
// a digest challenge, verifies credentials, and stores at most one binding
// per phone (the latest wins), as home phones and ATAs expect.
//
// Every INVITE asks it two questions (is the source a registered phone, and
// which phones ring for a line), so both are answered from indexes, not by
// walking every binding: a gateway may serve thousands of lines.
type registrar struct {
	auth       *digestAuth
	accounts   map[string]PhoneAccount // by username
	phones     map[string][]string     // a line's phones, in configuration order
	ha1        map[string]string
	now        func() time.Time
	log        *slog.Logger
	minExpires int
	maxExpires int

	mu       sync.Mutex
	bindings map[string]binding // by username
	sources  map[string]int     // registered (not static) bindings per source address
}

func newRegistrar(auth *digestAuth, accounts []PhoneAccount, now func() time.Time, log *slog.Logger) (*registrar, error) {
	r := &registrar{
		auth: auth, now: now, log: log,
		accounts:   map[string]PhoneAccount{},
		phones:     map[string][]string{},
		ha1:        map[string]string{},
		bindings:   map[string]binding{},
		sources:    map[string]int{},
		minExpires: 60, maxExpires: 3600,
	}
	for _, a := range accounts {
		r.accounts[a.Username] = a
		r.phones[a.LineID] = append(r.phones[a.LineID], a.Username)
		r.ha1[a.Username] = ha1(a.Username, auth.realm, a.Password)
		if a.Contact == "" {
			continue
		}
		var u sip.Uri
		if err := sip.ParseUri(a.Contact, &u); err != nil || u.Host == "" {
			return nil, fmt.Errorf("phone %s: static contact %q is not a SIP URI", a.Username, a.Contact)
		}
		port := u.Port
		if port == 0 {
			port = 5060
		}
		tr := "udp"
		if v, ok := u.UriParams.Get("transport"); ok {
			tr = strings.ToLower(v)
		}
		r.bind(a.Username, binding{contact: u, source: fmt.Sprintf("%s:%d", u.Host, port), transport: tr, static: true})
	}
	return r, nil
}

// authenticate checks the request's digest credentials (Authorization or
// Proxy-Authorization) and returns the phone account. A request without
// credentials, or with a stale nonce, yields errNoCredentials/errStaleNonce so
// the caller can challenge.
func (r *registrar) authenticate(req *sip.Request, header string) (PhoneAccount, error) {
	h := req.GetHeader(header)
	if h == nil {
		return PhoneAccount{}, errNoCredentials
	}
	c, err := parseCredentials(h.Value())
	if err != nil {
		return PhoneAccount{}, err
	}
	acc, ok := r.accounts[c.username]
	if !ok {
		return PhoneAccount{}, fmt.Errorf("unknown phone %q: %w", c.username, errBadCredentials)
	}
	if err := r.auth.verify(c, string(req.Method), r.ha1[c.username]); err != nil {
		return PhoneAccount{}, fmt.Errorf("phone %q: %w", c.username, err)
	}
	return acc, nil
}

// handleRegister answers one REGISTER transaction.
func (r *registrar) handleRegister(req *sip.Request, tx sip.ServerTransaction) {
	acc, err := r.authenticate(req, "Authorization")
	if err != nil {
		if err != errNoCredentials && err != errStaleNonce {
			r.log.Warn("register refused", "source", req.Source(), "error", err)
			respond(tx, req, 403, "Forbidden")
			return
		}
		res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", r.auth.challenge(err == errStaleNonce)))
		_ = tx.Respond(res)
		return
	}
	if to := req.To(); to == nil || to.Address.User != acc.Username {
		r.log.Warn("register refused: To does not match credentials", "source", req.Source(), "username", acc.Username)
		respond(tx, req, 403, "Forbidden")
		return
	}

	expires := 3600
	if h := req.GetHeader("Expires"); h != nil {
		if v, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			expires = v
		}
	}
	contact := req.Contact()
	if contact != nil {
		if v, ok := contact.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				expires = n
			}
		}
	}

	r.mu.Lock()
	switch {
	case contact == nil:
		// A query: report the current binding, change nothing.
	case contact.Address.Wildcard || expires == 0:
		r.unbind(acc.Username)
		r.log.Info("phone unregistered", "username", acc.Username, "line", acc.LineID)
	default:
		if expires < r.minExpires {
			r.mu.Unlock()
			res := sip.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
			res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(r.minExpires)))
			_ = tx.Respond(res)
			return
		}
		expires = min(expires, r.maxExpires)
		_, known := r.bindings[acc.Username]
		r.bind(acc.Username, binding{
			contact:   *contact.Address.Clone(),
			source:    req.Source(),
			transport: strings.ToLower(req.Transport()),
			expires:   r.now().Add(time.Duration(expires) * time.Second),
		})
		if !known {
			r.log.Info("phone registered", "username", acc.Username, "line", acc.LineID,
				"contact", contact.Address.String(), "source", req.Source(), "expires", expires)
		}
	}
	b, ok := r.bindings[acc.Username]
	r.mu.Unlock()

	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	if ok {
		left := int(b.expires.Sub(r.now()).Seconds())
		c := &sip.ContactHeader{Address: b.contact, Params: sip.NewParams()}
		c.Params.Add("expires", strconv.Itoa(left))
		res.AppendHeader(c)
	}
	res.AppendHeader(sip.NewHeader("Date", r.now().UTC().Format(time.RFC1123)))
	_ = tx.Respond(res)
}

// lookup returns the live bindings of the phones of a line, in the order
// the phones are configured (an inbound call rings them all at once).
func (r *registrar) lookup(lineID string) []binding {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []binding
	for _, user := range r.phones[lineID] {
		b, ok := r.bindings[user]
		if !ok {
			continue
		}
		if !b.static && now.After(b.expires) {
			r.unbind(user)
			continue
		}
		out = append(out, b)
	}
	return out
}

func (r *registrar) isPhone(username string) bool {
	_, ok := r.accounts[username]
	return ok
}

// isBindingSource reports whether src is where a registered phone's
// REGISTER came from (phones whose From user is not their account name).
func (r *registrar) isBindingSource(src string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sources[src] > 0
}

// bind stores a phone's binding, replacing its previous one. r.mu is held.
func (r *registrar) bind(user string, b binding) {
	r.unbind(user)
	r.bindings[user] = b
	if !b.static {
		r.sources[b.source]++
	}
}

// unbind drops a phone's binding, if any. r.mu is held.
func (r *registrar) unbind(user string) {
	old, ok := r.bindings[user]
	if !ok {
		return
	}
	delete(r.bindings, user)
	if old.static {
		return
	}
	if r.sources[old.source]--; r.sources[old.source] <= 0 {
		delete(r.sources, old.source)
	}
}

// hasPhoneCredentials reports whether req carries digest credentials naming
// a configured phone.
func (r *registrar) hasPhoneCredentials(req *sip.Request) bool {
	h := req.GetHeader("Proxy-Authorization")
	if h == nil {
		return false
	}
	c, err := parseCredentials(h.Value())
	return err == nil && r.isPhone(c.username)
}

// expireLoop drops lapsed bindings until ctx ends.
func (r *registrar) expireLoop(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := r.now()
			r.mu.Lock()
			for u, b := range r.bindings {
				if !b.static && now.After(b.expires) {
					r.unbind(u)
					r.log.Info("phone registration expired", "username", u)
				}
			}
			r.mu.Unlock()
		}
	}
}

func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}
