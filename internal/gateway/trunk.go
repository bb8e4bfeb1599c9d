package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// registerLoop keeps clearline registered to the provider (digest auth),
// refreshing before expiry and retrying with back-off after failures.
func (g *Gateway) registerLoop(ctx context.Context) {
	t := g.cfg.Trunk
	expiry := t.RegisterExpiry
	if expiry <= 0 {
		expiry = time.Hour
	}
	backoff := 5 * time.Second
	for {
		granted, err := g.registerOnce(ctx, expiry)
		wait := granted / 2
		if err != nil {
			g.log.Warn("trunk registration failed", "trunk", t.Address, "error", err, "retry_in", backoff)
			wait = backoff
			backoff = min(backoff*2, 5*time.Minute)
		} else {
			backoff = 5 * time.Second
			g.log.Info("registered to trunk", "trunk", t.Address, "expires", granted)
		}
		select {
		case <-ctx.Done():
			g.unregister()
			return
		case <-time.After(wait):
		}
	}
}

func (g *Gateway) registerRequest(expiry time.Duration) *sip.Request {
	t := g.cfg.Trunk
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: t.Domain})
	req.SetDestination(t.Address)
	req.SetTransport(transportOf(t.Transport))
	g.fromListener(req)
	aor := sip.Uri{Scheme: "sip", User: t.Username, Host: t.Domain}
	req.AppendHeader(&sip.FromHeader{Address: aor, Params: tagParams()})
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: t.Username, Host: g.cfg.Host, Port: g.listenPort}})
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expiry.Seconds()))))
	return req
}

// registerOnce sends one REGISTER (answering a digest challenge) and
// returns the expiry the provider granted.
func (g *Gateway) registerOnce(ctx context.Context, expiry time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	req := g.registerRequest(expiry)
	res, err := g.client.Do(ctx, req)
	if err == nil && res == nil {
		err = errNoResponse
	}
	if err != nil {
		return 0, fmt.Errorf("register: %w", err)
	}
	if res.StatusCode == 401 || res.StatusCode == 407 {
		res, err = g.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: g.cfg.Trunk.Username, Password: g.cfg.Trunk.Password})
		if err == nil && res == nil {
			err = errNoResponse
		}
		if err != nil {
			return 0, fmt.Errorf("register with credentials: %w", err)
		}
	}
	if res.StatusCode != 200 {
		return 0, fmt.Errorf("register: provider answered %d %s", res.StatusCode, res.Reason)
	}
	granted := expiry
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(h.Value()); err == nil && n > 0 {
			granted = time.Duration(n) * time.Second
		}
	}
	if c := res.Contact(); c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				granted = time.Duration(n) * time.Second
			}
		}
	}
	return max(granted, 10*time.Second), nil
}

// errNoResponse stands for a transaction that ended without a response,
// which sipgo reports as (nil, nil) when its transport is closing.
var errNoResponse = errors.New("no response from provider")

// unregister removes the provider binding on shutdown (best effort).
func (g *Gateway) unregister() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req := g.registerRequest(0)
	res, err := g.client.Do(ctx, req)
	if err == nil && res == nil {
		err = errNoResponse
	}
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		_, err = g.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: g.cfg.Trunk.Username, Password: g.cfg.Trunk.Password})
	}
	if err != nil {
		g.log.Info("trunk unregister", "error", err)
	}
}
