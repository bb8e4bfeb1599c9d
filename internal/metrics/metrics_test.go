package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
	"github.com/clearline/clearline/internal/store/sqlite"
)

func TestStoreCounts(t *testing.T) {
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	m := New()
	var seen []string
	st := m.Store(raw, func(inc store.Incident) { seen = append(seen, inc.CallID) })
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.StartCall(ctx, store.Call{ID: "c1", LineID: "mum", Direction: "inbound", From: "+442071838750", StartedAt: t0}))
	must(st.SetCallDecision(ctx, "c1", "challenge", []string{"unknown number"}))
	must(st.SetCallVerdict(ctx, "c1", "scam", []string{"authority:police"}))
	must(st.RecordIncident(ctx, store.Incident{CallID: "c1", LineID: "mum", Verdict: "scam", FlaggedAt: t0},
		[]store.Alert{{Channel: store.ChannelEmail, Target: "son@example.org", NextAt: t0}}))
	must(st.EndCall(ctx, "c1", t0.Add(time.Minute), "completed", "clearline", ""))
	// A decision known when the call starts is counted with the start.
	must(st.StartCall(ctx, store.Call{ID: "c2", LineID: "mum", Direction: "inbound", From: "101", StartedAt: t0, Decision: "block", Reasons: []string{"101 never calls"}}))
	must(st.StartCall(ctx, store.Call{ID: "c3", LineID: "mum", Direction: "outbound", To: "999", StartedAt: t0, Emergency: true}))
	// A rejected write is not counted.
	if err := st.EndCall(ctx, "nosuch", t0, "completed", "", ""); err == nil {
		t.Fatal("ending a missing call succeeded")
	}
	as, err := st.ClaimAlerts(ctx, t0.Add(time.Second), 10, time.Minute)
	must(err)
	must(st.AlertFailed(ctx, as[0].ID, "smtp down", t0.Add(time.Minute), false))
	must(st.AlertSent(ctx, as[0].ID, t0.Add(2*time.Minute)))

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`clearline_calls_total{outcome="completed"} 1`,
		`clearline_screening_decisions_total{decision="challenge"} 1`,
		`clearline_screening_decisions_total{decision="block"} 1`,
		`clearline_detector_verdicts_total{verdict="scam"} 1`,
		`clearline_incidents_recorded_total{verdict="scam"} 1`,
		`clearline_alerts_total{result="queued"} 1`,
		`clearline_alerts_total{result="retry"} 1`,
		`clearline_alerts_total{result="sent"} 1`,
		`clearline_alerts_total{result="failed"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if len(seen) != 1 || seen[0] != "c1" {
		t.Errorf("incident hook saw %v", seen)
	}
}
