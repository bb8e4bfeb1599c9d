package web

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clearline/clearline/internal/screen"
	"github.com/clearline/clearline/internal/screen/importer"
	"github.com/clearline/clearline/internal/screen/numplan"
	"github.com/clearline/clearline/internal/store"
)

// ---- input checks: each returns a message for the carer, or "" ----

// checkName checks a contact's or recipient's name.
func checkName(name string, required bool) string {
	switch {
	case required && strings.TrimSpace(name) == "":
		return "Enter a name."
	case !utf8.ValidString(name):
		return "The name is not valid text."
	case utf8.RuneCountInString(name) > 80:
		return "The name must be at most 80 characters."
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "The name cannot hold control characters."
	}
	return ""
}

// parseNumber reads a telephone number a carer typed. trusted numbers must
// also be ones a real phone can call from.
func (s *Server) parseNumber(raw string, trusted bool) (numplan.Number, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, "Enter a phone number."
	}
	if len(raw) > 40 {
		return 0, "That is too long to be a phone number."
	}
	n, err := s.cfg.Parser.Parse(raw)
	if err != nil {
		return 0, fmt.Sprintf("%q is not a phone number we can read (%v). Write it as you would dial it, for example 020 7946 0000 or +44 20 7946 0000.", raw, err)
	}
	if trusted {
		if r, ok := numplan.Drama(n); ok {
			return 0, fmt.Sprintf("%s is in Ofcom's drama range (%s): no real phone has it.", n, r.Area)
		}
		if !s.cfg.Parser.Classify(n).Valid() {
			return 0, fmt.Sprintf("%s is not a valid number, so no real caller can have it.", n)
		}
	}
	return n, ""
}

// ---- trusted contacts ----

type contactsData struct {
	Contacts []contactRow      `json:"contacts"`
	Rejected []importRejection `json:"rejected,omitempty"`
}

type contactRow struct {
	Number     string    `json:"number"`
	Name       string    `json:"name"`
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
	FromConfig bool      `json:"from_config"`
}

func (s *Server) contactRows(r *http.Request, l store.Line, sl *screen.Line) ([]contactRow, error) {
	kept, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "trusted")
	if err != nil {
		return nil, err
	}
	byNum := map[string]store.ListEntry{}
	for _, e := range kept {
		byNum[e.Number] = e
	}
	rows := []contactRow{}
	if sl == nil {
		for _, e := range kept {
			rows = append(rows, contactRow{Number: e.Number, Name: e.Name, AddedBy: e.AddedBy, AddedAt: e.CreatedAt})
		}
		return rows, nil
	}
	for _, c := range sl.Contacts() {
		num := c.Number.String()
		e, ok := byNum[num]
		rows = append(rows, contactRow{Number: num, Name: c.Name, AddedBy: e.AddedBy, AddedAt: e.CreatedAt, FromConfig: !ok})
	}
	return rows, nil
}

func (s *Server) contactsView(r *http.Request, c *reqCtx, l store.Line, sl *screen.Line) (*view, error) {
	rows, err := s.contactRows(r, l, sl)
	if err != nil {
		return nil, err
	}
	return &view{Page: "contacts", Title: "Trusted contacts: " + l.Name, Data: contactsData{Contacts: rows}}, nil
}

func (s *Server) contacts(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	return s.contactsView(r, c, l, sl)
}

// failWith renders the page again with the problem and the typed values.
func (s *Server) failWith(r *http.Request, c *reqCtx, build func() (*view, error), p *problem) (*view, error) {
	v, err := build()
	if err != nil {
		return nil, err
	}
	v.Form = c.form
	return v, p
}

