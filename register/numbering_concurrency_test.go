package register

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/gatewaytest"
)

// readyLetters has kabid draft n letters signed by kadis (no paraf chain
// between them: straight to siap_ttd) and returns their ids.
func (e *keluarEnv) readyLetters(n int) []int64 {
	e.t.Helper()
	kabid := e.login("kabid")
	var ids []int64
	for i := range n {
		r := kabid.postFile("/surat-keluar/baru", e.draftForm("kadis", fmt.Sprintf("Surat ke-%d", i+1)), "draft", "d.pdf", gatewaytest.Letter())
		id := letterIDFrom(e.t, r)
		if st, _ := e.status(id); st != statusSiapTTD {
			e.t.Fatalf("letter %d: %s", id, st)
		}
		ids = append(ids, id)
	}
	return ids
}

// replica is a second App on the same database and files, with its own
// HTTP server: another instance of the register behind a load balancer.
func (e *keluarEnv) replica() *testApp {
	e.t.Helper()
	o := e.opts
	b, err := New(context.Background(), o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { b.Close() })
	rb := &testApp{App: b, t: e.t, clock: e.clock, Units: e.Units, Pos: e.Pos, Users: e.Users}
	rb.srv = httptest.NewServer(b.Handler())
	e.t.Cleanup(rb.srv.Close)
	return rb
}

