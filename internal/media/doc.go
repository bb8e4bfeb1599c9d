// Package media is clearline's media plane: it owns every RTP port the
// gateway uses and everything that travels through them.
//
// A call has two legs, each a [Leg]: one UDP RTP port (plus the RTCP port
// above it, bound and ignored) facing one far end, with its negotiated codec,
// telephone-event payload type and a source lock. A Leg works alone as an
// endpoint — clearline's own side of a conversation, as in the screening
// challenge: [Leg.Play] a prompt, [Leg.Record] or [Leg.Tap] what the far end
// says, read its key presses from [Leg.Digits] — and two Legs are joined by
// a [Relay], which forwards audio and RFC 4733 telephone-events between them
// (transcoding PCMU<->PCMA, remapping event payload types), ends on RTP
// inactivity, and lets the call's guard play prompts into one leg, mute a
// direction, filter audio and intercept key presses.
//
// Each leg's outgoing stream is one continuous RTP stream (its own SSRC,
// sequence numbers and timestamps) whether the packets come from the far
// leg, a prompt or silence, so switching sources never confuses the far end.
//
// The package also parses and builds the SDP of a leg ([ParseSDP],
// [Negotiate], [BuildSDP]) and reads and writes the 8 kHz WAV files prompts
// come in ([ReadWAV], [WriteWAV]). G.711 arithmetic lives in the g711
// subpackage.
//
// What it never does: SIP signalling, deciding what a call means (taps and
// hooks hand audio and events to other packages), or blocking the media
// path on a slow consumer — taps and digit channels drop and count instead.
// One goroutine reads each leg's socket for the leg's whole life and does
// all the per-packet work (source lock, parse, taps, forwarding to the
// other leg's socket); Relay.Run watches inactivity on its caller's
// goroutine; Play paces on its caller's goroutine. Nothing is started per
// packet, and every goroutine ends on Close or context cancellation.
package media
