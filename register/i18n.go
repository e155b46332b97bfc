package register

import (
	"net/http"
	"sync"
)

// Languages of the interface: Indonesian first, English as the switch.
const (
	LangID = "id"
	LangEN = "en"
)

const langCookie = "register_lang"

var (
	wordsMu sync.RWMutex
	// words maps a language to its translations of each key.
	words = map[string]map[string]string{LangID: {}, LangEN: {}}
)

// AddWords adds translations of keys for a language. Each part of the
// register keeps its words in its own file and adds them from an init
// function, so that parts never edit one shared table:
//
//	func init() { AddWords(LangID, map[string]string{"masuk.title": "Surat masuk"}) }
func AddWords(lang string, m map[string]string) {
	wordsMu.Lock()
	defer wordsMu.Unlock()
	if words[lang] == nil {
		words[lang] = map[string]string{}
	}
	for k, v := range m {
		words[lang][k] = v
	}
}

// T returns the translation of key in lang, falling back to Indonesian
// and then to the key itself (so a missing word shows, and a test finds it).
func T(lang, key string) string {
	wordsMu.RLock()
	defer wordsMu.RUnlock()
	if s, ok := words[lang][key]; ok {
		return s
	}
	if s, ok := words[LangID][key]; ok {
		return s
	}
	return key
}

func validLang(l string) bool { return l == LangID || l == LangEN }

// lang returns the language of the request: ?lang= (also kept in a
// cookie by the i18n middleware), the cookie, the user's setting, and
// last the register's default. Accept-Language is never used: Indonesian
// is the default whatever the browser says.
func (a *App) lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); validLang(l) {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && validLang(c.Value) {
		return c.Value
	}
	if u := currentUser(r); u != nil && validLang(u.Lang) {
		return u.Lang
	}
	return a.opts.Lang
}

// keepLang stores a ?lang= switch in a cookie for the next requests.
func (a *App) keepLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("lang"); validLang(l) {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
		}
		next.ServeHTTP(w, r)
	})
}

func init() {
	AddWords(LangID, map[string]string{
		"app.title":        "Register Surat",
		"nav.inbox":        "Kotak masuk",
		"nav.masuk":        "Surat masuk",
		"nav.keluar":       "Surat keluar",
		"nav.arsip":        "Arsip",
		"nav.admin":        "Admin",
		"nav.logout":       "Keluar",
		"nav.menu":         "Menu utama",
		"nav.lang":         "English",
		"skip":             "Langsung ke isi",
		"login.title":      "Masuk",
		"login.username":   "Nama pengguna",
		"login.password":   "Kata sandi",
		"login.submit":     "Masuk",
		"login.wrong":      "Nama pengguna atau kata sandi salah.",
		"login.throttled":  "Terlalu banyak percobaan masuk yang salah. Coba lagi dalam %d menit.",
		"auth.required":    "Silakan masuk terlebih dahulu.",
		"err.forbidden":    "Anda tidak berhak membuka halaman ini.",
		"err.csrf":         "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
		"err.notfound":     "Halaman tidak ditemukan.",
		"err.internal":     "Terjadi kesalahan pada server. Coba lagi nanti.",
		"err.title":        "Kesalahan",
		"inbox.title":      "Kotak masuk",
		"inbox.empty":      "Tidak ada yang menunggu Anda.",
		"inbox.hello":      "Selamat datang",
		"inbox.acting":     "Anda juga bertindak sebagai",
		"user.position":    "Jabatan",
		"user.noposition":  "Tanpa jabatan",
		"footer.poweredby": "Ditandatangani secara elektronik dengan Segel",
	})
	AddWords(LangEN, map[string]string{
		"app.title":        "Letter Register",
		"nav.inbox":        "Inbox",
		"nav.masuk":        "Incoming letters",
		"nav.keluar":       "Outgoing letters",
		"nav.arsip":        "Archive",
		"nav.admin":        "Admin",
		"nav.logout":       "Log out",
		"nav.menu":         "Main menu",
		"nav.lang":         "Bahasa Indonesia",
		"skip":             "Skip to content",
		"login.title":      "Log in",
		"login.username":   "Username",
		"login.password":   "Password",
		"login.submit":     "Log in",
		"login.wrong":      "Wrong username or password.",
		"login.throttled":  "Too many wrong logins. Try again in %d minutes.",
		"auth.required":    "Please log in first.",
		"err.forbidden":    "You may not open this page.",
		"err.csrf":         "The form expired or is not valid. Reload the page and try again.",
		"err.notfound":     "Page not found.",
		"err.internal":     "Something went wrong on the server. Try again later.",
		"err.title":        "Error",
		"inbox.title":      "Inbox",
		"inbox.empty":      "Nothing is waiting for you.",
		"inbox.hello":      "Welcome",
		"inbox.acting":     "You also act as",
		"user.position":    "Position",
		"user.noposition":  "No position",
		"footer.poweredby": "Electronically signed with Segel",
	})
}
