// Package e2e holds clearline's end-to-end tests: the whole program
// (internal/app, exactly as 'clearline serve' runs it) between real SIP peers
// (SIPp as the provider, baresip as the protected phone) over loopback, with
// real RTP, a real SQLite store and synthesised audio. It has no production
// code.
package e2e
