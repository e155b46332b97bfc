package register

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/gatewaytest"
)

// TestKeluarAccess: every keluar route answers 404 to a user who may not
// see the letter (ids are guessable), a rahasia letter only to those
// directly involved, and the signing screen only to the signer.
func TestKeluarAccess(t *testing.T) {
	e := newKeluarEnv(t, false)
	staf := e.login("staf")
	mk := func(sifat, subject string) int64 {
		f := e.draftForm("kadis", subject)
		f.Set("sifat", sifat)
		f.Del("to_unit")
		f.Del("tembusan_unit")
		return letterIDFrom(t, staf.postFile("/surat-keluar/baru", f, "draft", "d.pdf", gatewaytest.Letter()))
	}
	open, secret := mk("biasa", "Surat biasa"), mk("rahasia", "Surat rahasia")

	outsider, clerk, kasi := e.login("kadis2"), e.login("tu"), e.login("kasi")
	for _, id := range []int64{open, secret} {
		for _, p := range []string{"/surat/%d", "/surat/%d/paraf", "/surat/%d/ttd", "/surat/%d/berkas/1"} {
			path := fmt.Sprintf(p, id)
			wantCode(t, "outsider GET "+path, outsider.get(path), http.StatusNotFound)
			if strings.HasSuffix(p, "/paraf") || strings.HasSuffix(p, "/ttd") {
				wantCode(t, "outsider POST "+path, outsider.post(path, url.Values{"aksi": {"setuju"}, "version": {"1"},
					"passphrase": {"x"}}), http.StatusNotFound)
			}
		}
	}
	for _, path := range []string{"/surat/999999/paraf", "/surat/abc/paraf", "/surat/999999/ttd"} {
		wantCode(t, "missing "+path, staf.get(path), http.StatusNotFound)
	}
	// The unit's clerk (a unit above the drafter's) sees the ordinary
	// letter, not the rahasia one; the Kasi, in the chain, sees both.
	wantCode(t, "clerk, biasa", clerk.get(fmt.Sprintf("/surat/%d/paraf", open)), 200, "Surat biasa")
	wantCode(t, "clerk, rahasia", clerk.get(fmt.Sprintf("/surat/%d/paraf", secret)), http.StatusNotFound)
	wantCode(t, "kasi, rahasia", kasi.get(fmt.Sprintf("/surat/%d/paraf", secret)), 200, "Surat rahasia")
	wantCode(t, "kasi, /surat/{id}", kasi.get(fmt.Sprintf("/surat/%d", secret)), 200, "Surat rahasia", "Paraf berjenjang")
	wantCode(t, "kasi, the draft", kasi.get(fmt.Sprintf("/surat/%d/berkas/1", secret)), 200, "%PDF-")
	list := clerk.get("/surat-keluar")
	if !strings.Contains(list.Body, "Surat biasa") || strings.Contains(list.Body, "Surat rahasia") {
		t.Errorf("the clerk's list: %s", list.Body)
	}
	// In the chain but not the signer: no signing screen.
	wantCode(t, "kasi signing screen", kasi.get(fmt.Sprintf("/surat/%d/ttd", open)), http.StatusNotFound)
	// Not the current paraf: refused, and nothing changed.
	wantCode(t, "clerk paraf", clerk.post(fmt.Sprintf("/surat/%d/paraf", open), url.Values{"aksi": {"setuju"}, "version": {"1"}}),
		http.StatusForbidden)
	// CSRF: a POST without the token is refused before anything.
	wantCode(t, "no csrf", kasi.send(http.MethodPost, fmt.Sprintf("/surat/%d/paraf", open), url.Values{"aksi": {"setuju"}, "version": {"1"}}),
		http.StatusForbidden)
	if st, _ := e.status(open); st != statusParaf {
		t.Errorf("status %s after refused actions", st)
	}
}

