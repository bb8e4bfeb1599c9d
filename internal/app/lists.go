package app

import (
	"context"
	"fmt"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/store"
)

// loadKeptLists adds the numbers kept in the store (trusted or blocked by
// the person with a key, or by a carer) to the lines built from the config.
func loadKeptLists(ctx context.Context, st store.Store, s *screen.Screener, lines map[string]*screen.Line) error {
	for id, l := range lines {
		for _, kind := range []string{"trusted", "blocked"} {
			entries, err := st.ListEntries(ctx, id, kind)
			if err != nil {
				return fmt.Errorf("load %s list of line %s: %w", kind, id, err)
			}
			var nums []screen.Number
			for _, e := range entries {
				n, err := s.Parser().Parse(e.Number)
				if err != nil {
					return fmt.Errorf("line %s: kept %s number %q: %w", id, kind, e.Number, err)
				}
				if kind == "trusted" {
					l.AddTrusted(screen.Contact{Name: e.Name, Number: n})
				} else {
					nums = append(nums, n)
				}
			}
			if len(nums) > 0 {
				l.Block(nums...)
			}
		}
	}
	return nil
}
