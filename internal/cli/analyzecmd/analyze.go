// Package analyzecmd implements 'clearline analyze'.
package analyzecmd

import (
	"context"
	"errors"

	"github.com/clearline/clearline/internal/cli"
)

// Run runs 'clearline analyze' with the arguments after the command name.
func Run(ctx context.Context, args []string, io cli.IO) error {
	return errors.New("not implemented yet")
}