// TestSignAsPlh: the Kabid, Plh. of the Kepala Dinas, signs a rahasia
// letter with his own profile; Segel records the title "Plh. …", the
// letter is confidential there (no perihal), and the trail marks it.
func TestSignAsPlh(t *testing.T) {
	gw := gatewaytest.Start(t, gatewaytest.WithOfficial("dev-kadis", "Budi Kadis"), gatewaytest.WithOfficial("dev-kabid", "Kabul Kabid"))
	ta := newTestApp(t, func(o *Options) { o.Gateway = &HTTPGateway{BaseURL: gw.URL, APIKey: gw.APIKey, TempDir: t.TempDir()} })
	addTestKlasifikasi(t, ta.App)
	e := &keluarEnv{testApp: ta, gw: gw}
	ctx := context.Background()
	if _, err := ta.db.Exec(`UPDATE users SET profile = 'dev-kabid' WHERE id = $1`, ta.Users["kabid"].ID); err != nil {
		t.Fatal(err)
	}
	now := ta.clock.Now()
	if err := insertDelegation(ctx, ta.db, &Delegation{PositionID: ta.Pos["kadis"].ID, UserID: ta.Users["kabid"].ID, Kind: "plh",
		Starts: now.Add(-time.Hour), Ends: now.Add(72 * time.Hour)}, ta.Users["admin"].ID, now); err != nil {
		t.Fatal(err)
	}
	staf := e.login("staf")
	f := e.draftForm("kadis", "Laporan kepegawaian")
	f.Set("sifat", "rahasia")
	id := letterIDFrom(t, staf.postFile("/surat-keluar/baru", f, "draft", "d.pdf", gatewaytest.Letter()))
	kasi, kabid := e.login("kasi"), e.login("kabid")
	page := fmt.Sprintf("/surat/%d/paraf", id)
	wantCode(t, "kasi", kasi.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}}), http.StatusSeeOther)
	wantCode(t, "kabid paraf", kabid.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}}), http.StatusSeeOther)

	ttd := fmt.Sprintf("/surat/%d/ttd", id)
	wantCode(t, "kabid inbox", kabid.get("/"), 200, "Surat untuk Anda tandatangani", "Plh. Kepala Dinas Penanaman Modal dan PTSP")
	wantCode(t, "plh screen", kabid.get(ttd), 200, "Anda bertindak sebagai <strong>Plh. Kepala Dinas Penanaman Modal dan PTSP</strong>")
	wantCode(t, "plh signs", kabid.post(ttd, url.Values{"passphrase": {gw.Official("dev-kabid").Passphrase}}), http.StatusSeeOther)

	var docID, acting string
	if err := ta.db.QueryRow(`SELECT l.document_id, e.acting_as FROM letters l JOIN events e ON e.letter_id = l.id
		WHERE l.id = $1 AND e.action = 'keluar.ditandatangani'`, id).Scan(&docID, &acting); err != nil {
		t.Fatal(err)
	}
	if acting != "Plh. Kepala Dinas Penanaman Modal dan PTSP" {
		t.Errorf("trail acting_as %q", acting)
	}
	doc, err := gw.Store.GetDocument(ctx, docID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Plh. Kepala Dinas Penanaman Modal dan PTSP" || doc.Profile != "dev-kabid" || doc.SignerName != "Kabul Kabid" ||
		!doc.Confidential || doc.Subject != "" || doc.NIP != ta.Users["kabid"].NIP {
		t.Errorf("Segel's record: %+v", doc)
	}
	// The Kepala Dinas himself could have signed too; after the Plh did,
	// the letter is signed and his screen shows the result.
	wantCode(t, "kadis after", e.login("kadis").get(ttd), 200, "Surat bertanda tangan")
}

// TestSignerReturns: the signing official sends a letter that is ready
// to sign back to its drafter; the resubmission comes straight back (no
// paraf between them).
func TestSignerReturns(t *testing.T) {
	e := newKeluarEnv(t, false)
	ids := e.readyLetters(1)
	page := fmt.Sprintf("/surat/%d/paraf", ids[0])
	kadis, kabid := e.login("kadis"), e.login("kabid")
	wantCode(t, "signer's page", kadis.get(page), 200, "Kembalikan ke konseptor", "Buka layar tanda tangan")
	wantCode(t, "signer returns", kadis.post(page, url.Values{"aksi": {"kembalikan"}, "note": {"Ganti tanggal rapat"}}), http.StatusSeeOther)
	if st, _ := e.status(ids[0]); st != statusReturned {
		t.Fatalf("status %s", st)
	}
	wantCode(t, "signing a returned letter", kadis.post(fmt.Sprintf("/surat/%d/ttd", ids[0]),
		url.Values{"passphrase": {e.gw.Official("dev-kadis").Passphrase}}), http.StatusConflict)
	wantCode(t, "drafter resubmits", kabid.postFile(page, url.Values{"aksi": {"ajukan"}}, "draft", "v2.pdf", gatewaytest.Letter()), http.StatusSeeOther)
	if st, _ := e.status(ids[0]); st != statusSiapTTD {
		t.Fatalf("status %s after resubmission", st)
	}
	wantCode(t, "page", kabid.get(page), 200, "Ganti tanggal rapat", "v2.pdf")
}

// TestParafRacePostgres: the holder of a level and their Plh act on the
// same paraf at once (one approves, one returns), on PostgreSQL: exactly
// one of them wins each time, the other is told the letter moved on, and
// neither gets a server error.
func TestParafRacePostgres(t *testing.T) {
	e := newKeluarEnv(t, true)
	now := e.clock.Now()
	if err := insertDelegation(context.Background(), e.db, &Delegation{PositionID: e.Pos["kasi"].ID, UserID: e.Users["tu"].ID,
		Kind: "plh", Starts: now.Add(-time.Hour), Ends: now.Add(time.Hour)}, e.Users["admin"].ID, now); err != nil {
		t.Fatal(err)
	}
	staf, kasi, plh := e.login("staf"), e.login("kasi"), e.login("tu")
	for i := range 6 {
		id := letterIDFrom(t, staf.postFile("/surat-keluar/baru", e.draftForm("kadis", fmt.Sprintf("Balapan %d", i)), "draft", "d.pdf",
			gatewaytest.Letter()))
		page := fmt.Sprintf("/surat/%d/paraf", id)
		var wg sync.WaitGroup
		var a, b int
		wg.Go(func() { a = kasi.post(page, url.Values{"aksi": {"setuju"}, "version": {"1"}}).Code })
		wg.Go(func() { b = plh.post(page, url.Values{"aksi": {"kembalikan"}, "note": {"Tidak"}}).Code })
		wg.Wait()
		won := 0
		for _, c := range []int{a, b} {
			switch c {
			case http.StatusSeeOther:
				won++
			case http.StatusConflict, http.StatusForbidden:
			default:
				t.Fatalf("round %d: %d and %d", i, a, b)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d winners (%d, %d)", i, won, a, b)
		}
		var acted int
		e.db.QueryRow(`SELECT COUNT(*) FROM paraf WHERE letter_id = $1 AND action <> 'pending'`, id).Scan(&acted)
		if acted != 1 {
			t.Fatalf("round %d: %d paraf rows acted on", i, acted)
		}
	}
}
