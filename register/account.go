package register

import (
	"database/sql"
	"net/http"
	"unicode/utf8"
)

// minPasswordLen is the shortest password a user may choose.
const minPasswordLen = 10

type accountData struct {
	Errors []string
	Notice string
}

// account shows the user's own page: who they are, their delegations,
// the language and the form to change their password.
func (a *App) account(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "account", &accountData{Notice: notice(a.lang(r), r)})
}

// accountPassword changes the user's own password: the current one, and
// the new one twice. Their other sessions end; this one stays.
func (a *App) accountPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := currentUser(r)
	e := &formErrors{lang: a.lang(r)}
	old, pw, pw2 := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("new2")
	var hash string
	if err := a.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
		a.fail(w, r, err)
		return
	}
	if ok, _ := CheckPassword(hash, old); !ok {
		e.add("v.pw.old")
	}
	switch {
	case utf8.RuneCountInString(pw) < minPasswordLen:
		e.add("v.pw.short", minPasswordLen)
	case len(pw) > 200:
		e.add("v.pw.long")
	case pw != pw2:
		e.add("v.pw.same")
	case pw == old:
		e.add("v.pw.unchanged")
	case pw == u.Username:
		e.add("v.pw.username")
	}
	if !e.ok() {
		a.renderStatus(w, r, http.StatusUnprocessableEntity, "account", &accountData{Errors: e.list})
		return
	}
	newHash, err := HashPassword(pw)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	me := hashToken(sessionTokenOf(r))
	err = a.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, newHash, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, u.ID, me); err != nil {
			return err
		}
		return logEvent(ctx, tx, a.now(), 0, u.ID, "", "user.password", u.Username)
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	redirectOK(w, r, "/akun", "password")
}

// accountLang sets the user's own language ("" for the register's
// default) and drops the ?lang= cookie, so that the setting shows.
func (a *App) accountLang(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	l := r.PostFormValue("lang")
	if l != "" && !validLang(l) {
		a.renderStatus(w, r, http.StatusUnprocessableEntity, "account", &accountData{Errors: []string{T(a.lang(r), "v.user.lang")}})
		return
	}
	if _, err := a.db.ExecContext(r.Context(), `UPDATE users SET lang = $1 WHERE id = $2`, l, u.ID); err != nil {
		a.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
	redirectOK(w, r, "/akun", "saved")
}

// sessionTokenOf returns the session token of the request's cookie.
func sessionTokenOf(r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func init() {
	AddWords(LangID, map[string]string{
		"nav.account":     "Akun",
		"account.title":   "Akun saya",
		"account.pw":      "Ubah kata sandi",
		"account.old":     "Kata sandi sekarang",
		"account.new":     "Kata sandi baru",
		"account.new2":    "Ulangi kata sandi baru",
		"account.pw.hint": "Paling sedikit 10 karakter. Sesi Anda di perangkat lain akan berakhir.",
		"account.lang":    "Bahasa tampilan",
		"ok.password":     "Kata sandi diubah.",
		"v.pw.old":        "Kata sandi sekarang salah.",
		"v.pw.short":      "Kata sandi baru paling sedikit %d karakter.",
		"v.pw.long":       "Kata sandi baru terlalu panjang.",
		"v.pw.same":       "Kedua isian kata sandi baru tidak sama.",
		"v.pw.unchanged":  "Kata sandi baru sama dengan yang sekarang.",
		"v.pw.username":   "Kata sandi tidak boleh sama dengan nama pengguna.",
	})
	AddWords(LangEN, map[string]string{
		"nav.account":     "Account",
		"account.title":   "My account",
		"account.pw":      "Change password",
		"account.old":     "Current password",
		"account.new":     "New password",
		"account.new2":    "New password again",
		"account.pw.hint": "At least 10 characters. Your sessions on other devices end.",
		"account.lang":    "Language",
		"ok.password":     "Password changed.",
		"v.pw.old":        "The current password is wrong.",
		"v.pw.short":      "The new password has at least %d characters.",
		"v.pw.long":       "The new password is too long.",
		"v.pw.same":       "The two new passwords differ.",
		"v.pw.unchanged":  "The new password is the current one.",
		"v.pw.username":   "The password cannot be the username.",
	})
}
