package register

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSeed(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, "register.db")
			if pg {
				dsn = pgtestDSN(t)
			}
			ctx := context.Background()
			db, err := OpenDB(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			path := filepath.Join(dir, "register-passwords.txt")
			opts := SeedOptions{Profiles: map[string]string{"bupati": "my-bupati"},
				Passphrases: map[string]string{"bupati": "pass-bupati-123", "kadis.dpmptsp": "pass-kadis"}}
			if err := SeedFile(ctx, db, path, opts); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("passwords file mode %v", st.Mode().Perm())
			}
			raw, _ := os.ReadFile(path)
			pw, pp, err := ReadSeedFile(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if len(pw) != len(seedPeople)+1 || pp["bupati"] != "pass-bupati-123" || pp["kadis.dpmptsp"] != "pass-kadis" {
				t.Fatalf("file: %d passwords, passphrases %v", len(pw), pp)
			}
			seen := map[string]bool{}
			for u, p := range pw {
				if len(p) != 14 || seen[p] {
					t.Errorf("password of %s: %q (not 14 characters or repeated)", u, p)
				}
				seen[p] = true
				if strings.Contains(p, u) {
					t.Errorf("password of %s holds the username", u)
				}
			}
			// What the issue asks for.
			var n int
			for q, want := range map[string]int{
				`SELECT COUNT(*) FROM positions WHERE kind = 'bupati'`:                                          1,
				`SELECT COUNT(*) FROM positions WHERE kind = 'wakil_bupati'`:                                    1,
				`SELECT COUNT(*) FROM positions WHERE kind = 'sekda'`:                                           1,
				`SELECT COUNT(*) FROM positions WHERE kind = 'eselon2'`:                                         2,
				`SELECT COUNT(*) FROM positions WHERE kind = 'eselon3'`:                                         4,
				`SELECT COUNT(*) FROM positions WHERE kind = 'eselon4'`:                                         2,
				`SELECT COUNT(*) FROM positions WHERE kind = 'clerk'`:                                           3,
				`SELECT COUNT(*) FROM positions WHERE kind = 'camat'`:                                           2,
				`SELECT COUNT(*) FROM units WHERE kind = 'kecamatan'`:                                           2,
				`SELECT COUNT(*) FROM units WHERE kind = 'opd'`:                                                 2,
				`SELECT COUNT(*) FROM users WHERE is_admin`:                                                     1,
				`SELECT COUNT(*) FROM users WHERE profile <> ''`:                                                3,
				`SELECT COUNT(*) FROM users WHERE username = 'bupati' AND profile = 'my-bupati'`:                1,
				`SELECT COUNT(*) FROM users WHERE username = 'kadis.kominfo' AND profile = 'dev-kadis-kominfo'`: 1,
				`SELECT COUNT(*) FROM klasifikasi WHERE code IN ('000','005','045','100','500','800')`:          6,
				`SELECT COUNT(*) FROM settings WHERE key = 'number_pattern'`:                                    1,
				`SELECT COUNT(*) FROM users WHERE position_id IS NULL AND NOT is_admin`:                         0,
				`SELECT COUNT(*) FROM positions WHERE parent_id IS NULL`:                                        1,
			} {
				if err := db.QueryRow(q).Scan(&n); err != nil || n != want {
					t.Errorf("%s = %d (%v); want %d", q, n, err, want)
				}
			}
			// No password in the database or the trail.
			var blob strings.Builder
			rows, _ := db.Query(`SELECT password_hash FROM users UNION ALL SELECT detail FROM events`)
			for rows.Next() {
				var s string
				rows.Scan(&s)
				blob.WriteString(s)
			}
			rows.Close()
			for _, p := range pw {
				if strings.Contains(blob.String(), p) {
					t.Fatal("a password is in the database")
				}
			}
			// A second seed is refused, and the file stays as it was.
			if err := SeedFile(ctx, db, path, opts); !errors.Is(err, ErrSeeded) {
				t.Fatalf("second seed: %v", err)
			}
			if again, _ := os.ReadFile(path); !bytes.Equal(again, raw) {
				t.Fatal("a refused seed changed the passwords file")
			}
			if ents, _ := os.ReadDir(dir); len(ents) > 4 {
				t.Errorf("temporary files left: %v", ents)
			}
			if pg {
				return
			}
			// The demo users log in with the passwords of the file.
			db.Close()
			a, err := New(ctx, Options{DSN: dsn, DataDir: dir, Logger: slogDiscard()})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			ta := &testApp{App: a, t: t, clock: &testClock{}}
			ta.srv = httptestServer(t, a.Handler())
			c := ta.anon()
			if r := c.tryLogin("kadis.dpmptsp", pw["kadis.dpmptsp"]); r.Code != http.StatusSeeOther {
				t.Fatalf("demo login: %d", r.Code)
			}
			c.refreshCSRF()
			if r := c.get("/"); !strings.Contains(r.Body, "Kepala Dinas Penanaman Modal") {
				t.Errorf("demo inbox: %s", r.Body)
			}
			if r := ta.anon().tryLogin("admin", pw["bupati"]); r.Code != http.StatusUnauthorized {
				t.Error("another user's password works")
			}
		})
	}
}

func TestSeedWriteFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Seed(ctx, db, failWriter{}, SeedOptions{}); err == nil {
		t.Fatal("Seed with a failing writer succeeded")
	}
	if seeded, _ := Seeded(ctx, db); seeded {
		t.Fatal("users were kept although their passwords could not be written")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
