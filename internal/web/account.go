package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/clearline/clearline/internal/store"
)

// ---- your own account: everyone ----

// accountData is the logged-in person's account as the page shows it.
type accountData struct {
	Username string   `json:"username"`
	Role     string   `json:"role"`
	Lines    []string `json:"lines"`
}

func (s *Server) accountView(c *reqCtx) *view {
	u := c.user
	return &view{Page: "account", Title: "Your account", Data: accountData{Username: u.Username, Role: u.Role, Lines: nonNil(u.Lines)}}
}

// account shows the logged-in person's account and the password form.
func (s *Server) account(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	return s.accountView(c), nil
}

// changePassword sets the logged-in person's password from "current",
// "password" and "confirm", and ends every other session of theirs. A
// wrong current password counts toward the login rate limit.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	back := func() (*view, error) { return s.accountView(c), nil }
	f, me, addr := c.form, c.user.Username, clientAddr(r)
	if p := s.loginLimited(me, addr); p != nil {
		return s.failWith(r, c, back, p)
	}
	fields := map[string]string{}
	switch current := f.Get("current"); {
	case current == "":
		fields["current"] = "Enter your current password."
	case !s.cfg.Hasher.Verify(c.user.PasswordHash, current):
		s.loginFailed(me, addr)
		s.cfg.Log.Warn("dashboard password change: wrong current password", "username", me, "addr", addr)
		fields["current"] = "That is not your current password."
	}
	checkNewPassword(f, fields, true)
	if len(fields) == 0 && f.Get("password") == f.Get("current") {
		fields["password"] = "The new password is the same as the current one. Choose a different one."
	}
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("Your password was not changed. Please correct the highlighted fields.", fields))
	}
	s.cfg.UserLimiter.Succeed(strings.ToLower(me))
	hash, err := s.cfg.Hasher.Hash(f.Get("password"))
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.SetPassword(r.Context(), me, hash, c.session.TokenHash); err != nil {
		return nil, err
	}
	s.audit(r.Context(), c, "", "password.change", "changed their own password; their other sessions were ended")
	v := s.accountView(c)
	v.Flash = "Your password is changed. You stay logged in here; anywhere else you were logged in, you will need the new password."
	return v, nil
}

// ---- other people's accounts: administrators only ----

// manageData is one account as an administrator manages it.
type manageData struct {
	userRow
	// You is true when the administrator is looking at their own account.
	You bool `json:"you"`
}

func (s *Server) manageView(c *reqCtx, u store.User) *view {
	return &view{Page: "user", Title: "Manage " + u.Username,
		Data: manageData{userRow: userRow{Username: u.Username, Role: u.Role, Lines: nonNil(u.Lines)}, You: u.Username == c.user.Username}}
}

// targetUser returns the account an administrator names ("username", in
// the form or the query). A missing one is answered on the People page.
func (s *Server) targetUser(r *http.Request, c *reqCtx) (store.User, *view, error) {
	if err := requireRole(c, store.RoleAdmin); err != nil {
		return store.User{}, nil, err
	}
	name := strings.TrimSpace(c.form.Get("username"))
	if r.Method == http.MethodGet {
		name = strings.TrimSpace(r.URL.Query().Get("username"))
	}
	u, err := s.cfg.Store.GetUser(r.Context(), name)
	if store.IsNotFound(err) {
		m := fmt.Sprintf("There is no account %q.", name)
		v, err := s.failWith(r, c, func() (*view, error) { return s.usersView(r) }, invalid(m, map[string]string{"username": "no such account"}))
		return u, v, err
	}
	return u, nil, err
}

// manageUser shows one account with the forms to reset its password or
// remove it.
func (s *Server) manageUser(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	u, v, err := s.targetUser(r, c)
	if err != nil {
		return v, err
	}
	return s.manageView(c, u), nil
}

// resetPassword sets another person's password ("password", "confirm")
// and ends all their sessions.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	u, v, err := s.targetUser(r, c)
	if err != nil {
		return v, err
	}
	back := func() (*view, error) { return s.manageView(c, u), nil }
	if u.Username == c.user.Username {
		return s.failWith(r, c, back, invalid("To change your own password, use Your account: it asks for your current password first.", nil))
	}
	fields := map[string]string{}
	checkNewPassword(c.form, fields, true)
	if len(fields) > 0 {
		return s.failWith(r, c, back, invalid("The password was not reset. Please correct the highlighted fields.", fields))
	}
	hash, err := s.cfg.Hasher.Hash(c.form.Get("password"))
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.SetPassword(r.Context(), u.Username, hash, ""); err != nil {
		return nil, err
	}
	s.audit(r.Context(), c, "", "user.password", fmt.Sprintf("reset the password of %s; their sessions were ended", u.Username))
	v = s.manageView(c, u)
	v.Flash = fmt.Sprintf("Set a new password for %s and logged them out everywhere. Give them the new password in person or by phone, not by e-mail.", u.Username)
	return v, nil
}

// removeUser removes another person's account, their lines and all their
// sessions at once; never the caller's own, nor the last administrator.
func (s *Server) removeUser(w http.ResponseWriter, r *http.Request, c *reqCtx) (*view, error) {
	u, v, err := s.targetUser(r, c)
	if err != nil {
		return v, err
	}
	back := func() (*view, error) { return s.manageView(c, u), nil }
	if u.Username == c.user.Username {
		return s.failWith(r, c, back, invalid("You cannot remove your own account. Another administrator can remove it.", nil))
	}
	if err := s.cfg.Store.DeleteUser(r.Context(), u.Username); err != nil {
		if store.KindOf(err) == store.KindConflict {
			return s.failWith(r, c, back, statusErr(http.StatusConflict,
				u.Username+" is the last administrator, so the account cannot be removed. Make someone else an administrator first."))
		}
		return nil, err
	}
	s.audit(r.Context(), c, "", "user.remove", fmt.Sprintf("%s (%s) lines: %s; their sessions were ended", u.Username, u.Role, orNone(strings.Join(u.Lines, ", "))))
	if v, err = s.usersView(r); err != nil {
		return nil, err
	}
	v.Flash = fmt.Sprintf("Removed %s. They were logged out everywhere and can no longer see any line.", u.Username)
	return v, nil
}
