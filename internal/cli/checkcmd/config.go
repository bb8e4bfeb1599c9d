package checkcmd

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/clearline/clearline/internal/cli"
	"github.com/clearline/clearline/internal/config"
	"github.com/clearline/clearline/internal/screenconfig"
)

// fromConfig builds the screener and line exactly as 'clearline serve'
// does from the same configuration, so check shows what the gateway would
// decide. --line picks the line; with one line configured it is the default.
func fromConfig(ctx context.Context, o options, stdio cli.IO) (setup, error) {
	if o.lineSettings || o.blocklist != "" || o.dno != "" {
		return setup{}, cli.Usagef("--config takes the lists and line settings from the configuration; drop the list and line flags")
	}
	cfg, err := config.Load(o.config, stdio.Getenv)
	if err != nil {
		return setup{}, err
	}
	s, lines, err := screenconfig.Build(ctx, cfg, stdio.Err)
	if err != nil {
		return setup{}, err
	}
	id := o.line
	if id == "" && len(lines) == 1 {
		for only := range lines {
			id = only
		}
	}
	if id == "" {
		return setup{}, cli.Usagef("--line is needed: the configuration has %d lines (%s)", len(lines), strings.Join(lineIDs(lines), ", "))
	}
	l, ok := lines[id]
	if !ok {
		return setup{}, fmt.Errorf("no such line %q in %s (lines: %s)", id, o.config, strings.Join(lineIDs(lines), ", "))
	}
	return setup{screener: s, line: l}, nil
}

func lineIDs[T any](m map[string]T) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