func (s *Server) addContact(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.contactsView(r, c, l, sl) }
	name := strings.TrimSpace(c.form.Get("name"))
	fields := map[string]string{}
	if m := checkName(name, true); m != "" {
		fields["name"] = m
	}
	n, m := s.parseNumber(c.form.Get("number"), true)
	if m != "" {
		fields["number"] = m
	} else if blocked, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "blocked"); err != nil {
		return nil, err
	} else if slices.ContainsFunc(blocked, func(e store.ListEntry) bool { return e.Number == n.String() }) || sl != nil && sl.Blocked().Contains(n) {
		fields["number"] = n.String() + " is on this line's block list. Remove it there first."
	}
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("The contact was not saved. Please correct the highlighted fields.", fields))
	}
	num := n.String()
	kept, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "trusted")
	if err != nil {
		return nil, err
	}
	action, verb := "trusted.add", "Added"
	if slices.ContainsFunc(kept, func(e store.ListEntry) bool { return e.Number == num }) {
		// Renaming: the store keeps one row per number.
		if err := s.cfg.Store.RemoveListEntry(r.Context(), l.ID, "trusted", num); err != nil {
			return nil, err
		}
		action, verb = "trusted.edit", "Saved"
	}
	if err := s.cfg.Store.AddListEntry(r.Context(), store.ListEntry{LineID: l.ID, Kind: "trusted", Number: num, Name: name, AddedBy: c.user.Username, CreatedAt: s.cfg.Now()}); err != nil {
		return nil, err
	}
	if sl != nil {
		sl.AddTrusted(screen.Contact{Name: name, Number: n})
	}
	s.audit(r.Context(), c, l.ID, action, fmt.Sprintf("%s (%s)", num, name))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("%s %s (%s). Their calls ring straight through from now on.", verb, name, num)
	return v, nil
}

func (s *Server) removeContact(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.contactsView(r, c, l, sl) }
	n, m := s.parseNumber(c.form.Get("number"), false)
	if m != "" {
		return s.failWith(r, c, back, invalid(m, map[string]string{"number": m}))
	}
	num := n.String()
	kept, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "trusted")
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(kept, func(e store.ListEntry) bool { return e.Number == num }) {
		msg := num + " is not one of this line's trusted contacts."
		if sl != nil {
			if _, ok := sl.Trusted(n); ok {
				msg = num + " comes from clearline's configuration file; ask the administrator to remove it there."
			}
		}
		return s.failWith(r, c, back, invalid(msg, map[string]string{"number": msg}))
	}
	if err := s.cfg.Store.RemoveListEntry(r.Context(), l.ID, "trusted", num); err != nil {
		return nil, err
	}
	if sl != nil {
		sl.RemoveTrusted(n)
	}
	s.audit(r.Context(), c, l.ID, "trusted.remove", num)
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("Removed %s. Their next call will be challenged like any unknown caller.", num)
	return v, nil
}

// importRejection is one line of an import file that could not be used.
type importRejection struct {
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// importContacts reads a vCard or CSV file. All or nothing: if any line
// is rejected, nothing is added and every rejected line is listed.
func (s *Server) importContacts(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.contactsView(r, c, l, sl) }
	var data []byte
	fname := c.form.Get("filename")
	if f, h, err := r.FormFile("file"); err == nil {
		data, err = io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		fname = h.Filename
	} else {
		data = []byte(c.form.Get("text"))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		m := "Choose a contacts file (.vcf or .csv) to import."
		return s.failWith(r, c, back, invalid(m, map[string]string{"file": m}))
	}
	format := importer.FormatFor(fname)
	switch c.form.Get("format") {
	case "vcf", "vcard":
		format = importer.VCard
	case "csv":
		format = importer.CSV
	case "":
	default:
		m := "The format must be vcf or csv."
		return s.failWith(r, c, back, invalid(m, map[string]string{"format": m}))
	}
	cs, sum, err := importer.ReadContacts(r.Context(), bytes.NewReader(data), format, importer.Options{Parser: s.cfg.Parser})
	rej := []importRejection{}
	for _, x := range sum.Rejected {
		rej = append(rej, importRejection{Line: x.Line, Text: x.Text, Reason: x.Reason})
	}
	if err == nil && len(rej) == 0 && sl != nil {
		for i, ct := range cs {
			if sl.Blocked().Contains(ct.Number) {
				rej = append(rej, importRejection{Line: i + 1, Text: ct.Number.String(), Reason: "on this line's block list"})
			}
		}
	}
	if err != nil || len(rej) > 0 {
		msg := "Nothing was imported: some lines of the file could not be used. Correct them and import again."
		if err != nil && len(rej) == 0 {
			msg = "Nothing was imported: " + err.Error() + "."
		}
		v, berr := back()
		if berr != nil {
			return nil, berr
		}
		d := v.Data.(contactsData)
		d.Rejected = rej
		v.Data = d
		p := invalid(msg, map[string]string{"file": msg})
		p.Rejected = rej
		return v, p
	}
	kept, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "trusted")
	if err != nil {
		return nil, err
	}
	added := 0
	for _, ct := range cs {
		num := ct.Number.String()
		if slices.ContainsFunc(kept, func(e store.ListEntry) bool { return e.Number == num }) {
			continue
		}
		if err := s.cfg.Store.AddListEntry(r.Context(), store.ListEntry{LineID: l.ID, Kind: "trusted", Number: num, Name: ct.Name, AddedBy: c.user.Username + " (import)", CreatedAt: s.cfg.Now()}); err != nil {
			return nil, err
		}
		if sl != nil {
			sl.AddTrusted(ct)
		}
		added++
	}
	s.audit(r.Context(), c, l.ID, "trusted.import", fmt.Sprintf("%d contacts from %s", added, fname))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("Imported %d contacts (%d already there, %d skipped).", added, len(cs)-added, sum.Skipped+sum.Duplicates)
	return v, nil
}

