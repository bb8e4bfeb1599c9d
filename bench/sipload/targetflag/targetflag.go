// Package targetflag is the command line bench/sipload gives each of its Go
// targets (sipgob2bua, minb2bua): where to listen, where the answerer is,
// the SIP socket buffer and where to serve Go's profiles.
package targetflag

import (
	"context"
	"flag"
	"log/slog"
	"os"

	"github.com/clearline/clearline/internal/profiling"
)

// Target is what the flags said, and the logger the target logs with.
type Target struct {
	Listen, Next string
	Buffer       int
	Log          *slog.Logger
	pprof        string
}

// Define defines -listen, -next, -buffer and -pprof on flag.CommandLine.
func Define() *Target {
	t := &Target{}
	flag.StringVar(&t.Listen, "listen", "127.0.0.1:5060", "SIP UDP address to listen on")
	flag.StringVar(&t.Next, "next", "127.0.0.1:5070", "address of the answering side")
	flag.IntVar(&t.Buffer, "buffer", 4<<20, "SIP socket receive and send buffer in bytes (clearline's gateway asks for 4 MB)")
	flag.StringVar(&t.pprof, "pprof", "", "serve Go's profiles and runtime counters here, as clearline's [log] pprof does (loopback)")
	return t
}

// Parse parses the command line, makes the logger (warnings and errors to
// stderr, which the bench prints when calls failed) and starts the
// profiler when -pprof is given. It exits if the profiler cannot listen.
func (t *Target) Parse() {
	flag.Parse()
	t.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if t.pprof == "" {
		return
	}
	if _, err := profiling.Start(context.Background(), t.pprof, t.Log); err != nil {
		t.Log.Error("pprof", "error", err)
		os.Exit(1)
	}
}
