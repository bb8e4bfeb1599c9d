// Package cli holds what every clearline subcommand shares: its standard
// streams and environment, and the error kind that means "you called me
// wrongly" (exit status 2) rather than "the work failed" (exit status 1).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// IO is a subcommand's view of the process: its streams and environment.
// Tests pass buffers and a map-backed Getenv, so a whole subcommand can run
// in-process.
type IO struct {
	In     io.Reader
	Out    io.Writer
	Err    io.Writer
	Getenv func(string) string
}

// Command runs one subcommand with the arguments that follow its name.
type Command func(ctx context.Context, args []string, io IO) error

// UsageError reports arguments the subcommand cannot accept.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError with a formatted message.
func Usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// ExitCode maps a subcommand's error to the process exit status:
// 0 for nil, 2 for usage errors, 1 for anything else.
func ExitCode(err error) int {
	var u *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}
