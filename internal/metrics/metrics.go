// Package metrics holds clearline's Prometheus counters (calls by
// outcome, screening decisions, detector verdicts, alert delivery) on a
// registry of its own, and Store, a store.Store decorator that counts what
// passes through it. It never logs.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/clearline/clearline/internal/store"
)

// Metrics are the counters.
type Metrics struct {
	reg       *prometheus.Registry
	Calls     *prometheus.CounterVec // outcome
	Decisions *prometheus.CounterVec // decision
	Verdicts  *prometheus.CounterVec // verdict
	Incidents *prometheus.CounterVec // verdict
	Alerts    *prometheus.CounterVec // result: queued, sent, retry, failed
}

// New registers the counters on a new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		Calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clearline_calls_total",
			Help: "Calls ended, by outcome."}, []string{"outcome"}),
		Decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clearline_screening_decisions_total",
			Help: "Screening decisions before the phone rang, by decision."}, []string{"decision"}),
		Verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clearline_detector_verdicts_total",
			Help: "Scam-script detector verdicts stored on calls, by verdict."}, []string{"verdict"}),
		Incidents: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clearline_incidents_recorded_total",
			Help: "Incidents recorded or updated, by verdict."}, []string{"verdict"}),
		Alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clearline_alerts_total",
			Help: "Alert outbox events: queued, sent, retry (a failed attempt to be retried) or failed (given up)."}, []string{"result"}),
	}
	m.reg.MustRegister(m.Calls, m.Decisions, m.Verdicts, m.Incidents, m.Alerts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"queued", "sent", "retry", "failed"} {
		m.Alerts.WithLabelValues(r)
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Store counts what passes through st, and calls onIncident (if set)
// after each incident is recorded.
func (m *Metrics) Store(st store.Store, onIncident func(store.Incident)) store.Store {
	return &counted{Store: st, m: m, onIncident: onIncident}
}

type counted struct {
	store.Store
	m          *Metrics
	onIncident func(store.Incident)
}

// StartCall counts the screening decision when the call's first row
// carries it (the gateway screens inbound calls before logging them).
func (c *counted) StartCall(ctx context.Context, call store.Call) error {
	err := c.Store.StartCall(ctx, call)
	if err == nil && call.Decision != "" {
		c.m.Decisions.WithLabelValues(call.Decision).Inc()
	}
	return err
}

func (c *counted) EndCall(ctx context.Context, id string, at time.Time, outcome, hangupBy, reason string) error {
	err := c.Store.EndCall(ctx, id, at, outcome, hangupBy, reason)
	if err == nil {
		c.m.Calls.WithLabelValues(outcome).Inc()
	}
	return err
}

func (c *counted) SetCallDecision(ctx context.Context, id, decision string, reasons []string) error {
	err := c.Store.SetCallDecision(ctx, id, decision, reasons)
	if err == nil {
		c.m.Decisions.WithLabelValues(decision).Inc()
	}
	return err
}

func (c *counted) SetCallVerdict(ctx context.Context, id, verdict string, tactics []string) error {
	err := c.Store.SetCallVerdict(ctx, id, verdict, tactics)
	if err == nil {
		c.m.Verdicts.WithLabelValues(verdict).Inc()
	}
	return err
}

func (c *counted) RecordIncident(ctx context.Context, inc store.Incident, alerts []store.Alert) error {
	err := c.Store.RecordIncident(ctx, inc, alerts)
	if err == nil {
		c.m.Incidents.WithLabelValues(inc.Verdict).Inc()
		c.m.Alerts.WithLabelValues("queued").Add(float64(len(alerts)))
		if c.onIncident != nil {
			c.onIncident(inc)
		}
	}
	return err
}

func (c *counted) AlertSent(ctx context.Context, id int64, at time.Time) error {
	err := c.Store.AlertSent(ctx, id, at)
	if err == nil {
		c.m.Alerts.WithLabelValues("sent").Inc()
	}
	return err
}

func (c *counted) AlertFailed(ctx context.Context, id int64, reason string, next time.Time, final bool) error {
	err := c.Store.AlertFailed(ctx, id, reason, next, final)
	if err == nil {
		if final {
			c.m.Alerts.WithLabelValues("failed").Inc()
		} else {
			c.m.Alerts.WithLabelValues("retry").Inc()
		}
	}
	return err
}
