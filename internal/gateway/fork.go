package gateway

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// fork is how ringing one handset ended: answered (err nil) or not.
type fork struct {
	out *sipgo.DialogClientSession
	err error
}

// ringAll rings every handset of a line at once, as a home phone system
// does, and returns the dialog of the first to answer. The others are
// cancelled (sipgo sends CANCEL when a ringing fork's context ends); one
// that answers a moment after the winner is sent ACK and BYE. Progress
// (ringing, early media) from any handset reaches the caller through
// auth.OnResponse, one response at a time and none after the winner.
//
// When no handset answers, the error is that of the most telling final
// response (see worse), or the context's when the ring timer fired or the
// caller gave up.
func (g *Gateway) ringAll(c *Call, ringCtx context.Context, invites []*sip.Request, auth sipgo.AnswerOptions) (*sipgo.DialogClientSession, error) {
	forkCtx, cancelForks := context.WithCancel(ringCtx)
	var progress sync.Mutex
	opts := auth
	if auth.OnResponse != nil {
		opts.OnResponse = func(res *sip.Response) error {
			progress.Lock()
			defer progress.Unlock()
			if forkCtx.Err() != nil {
				return nil // ringing is over: late progress is stale
			}
			return auth.OnResponse(res)
		}
	}

	results := make(chan fork, len(invites))
	for _, invite := range invites {
		go func() {
			out, err := g.uacDialogs.WriteInvite(forkCtx, invite)
			if err != nil {
				results <- fork{err: err}
				return
			}
			results <- fork{out: out, err: out.WaitAnswer(forkCtx, opts)}
		}()
	}

	var failure error
	for left := len(invites); left > 0; left-- {
		r := <-results
		if r.err == nil {
			progress.Lock()
			cancelForks() // the others stop ringing
			progress.Unlock()
			go g.dropForks(c, results, left-1)
			return r.out, nil
		}
		if r.out != nil {
			r.out.Close()
		}
		failure = worse(failure, r.err)
	}
	cancelForks()
	return nil, failure
}

// dropForks collects the n handsets still ringing after another answered:
// one that answered in the same moment is hung up, the rest were
// cancelled.
func (g *Gateway) dropForks(c *Call, results <-chan fork, n int) {
	for range n {
		r := <-results
		if r.out == nil {
			continue
		}
		if r.err == nil {
			g.log.Info("second handset answered too late: hanging it up", "call_id", c.ID)
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second) // as teardown
			_ = r.out.Ack(ctx)
			_ = r.out.Bye(ctx)
			cancel()
		}
		r.out.Close()
	}
}

// worse returns the more telling of two reasons no handset answered: a
// final response over an error without one, a 6xx (declined everywhere)
// over others, then busy over the rest, as RFC 3261 16.7 asks a forking
// proxy to choose.
func worse(a, b error) error {
	rank := func(err error) int {
		var res *sipgo.ErrDialogResponse
		switch {
		case err == nil:
			return 0
		case !errors.As(err, &res):
			return 1
		case res.Res.StatusCode >= 600:
			return 4
		case res.Res.StatusCode == 486:
			return 3
		default:
			return 2
		}
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
