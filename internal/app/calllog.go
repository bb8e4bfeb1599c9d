package app

import (
	"context"
	"time"

	"github.com/clearline/clearline/internal/gateway"
	"github.com/clearline/clearline/internal/store"
)

// callLog records the gateway's calls in the store.
type callLog struct{ st store.Store }

var _ gateway.CallLog = callLog{}

func (l callLog) StartCall(ctx context.Context, c gateway.CallRecord) error {
	return l.st.StartCall(ctx, store.Call{
		ID: c.ID, LineID: c.LineID, Direction: c.Direction,
		From: c.From, To: c.To, CallerName: c.CallerName,
		StartedAt: c.StartedAt, Emergency: c.Emergency,
		Decision: c.Decision, Reasons: c.Reasons,
	})
}

func (l callLog) AnswerCall(ctx context.Context, id string, at time.Time) error {
	return l.st.AnswerCall(ctx, id, at)
}

func (l callLog) EndCall(ctx context.Context, id string, at time.Time, outcome, hangupBy, reason string) error {
	return l.st.EndCall(ctx, id, at, outcome, hangupBy, reason)
}

func (l callLog) SetCallDecision(ctx context.Context, id, decision string, reasons []string) error {
	return l.st.SetCallDecision(ctx, id, decision, reasons)
}