// signConcurrently signs every letter at once, alternating between the
// apps, with the wrong passphrase for the letter at index bad (-1: none),
// and returns the numbers given, sorted by sequence.
func signConcurrently(t *testing.T, e *keluarEnv, apps []*testApp, ids []int64, bad int) []int {
	t.Helper()
	clients := make([]*client, len(apps))
	for i, a := range apps {
		clients[i] = a.login("kadis")
	}
	pass := e.gw.Official("dev-kadis").Passphrase
	var wg sync.WaitGroup
	codes := make([]int, len(ids))
	start := time.Now()
	for i, id := range ids {
		wg.Go(func() {
			p := pass
			if i == bad {
				p = "salah"
			}
			c := clients[i%len(clients)]
			codes[i] = c.post(fmt.Sprintf("/surat/%d/ttd", id), url.Values{"passphrase": {p}}).Code
		})
	}
	wg.Wait()
	t.Logf("%d signings at once through %d instances: %v", len(ids), len(apps), time.Since(start).Round(time.Millisecond))
	for i, c := range codes {
		want := http.StatusSeeOther
		if i == bad {
			want = http.StatusForbidden
		}
		if c != want {
			t.Errorf("letter %d: %d, want %d", ids[i], c, want)
		}
	}
	var seqs []int
	rows, err := e.db.Query(`SELECT number FROM letters WHERE direction = 'out' AND number <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(n, "/") // 005/{urut}/DPMPTSP/2026
		if len(parts) != 4 || parts[0] != "005" || parts[2] != "DPMPTSP" || parts[3] != "2026" {
			t.Fatalf("number %q", n)
		}
		s, err := strconv.Atoi(parts[1])
		if err != nil {
			t.Fatalf("number %q", n)
		}
		seqs = append(seqs, s)
	}
	sort.Ints(seqs)
	return seqs
}

// wantSequence checks that seqs is exactly 1..n.
func wantSequence(t *testing.T, seqs []int, n int) {
	t.Helper()
	if len(seqs) != n {
		t.Fatalf("%d numbers, want %d: %v", len(seqs), n, seqs)
	}
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("numbers are not 1..%d without gap or duplicate: %v", n, seqs)
		}
	}
}

// TestNumberingConcurrentPostgres: 21 signings at once through two
// register instances on one PostgreSQL database, one of them with a wrong
// passphrase, give the numbers 1..20: no gap, no duplicate.
func TestNumberingConcurrentPostgres(t *testing.T) {
	e := newKeluarEnv(t, true)
	ids := e.readyLetters(21)
	seqs := signConcurrently(t, e, []*testApp{e.testApp, e.replica()}, ids, 10)
	wantSequence(t, seqs, 20)
	if st, num := e.status(ids[10]); st != statusSiapTTD || num != "" {
		t.Errorf("the refused letter: %s %q", st, num)
	}
	var last int
	if err := e.db.QueryRow(`SELECT last FROM number_seq`).Scan(&last); err != nil || last != 20 {
		t.Errorf("number_seq.last = %d, %v; want 20", last, err)
	}
}

// TestNumberingConcurrentSQLite: the same on SQLite, one writer at a time.
func TestNumberingConcurrentSQLite(t *testing.T) {
	e := newKeluarEnv(t, false)
	ids := e.readyLetters(9)
	seqs := signConcurrently(t, e, []*testApp{e.testApp, e.replica()}, ids, 4)
	wantSequence(t, seqs, 8)
}

// TestSignGatewayDown: with Segel unreachable, signing says so and gives
// the number back; the next signing, with Segel back, takes it.
func TestSignGatewayDown(t *testing.T) {
	e := newKeluarEnv(t, false)
	ids := e.readyLetters(1)
	kadis := e.login("kadis")
	good := e.opts.Gateway
	e.opts.Gateway = &HTTPGateway{BaseURL: "http://127.0.0.1:1", APIKey: "x"}
	r := kadis.post(fmt.Sprintf("/surat/%d/ttd", ids[0]), url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}})
	wantCode(t, "gateway down", r, http.StatusBadGateway, "tidak dapat dihubungi", "Nomor belum terpakai")
	if st, num := e.status(ids[0]); st != statusSiapTTD || num != "" {
		t.Fatalf("after a failed signing: %s %q", st, num)
	}
	e.opts.Gateway = good
	r = kadis.post(fmt.Sprintf("/surat/%d/ttd", ids[0]), url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}})
	wantCode(t, "gateway back", r, http.StatusSeeOther)
	if _, num := e.status(ids[0]); num != "005/1/DPMPTSP/2026" {
		t.Fatalf("number %q after the gateway came back", num)
	}
}

// TestSignLockedOut: five wrong passphrases, then Segel locks the
// official out and the screen says until when.
func TestSignLockedOut(t *testing.T) {
	e := newKeluarEnv(t, false)
	ids := e.readyLetters(1)
	kadis := e.login("kadis")
	ttd := fmt.Sprintf("/surat/%d/ttd", ids[0])
	for i := 4; i >= 1; i-- {
		wantCode(t, "wrong passphrase", kadis.post(ttd, url.Values{"passphrase": {"salah"}}), http.StatusForbidden,
			fmt.Sprintf("Sisa percobaan sebelum dikunci: %d.", i))
	}
	wantCode(t, "fifth wrong passphrase", kadis.post(ttd, url.Values{"passphrase": {"salah"}}), http.StatusForbidden, "Passphrase tidak diterima")
	r := kadis.post(ttd, url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}})
	// 09:00 WIB plus the 15 minutes of Segel's window.
	wantCode(t, "locked out", r, http.StatusTooManyRequests, "dikunci sementara", "Coba lagi setelah pukul 09:15 WIB")
	if st, num := e.status(ids[0]); st != statusSiapTTD || num != "" {
		t.Fatalf("after the lock-out: %s %q", st, num)
	}
}

// TestSignInProcess: the same signing through the in-process gateway
// (ServiceGateway, what `make run` uses): a wrong passphrase is refused
// with the attempts left, the right one signs, the verify URL is the
// gateway's page.
func TestSignInProcess(t *testing.T) {
	e := newKeluarEnv(t, false)
	e.opts.Gateway = &ServiceGateway{Service: e.gw.Server.Service(), Client: gatewaytest.ClientName, TempDir: t.TempDir()}
	ids := e.readyLetters(2)
	kadis := e.login("kadis")
	ttd := fmt.Sprintf("/surat/%d/ttd", ids[1])
	wantCode(t, "wrong passphrase", kadis.post(ttd, url.Values{"passphrase": {"salah"}}), http.StatusForbidden,
		"Sisa percobaan sebelum dikunci: 4.")
	wantCode(t, "sign", kadis.post(ttd, url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}}), http.StatusSeeOther)
	var number, docID, verifyURL string
	if err := e.db.QueryRow(`SELECT number, document_id, verify_url FROM letters WHERE id = $1`, ids[1]).Scan(&number, &docID, &verifyURL); err != nil {
		t.Fatal(err)
	}
	if number != "005/1/DPMPTSP/2026" || verifyURL != e.gw.URL+"/v/"+docID {
		t.Errorf("number %q, verify URL %q (document %s)", number, verifyURL, docID)
	}
}

// TestSignOutlivesTheRequest: a signing whose request goes away (the
// phone lost its network after "Tandatangani") still ends recorded, not
// signed at Segel and rolled back here.
func TestSignOutlivesTheRequest(t *testing.T) {
	e := newKeluarEnv(t, false)
	ids := e.readyLetters(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := e.Users["kadis"]
	res, err := e.signLetter(ctx, &signJob{LetterID: ids[0], UserID: u.ID, Profile: "dev-kadis", NIP: u.NIP, Name: u.Name,
		Passphrase: []byte(e.gw.Official("dev-kadis").Passphrase), ClientAddr: "127.0.0.1"})
	if err != nil || res.Number != "005/1/DPMPTSP/2026" {
		t.Fatalf("signing with a cancelled request: %+v %v", res, err)
	}
	if st, num := e.status(ids[0]); st != statusSigned || num != res.Number {
		t.Fatalf("after: %s %q", st, num)
	}
}
