package register

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// sessionCookie holds the session token; only its SHA-256 is stored.
	sessionCookie = "register_session"
	// loginCSRFCookie holds the token of the login form (double submit):
	// before login there is no session to keep it in.
	loginCSRFCookie = "register_login"
	// csrfField is the form field (or csrfHeader the header) that carries
	// the CSRF token of every POST.
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
	// defaultSessionTTL is how long a session lasts after login.
	defaultSessionTTL = 12 * time.Hour
)

// session is a logged-in user's session, found from the request's cookie.
type session struct {
	tokenHash string
	csrf      string
	expires   time.Time
	user      *User
}

type ctxKey int

const sessionKey ctxKey = 1

// currentUser returns the logged-in user of the request, with position,
// unit and active delegations; nil when nobody is logged in.
func currentUser(r *http.Request) *User {
	if s, _ := r.Context().Value(sessionKey).(*session); s != nil {
		return s.user
	}
	return nil
}

// csrfToken returns the CSRF token of the request's session ("" without).
func csrfToken(r *http.Request) string {
	if s, _ := r.Context().Value(sessionKey).(*session); s != nil {
		return s.csrf
	}
	return ""
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// secure reports whether cookies get the Secure flag: on HTTPS, or always
// with Options.SecureCookies (behind a TLS-terminating proxy).
func (a *App) secure(r *http.Request) bool {
	return a.opts.SecureCookies || r.TLS != nil
}

func (a *App) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// loadSession finds the request's session, if its cookie names one that
// has not expired and whose user is not disabled.
func (a *App) loadSession(r *http.Request) (*session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	s := &session{tokenHash: hashToken(c.Value)}
	var uid int64
	var exp string
	err = a.db.QueryRowContext(r.Context(), `SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = $1`,
		s.tokenHash).Scan(&uid, &s.csrf, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("register: reading the session: %w", err)
	}
	now := a.now()
	if s.expires, err = ParseTime(exp); err != nil || !now.Before(s.expires) {
		return nil, nil
	}
	if s.user, err = loadUser(r.Context(), a.db, uid, now); err != nil {
		return nil, err
	}
	if s.user.Disabled {
		return nil, nil
	}
	return s, nil
}

// startSession creates a session for user id and sets its cookie.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, userID int64) error {
	tok := randomToken()
	now := a.now()
	exp := now.Add(a.opts.SessionTTL)
	ctx := r.Context()
	// Expired sessions are dropped whenever someone logs in.
	if _, err := a.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, FormatTime(now)); err != nil {
		return fmt.Errorf("register: dropping expired sessions: %w", err)
	}
	_, err := a.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, hashToken(tok), userID, randomToken(), FormatTime(now), FormatTime(exp))
	if err != nil {
		return fmt.Errorf("register: starting the session: %w", err)
	}
	a.setCookie(w, r, sessionCookie, tok, int(a.opts.SessionTTL/time.Second))
	return nil
}

// publicPath reports whether path is served without login.
func publicPath(path string) bool {
	return path == "/masuk" || strings.HasPrefix(path, "/static/") || path == "/healthz"
}

// guard is the middleware in front of every route: it finds the session,
// sends those not logged in to the login page, and checks the CSRF token
// of every request that is not GET, HEAD or OPTIONS (403 without it). The
// body of a POST is limited to Options.MaxUpload; its form is parsed here,
// so handlers read r.FormValue / r.FormFile directly.
func (a *App) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := a.loadSession(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if s != nil {
			r = r.WithContext(context.WithValue(r.Context(), sessionKey, s))
		}
		unsafe := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
		// Not logged in: refused before any body is read.
		if s == nil && !publicPath(r.URL.Path) {
			if unsafe {
				http.Error(w, T(a.lang(r), "auth.required"), http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/masuk?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if unsafe {
			r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxUpload)
			if !a.csrfOK(r, s) {
				a.forbidden(w, r, "csrf")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// csrfOK checks the token of an unsafe request: the session's token, or
// on the login form (no session yet) the login cookie's.
func (a *App) csrfOK(r *http.Request, s *session) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				return false
			}
		} else if err := r.ParseForm(); err != nil {
			return false
		}
		got = r.PostFormValue(csrfField)
	}
	if got == "" {
		return false
	}
	// The login form carries the login cookie's token, also when the
	// browser has a session already (a second tab).
	if r.URL.Path == "/masuk" {
		if c, err := r.Cookie(loginCSRFCookie); err == nil && c.Value != "" &&
			subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1 {
			return true
		}
	}
	return s != nil && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// loginPage shows the login form; logged-in users go to next.
func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	if currentUser(r) != nil {
		http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
		return
	}
	a.renderLogin(w, r, "", http.StatusOK)
}

type loginData struct {
	Next     string
	Username string
	Error    string
	Token    string
}

func (a *App) renderLogin(w http.ResponseWriter, r *http.Request, msg string, status int) {
	// One token per browser, kept: login forms open in several tabs all
	// carry it.
	tok := ""
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) == 43 {
		tok = c.Value
	} else {
		tok = randomToken()
	}
	a.setCookie(w, r, loginCSRFCookie, tok, 12*3600)
	a.renderStatus(w, r, status, "login", &loginData{
		Next: safeNext(r.FormValue("next")), Username: r.PostFormValue("username"), Error: msg, Token: tok,
	})
}

// login checks the username and password. A wrong login says only that
// the pair is wrong, never which part, and takes as long either way.
func (a *App) login(w http.ResponseWriter, r *http.Request) {
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	ctx := r.Context()
	tkey := a.throttleKey(r, username)
	if wait := a.throttle.wait(tkey, a.now()); wait > 0 {
		mins := int(wait/time.Minute) + 1
		a.log().Warn("register: login throttled", "user", username, "client", a.clientAddr(r))
		w.Header().Set("Retry-After", fmt.Sprint(int(wait/time.Second)+1))
		a.renderLogin(w, r, fmt.Sprintf(T(a.lang(r), "login.throttled"), mins), http.StatusTooManyRequests)
		return
	}
	var u *User
	hash := dummyHash
	if username != "" && len(username) <= 100 {
		uu, h, err := scanUser(a.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
		switch {
		case err == nil:
			u, hash = uu, h
		case !errors.Is(err, sql.ErrNoRows):
			a.fail(w, r, err)
			return
		}
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		a.log().Error("register: password hash unreadable", "user", username)
		ok = false
	}
	if u == nil || !ok || u.Disabled || password == "" {
		a.log().Info("register: login refused", "user", username, "client", a.clientAddr(r))
		a.throttle.failed(tkey, a.now())
		a.renderLogin(w, r, T(a.lang(r), "login.wrong"), http.StatusUnauthorized)
		return
	}
	a.throttle.succeeded(tkey)
	// A new token at login: an old cookie (fixation) is never promoted.
	if c, err := r.Cookie(sessionCookie); err == nil {
		a.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(c.Value))
	}
	if err := a.startSession(w, r, u.ID); err != nil {
		a.fail(w, r, err)
		return
	}
	logEvent(ctx, a.db, a.now(), 0, u.ID, "", "login", "")
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// logout ends the session (POST with the CSRF token).
func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, err := a.db.ExecContext(r.Context(), `DELETE FROM sessions WHERE token_hash = $1`, hashToken(c.Value)); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	a.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/masuk", http.StatusSeeOther)
}

// safeNext keeps a redirect target on this site: a path, never "//host"
// or a URL with a scheme.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}
