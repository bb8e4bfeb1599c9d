package storetest

import (
	"testing"
	"time"

	"github.com/clearline/clearline/internal/store"
)

func testIncidents(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	inc := store.Incident{CallID: "c1", LineID: "mum", Caller: "+441142345678", District: "AL1", Verdict: "suspicious", Score: 0.5,
		Tactics: []string{"authority:police"}, Explanation: "x", Transcript: []store.TranscriptLine{{At: time.Second, Speaker: "caller", Text: "pin is [redacted]"}}, FlaggedAt: t0}
	alerts := []store.Alert{
		{Channel: store.ChannelEmail, Target: "son@example.org", Subject: "suspicious", Body: "b1", NextAt: t0.Add(time.Minute)},
		{Channel: store.ChannelWebhook, Target: "http://127.0.0.1:1/hook", Subject: "suspicious", Body: "{}", NextAt: t0.Add(time.Minute)},
	}
	must(t, s.RecordIncident(ctx(), inc, alerts))
	if got, _ := s.ClaimAlerts(ctx(), t0, 10, time.Minute); len(got) != 0 {
		t.Fatalf("held alerts claimed early: %+v", got)
	}
	// The call turns out to be a scam: same rows, upgraded, due at once.
	inc.Verdict, inc.Score, inc.Tactics = "scam", 0.9, []string{"authority:police", "request:withdraw-cash"}
	for i := range alerts {
		alerts[i].Subject, alerts[i].NextAt = "scam", t0.Add(time.Second)
	}
	must(t, s.RecordIncident(ctx(), inc, alerts))
	got, err := s.GetIncident(ctx(), "c1")
	must(t, err)
	if got.Verdict != "scam" || len(got.Tactics) != 2 || !got.FlaggedAt.Equal(t0) || len(got.Transcript) != 1 || got.Transcript[0].Text != "pin is [redacted]" || got.District != "AL1" {
		t.Fatalf("incident %+v", got)
	}
	all, err := s.ListAlerts(ctx(), "c1")
	must(t, err)
	if len(all) != 2 || all[0].Subject != "scam" || all[0].Status != "pending" {
		t.Fatalf("alerts after upgrade %+v", all)
	}
	now := t0.Add(2 * time.Second)
	claimed, err := s.ClaimAlerts(ctx(), now, 10, time.Minute)
	must(t, err)
	if len(claimed) != 2 || claimed[0].Attempts != 1 {
		t.Fatalf("claimed %+v", claimed)
	}
	if again, _ := s.ClaimAlerts(ctx(), now, 10, time.Minute); len(again) != 0 {
		t.Fatalf("leased alerts claimed twice: %+v", again)
	}
	must(t, s.AlertSent(ctx(), claimed[0].ID, now))
	must(t, s.AlertFailed(ctx(), claimed[1].ID, "connection refused", now.Add(5*time.Second), false))
	wantKind(t, s.AlertSent(ctx(), claimed[0].ID, now), store.KindNotFound, "marking a sent alert sent again")
	// Recording again after delivery queues nothing new.
	must(t, s.RecordIncident(ctx(), inc, alerts))
	retry, err := s.ClaimAlerts(ctx(), now.Add(5*time.Second), 10, time.Minute)
	must(t, err)
	if len(retry) != 1 || retry[0].ID != claimed[1].ID || retry[0].Attempts != 2 || retry[0].LastError != "connection refused" {
		t.Fatalf("retry %+v", retry)
	}
	must(t, s.AlertFailed(ctx(), retry[0].ID, "gave up", now, true))
	all, _ = s.ListAlerts(ctx(), "")
	if len(all) != 2 || all[0].Status != "sent" || all[0].SentAt == nil || all[1].Status != "failed" {
		t.Fatalf("final alerts %+v", all)
	}
	// Held alerts are released when the call ends.
	must(t, s.RecordIncident(ctx(), store.Incident{CallID: "c2", LineID: "mum", Verdict: "suspicious", FlaggedAt: t0},
		[]store.Alert{{Channel: store.ChannelEmail, Target: "son@example.org", NextAt: t0.Add(time.Hour)}}))
	must(t, s.ReleaseAlerts(ctx(), "c2", t0.Add(time.Second)))
	if c, _ := s.ClaimAlerts(ctx(), t0.Add(time.Second), 10, time.Minute); len(c) != 1 || c[0].CallID != "c2" {
		t.Fatalf("released alert not claimable: %+v", c)
	}
	// Invalid records are refused and change nothing.
	wantKind(t, s.RecordIncident(ctx(), store.Incident{CallID: "c3", Verdict: "maybe", FlaggedAt: t0}, nil), store.KindInvalid, "bad verdict")
	wantKind(t, s.RecordIncident(ctx(), store.Incident{CallID: "c3", Verdict: "scam", FlaggedAt: t0}, []store.Alert{{Channel: "pigeon", Target: "x"}}), store.KindInvalid, "bad channel")
	wantKind(t, s.RecordIncident(ctx(), store.Incident{Verdict: "scam", FlaggedAt: t0}, nil), store.KindInvalid, "no call id")
	if _, err := s.GetIncident(ctx(), "c3"); !store.IsNotFound(err) {
		t.Fatalf("rejected incident stored: %v", err)
	}
	list, err := s.ListIncidents(ctx(), store.IncidentFilter{LineID: "mum"})
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("incidents %+v", list)
	}
}

