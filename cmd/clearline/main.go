// Command clearline is a call-protection gateway: a SIP back-to-back user
// agent between a phone line's provider and a protected person's phone.
//
// Subcommands:
//
//	serve    run the gateway (and its dashboard) from a config file
//	demo     run clearline on loopback with a simulated provider and phone
//	check    show the screening decision for a caller ID
//	analyze  run the scam-script detector over call transcripts (JSONL)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/cli/analyzecmd"
	"github.com/clearline/clearline/internal/cli/checkcmd"
	"github.com/clearline/clearline/internal/cli/democmd"
	"github.com/clearline/clearline/internal/cli/servecmd"
)

// commands maps each subcommand name to its implementation.
var commands = map[string]cli.Command{
	"analyze": analyzecmd.Run,
	"check":   checkcmd.Run,
	"demo":    democmd.Run,
	"serve":   servecmd.Run,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run executes one clearline invocation and returns its exit status.
func run(ctx context.Context, args []string, stdio cli.IO) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdio.Err)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stdio.Err, "clearline: unknown command %q\n\n", args[0])
		usage(stdio.Err)
		return 2
	}
	err := cmd(ctx, args[1:], stdio)
	if err != nil {
		fmt.Fprintf(stdio.Err, "clearline %s: %v\n", args[0], err)
	}
	return cli.ExitCode(err)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: clearline <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", n)
	}
	fmt.Fprintln(w, "\nRun 'clearline <command> -h' for a command's flags.")
}
