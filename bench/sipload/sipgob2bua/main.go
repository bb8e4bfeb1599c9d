// Command sipgob2bua is the SIP floor under clearline's gateway, for
// bench/sipload only: a back-to-back user agent on sipgo's dialog layer,
// made the way clearline's gateway makes its calls (a server dialog towards
// the caller, a client dialog towards the answerer, 100/180/200 relayed,
// ACK and BYE across), and nothing else: the SDP passes through untouched,
// no media is anchored and no call is logged. Its highest call rate is what
// clearline could reach on sipgo if its own work (media, call log, gateway)
// cost nothing. It is not part of clearline.
//
//	sipgob2bua -listen 127.0.0.1:5060 -next 127.0.0.1:5070 [-pprof 127.0.0.1:16060]
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/clearline/clearline/bench/sipload/targetflag"
)

func main() {
	t := targetflag.Define()
	linger := flag.Duration("linger", 5*time.Second, "how long finished transactions are kept (clearline's [sip] transaction_linger)")
	t.Parse()
	if err := run(context.Background(), t.Listen, t.Next, *linger, t.Buffer, t.Log); err != nil {
		t.Log.Error("sipgob2bua", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, listen, next string, linger time.Duration, buffer int, log *slog.Logger) error {
	// The same transaction timers clearline sets (gateway.setTransactionLinger).
	sip.Timer_J, sip.Timer_L, sip.Timer_M, sip.Timer_D = linger, linger, linger, linger
	host, port, err := sip.ParseAddr(listen)
	if err != nil {
		return err
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("sipgob2bua"), sipgo.WithUserAgentHostname(host))
	if err != nil {
		return err
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		return err
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientLogger(log), sipgo.WithClientHostname(host), sipgo.WithClientPort(port))
	if err != nil {
		return err
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "b2bua", Host: host, Port: port}}
	laddr := sip.Addr{IP: net.ParseIP(host), Port: port}
	uas := sipgo.NewDialogServerCache(client, contact)
	uac := sipgo.NewDialogClientCache(client, contact)

	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 100, "Trying", nil))
		in, err := uas.ReadInvite(req, tx)
		if err != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil))
			return
		}
		defer in.Close()
		invite := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: req.Recipient.User, Host: next})
		invite.SetDestination(next)
		// From the listening socket, as clearline's gateway sends
		// (fromListener): without Laddr sipgo sends from a socket of its
		// own on an ephemeral port with the kernel's default buffer, and
		// at 2000 calls/s bursts of answers to it were lost.
		invite.Laddr = laddr
		tag := sip.NewParams()
		tag.Add("tag", sip.GenerateTagN(16))
		invite.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: req.From().Address.User, Host: host}, Params: tag})
		invite.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: req.Recipient.User, Host: next}, Params: sip.NewParams()})
		invite.SetBody(req.Body())
		invite.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		ringCtx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		out, err := uac.WriteInvite(ringCtx, invite)
		if err != nil {
			log.Warn("invite to answerer", "error", err)
			_ = in.Respond(502, "Bad Gateway", nil)
			return
		}
		defer out.Close()
		err = out.WaitAnswer(ringCtx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
			if res.StatusCode == 180 {
				_ = in.Respond(180, "Ringing", nil)
			}
			return nil
		}})
		if err != nil {
			log.Warn("answer from answerer", "error", err)
			_ = in.Respond(502, "Bad Gateway", nil)
			return
		}
		if err := out.Ack(ctx); err != nil {
			log.Warn("ack to answerer", "error", err)
		}
		go func() {
			if err := in.RespondSDP(out.InviteResponse.Body()); err != nil {
				log.Warn("200 to caller", "error", err)
			}
		}()
		select { // whichever side hangs up first, the other gets its BYE
		case <-in.Context().Done():
			_ = out.Bye(ctx)
		case <-out.Context().Done():
			_ = in.Bye(ctx)
		}
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = uas.ReadAck(req, tx) })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if uas.ReadBye(req, tx) == nil || uac.ReadBye(req, tx) == nil {
			return
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	})
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	conn, err := net.ListenPacket("udp", listen)
	if err != nil {
		return err
	}
	u := conn.(*net.UDPConn)
	if err := errors.Join(u.SetReadBuffer(buffer), u.SetWriteBuffer(buffer)); err != nil {
		return err
	}
	return srv.ServeUDP(conn)
}
