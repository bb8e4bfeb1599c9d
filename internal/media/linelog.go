package media

import (
	"context"
	"log/slog"
	"runtime"
	"time"
)

// lineLog is a logger and attributes to put first on each of its lines,
// as base.With(attrs...) would, except that nothing is paid until a line
// is written: slog's With clones the handler and formats the attributes
// at once, and legs and relays are made at the call rate but rarely log.
// A lineLog is never modified once in use; the zero lineLog discards.
type lineLog struct {
	base  *slog.Logger
	attrs []slog.Attr
}

// write logs msg at level with g's attributes, then own (the writer's
// own attributes, such as a leg's local address), then args: the order
// base.With(attrs...).With(own...).Log(...) would give. The caller
// reported for the line (slog.HandlerOptions.AddSource) is the caller of
// the function that calls write.
func (g *lineLog) write(level slog.Level, own []slog.Attr, msg string, args ...any) {
	if !g.enabled(level) {
		return
	}
	var pcs [1]uintptr
	runtime.Callers(3, pcs[:]) // skip Callers, write and write's caller
	r := slog.NewRecord(time.Now(), level, msg, pcs[0])
	r.AddAttrs(g.attrs...)
	r.AddAttrs(own...)
	r.Add(args...)
	_ = g.base.Handler().Handle(context.Background(), r)
}

// enabled reports whether a line at level would be written, so that
// callers can skip formatting their own attributes.
func (g *lineLog) enabled(level slog.Level) bool {
	return g.base != nil && g.base.Handler().Enabled(context.Background(), level)
}
