package gateway

import (
	"context"
	"errors"
	"testing"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// When no handset answers, the caller is told the most telling reason: a
// decline everywhere over busy, busy over other failures, any final
// response over an error without one.
func TestWorse(t *testing.T) {
	resp := func(code int) error {
		return &sipgo.ErrDialogResponse{Res: sip.NewResponse(code, "")}
	}
	code := func(err error) int {
		var r *sipgo.ErrDialogResponse
		if errors.As(err, &r) {
			return r.Res.StatusCode
		}
		return 0
	}
	tests := []struct {
		name string
		errs []error
		want int // final response code, 0: the context error
	}{
		{"one busy", []error{resp(486)}, 486},
		{"busy beats unavailable", []error{resp(480), resp(486)}, 486},
		{"busy beats unavailable, other order", []error{resp(486), resp(480)}, 486},
		{"decline beats busy", []error{resp(486), resp(603)}, 603},
		{"a response beats a timeout", []error{context.DeadlineExceeded, resp(480)}, 480},
		{"only timeouts", []error{context.DeadlineExceeded, context.Canceled}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			for _, err := range tt.errs {
				got = worse(got, err)
			}
			if code(got) != tt.want || got == nil {
				t.Fatalf("worse = %v (code %d), want code %d", got, code(got), tt.want)
			}
		})
	}
}