// ---- block list ----

type blockedRow struct {
	Number     string    `json:"number"`
	Note       string    `json:"note"`
	AddedBy    string    `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
	FromConfig bool      `json:"from_config"`
}

const maxConfigBlocked = 500

func (s *Server) blockedView(r *http.Request, l store.Line, sl *screen.Line) (*view, error) {
	kept, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "blocked")
	if err != nil {
		return nil, err
	}
	rows := []blockedRow{}
	seen := map[string]bool{}
	for _, e := range kept {
		rows = append(rows, blockedRow{Number: e.Number, Note: e.Name, AddedBy: e.AddedBy, AddedAt: e.CreatedAt})
		seen[e.Number] = true
	}
	more := 0
	if sl != nil {
		for n := range sl.Blocked().All() {
			if seen[n.String()] {
				continue
			}
			if more < maxConfigBlocked {
				rows = append(rows, blockedRow{Number: n.String(), FromConfig: true})
			}
			more++
		}
	}
	return &view{Page: "blocked", Title: "Block list: " + l.Name, Data: map[string]any{"blocked": rows, "from_config": more}}, nil
}

func (s *Server) blocked(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	return s.blockedView(r, l, sl)
}

func (s *Server) addBlocked(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.blockedView(r, l, sl) }
	fields := map[string]string{}
	note := strings.TrimSpace(c.form.Get("note"))
	if m := checkName(note, false); m != "" {
		fields["note"] = strings.Replace(m, "name", "note", 1)
	}
	n, m := s.parseNumber(c.form.Get("number"), false)
	if m != "" {
		fields["number"] = m
	} else if sl != nil {
		if ct, ok := sl.Trusted(n); ok {
			fields["number"] = fmt.Sprintf("%s is a trusted contact (%s). Remove it from the trusted contacts first.", n, ct.Name)
		}
	}
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("The number was not blocked. Please correct the highlighted fields.", fields))
	}
	num := n.String()
	if err := s.cfg.Store.AddListEntry(r.Context(), store.ListEntry{LineID: l.ID, Kind: "blocked", Number: num, Name: note, AddedBy: c.user.Username, CreatedAt: s.cfg.Now()}); err != nil {
		return nil, err
	}
	if sl != nil {
		sl.Block(n)
	}
	s.audit(r.Context(), c, l.ID, "blocked.add", strings.TrimSpace(num+" "+note))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("Blocked %s. Calls from it are refused before the phone rings.", num)
	return v, nil
}

func (s *Server) removeBlocked(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, sl, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.blockedView(r, l, sl) }
	n, m := s.parseNumber(c.form.Get("number"), false)
	if m != "" {
		return s.failWith(r, c, back, invalid(m, map[string]string{"number": m}))
	}
	num := n.String()
	kept, err := s.cfg.Store.ListEntries(r.Context(), l.ID, "blocked")
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(kept, func(e store.ListEntry) bool { return e.Number == num }) {
		msg := num + " is not on this line's block list."
		if sl != nil && sl.Blocked().Contains(n) {
			msg = num + " is blocked by clearline's configuration file; ask the administrator to remove it there."
		}
		return s.failWith(r, c, back, invalid(msg, map[string]string{"number": msg}))
	}
	if err := s.cfg.Store.RemoveListEntry(r.Context(), l.ID, "blocked", num); err != nil {
		return nil, err
	}
	if sl != nil {
		sl.Unblock(n)
	}
	s.audit(r.Context(), c, l.ID, "blocked.remove", num)
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = "Unblocked " + num + "."
	return v, nil
}

// ---- alert recipients ----

func (s *Server) recipientsView(r *http.Request, l store.Line) (*view, error) {
	rs, err := s.cfg.Store.ListAlertRecipients(r.Context(), l.ID)
	if err != nil {
		return nil, err
	}
	type row struct {
		Channel string `json:"channel"`
		Target  string `json:"target"`
		Name    string `json:"name"`
	}
	rows := []row{}
	for _, x := range rs {
		rows = append(rows, row{x.Channel, x.Target, x.Name})
	}
	return &view{Page: "alerts", Title: "Who is alerted: " + l.Name, Data: rows}, nil
}

func (s *Server) recipients(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, _, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	return s.recipientsView(r, l)
}

// checkTarget checks an e-mail address or webhook URL and returns it
// normalised.
func checkTarget(channel, target string) (string, string) {
	target = strings.TrimSpace(target)
	switch channel {
	case store.ChannelEmail:
		if target == "" {
			return "", "Enter an e-mail address."
		}
		a, err := mail.ParseAddress(target)
		if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") || strings.ContainsAny(target, "<>") {
			return "", fmt.Sprintf("%q is not an e-mail address like name@example.org.", target)
		}
		return a.Address, ""
	case store.ChannelWebhook:
		if target == "" {
			return "", "Enter the webhook's address."
		}
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(target) > 500 {
			return "", fmt.Sprintf("%q is not a web address like https://alerts.example.org/clearline.", target)
		}
		return u.String(), ""
	}
	return "", ""
}

func (s *Server) addRecipient(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, _, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.recipientsView(r, l) }
	fields := map[string]string{}
	ch := c.form.Get("channel")
	if ch != store.ChannelEmail && ch != store.ChannelWebhook {
		fields["channel"] = "Choose e-mail or webhook."
	}
	target, m := checkTarget(ch, c.form.Get("target"))
	if m != "" {
		fields["target"] = m
	}
	name := strings.TrimSpace(c.form.Get("name"))
	if m := checkName(name, false); m != "" {
		fields["name"] = m
	}
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("The recipient was not saved. Please correct the highlighted fields.", fields))
	}
	if err := s.cfg.Store.PutAlertRecipient(r.Context(), store.AlertRecipient{LineID: l.ID, Channel: ch, Target: target, Name: name}); err != nil {
		return nil, err
	}
	s.audit(r.Context(), c, l.ID, "alerts.add", fmt.Sprintf("%s %s", ch, target))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("Alerts for this line now also go to %s.", target)
	return v, nil
}

func (s *Server) removeRecipient(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	l, _, err := s.line(r, c)
	if err != nil {
		return nil, err
	}
	back := func() (*view, error) { return s.recipientsView(r, l) }
	ch, target := c.form.Get("channel"), c.form.Get("target")
	if err := s.cfg.Store.RemoveAlertRecipient(r.Context(), l.ID, ch, target); err != nil {
		if store.IsNotFound(err) || store.KindOf(err) == store.KindInvalid {
			m := fmt.Sprintf("%q is not one of this line's alert recipients.", target)
			return s.failWith(r, c, back, invalid(m, map[string]string{"target": m}))
		}
		return nil, err
	}
	s.audit(r.Context(), c, l.ID, "alerts.remove", fmt.Sprintf("%s %s", ch, target))
	v, err := back()
	if err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("%s will no longer be alerted.", target)
	return v, nil
}