func testAlertRecipients(t *testing.T, s store.Store) {
	must(t, s.PutAlertRecipient(ctx(), store.AlertRecipient{LineID: "mum", Channel: store.ChannelEmail, Target: "son@example.org", Name: "Tom"}))
	must(t, s.PutAlertRecipient(ctx(), store.AlertRecipient{LineID: "mum", Channel: store.ChannelEmail, Target: "son@example.org", Name: "Tom B"}))
	must(t, s.PutAlertRecipient(ctx(), store.AlertRecipient{LineID: "mum", Channel: store.ChannelWebhook, Target: "https://example.org/hook"}))
	wantKind(t, s.PutAlertRecipient(ctx(), store.AlertRecipient{LineID: "mum", Channel: "fax", Target: "x"}), store.KindInvalid, "bad channel")
	rs, err := s.ListAlertRecipients(ctx(), "mum")
	must(t, err)
	if len(rs) != 2 || rs[0].Name != "Tom B" {
		t.Fatalf("recipients %+v", rs)
	}
	must(t, s.RemoveAlertRecipient(ctx(), "mum", store.ChannelWebhook, "https://example.org/hook"))
	wantKind(t, s.RemoveAlertRecipient(ctx(), "mum", store.ChannelWebhook, "https://example.org/hook"), store.KindNotFound, "removing twice")
}

func testQueueAlerts(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 25, 11, 0, 0, 0, time.UTC)
	a := store.Alert{CallID: "v1", LineID: "mum", Channel: store.ChannelEmail, Target: "son@example.org", Subject: "called 101", Body: "b", CreatedAt: t0}
	must(t, s.QueueAlerts(ctx(), []store.Alert{a}))
	a.Subject = "second"
	must(t, s.QueueAlerts(ctx(), []store.Alert{a})) // already queued: unchanged
	all, err := s.ListAlerts(ctx(), "v1")
	must(t, err)
	if len(all) != 1 || all[0].Subject != "called 101" || all[0].Status != "pending" || !all[0].NextAt.Equal(t0) || all[0].LineID != "mum" {
		t.Fatalf("queued alerts %+v", all)
	}
	claimed, err := s.ClaimAlerts(ctx(), t0, 10, time.Minute)
	must(t, err)
	if len(claimed) != 1 || claimed[0].CallID != "v1" {
		t.Fatalf("claimed %+v", claimed)
	}
	if _, err := s.GetIncident(ctx(), "v1"); !store.IsNotFound(err) {
		t.Fatalf("queueing an alert created an incident: %v", err)
	}
	for _, bad := range []store.Alert{
		{CallID: "v2", Channel: "sms", Target: "x", CreatedAt: t0},
		{CallID: "v2", Channel: store.ChannelEmail, Target: "", CreatedAt: t0},
		{CallID: "", Channel: store.ChannelEmail, Target: "x@example.org", CreatedAt: t0},
		{CallID: "v2", Channel: store.ChannelEmail, Target: "x@example.org"},
	} {
		if err := s.QueueAlerts(ctx(), []store.Alert{bad}); store.KindOf(err) != store.KindInvalid {
			t.Errorf("QueueAlerts(%+v) = %v, want an invalid-argument error", bad, err)
		}
	}
}
