package devmode

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/revocation"
)

var testSigners = []Signer{
	{Profile: "dev-bupati", Name: "H. Ahmad Fadhil Ramdhani, S.H., M.Si.", Title: "Bupati Serang", NIK: "3604010101700001"},
	{Profile: "dev-kadis-dpmptsp", Name: "Ir. H. Bambang Setiawan, M.T.", Title: "Kepala Dinas DPMPTSP"},
}

func prepareSigners(t *testing.T, dir string, signers []Signer) *Env {
	t.Helper()
	t.Setenv("SOFTHSM2_CONF", os.Getenv("SOFTHSM2_CONF"))
	env, err := Prepare(context.Background(), Options{Dir: dir, BaseURL: "http://127.0.0.1:18090", NoSoftHSM: true, Signers: signers})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestDevRegisterSigners(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "segel-dev")
	// A directory made before the register had signers gets them on the
	// next start; dev-official is untouched.
	old := prepare(t, dir, "http://127.0.0.1:18090", true)
	official := readFile(t, old.Path("pki/official.pem"))
	env := prepareSigners(t, dir, testSigners)
	if string(readFile(t, env.Path("pki/official.pem"))) != string(official) {
		t.Fatal("dev-official's certificate changed")
	}
	if len(env.Signers) != 2 {
		t.Fatalf("signers %+v", env.Signers)
	}
	st, err := os.Stat(env.Path(SignersFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", SignersFile, st, err)
	}
	client := &http.Client{Transport: env.Transport(nil)}
	for i, s := range env.Signers {
		if s.Passphrase == "" || !strings.Contains(string(readFile(t, env.Path(SignersFile))), s.Profile+"\t"+s.Passphrase+"\n") {
			t.Errorf("%s: passphrase not kept", s.Profile)
		}
		p := env.Config.Profiles[3+i]
		if p.Name != s.Profile || !p.Personal || p.NIK != s.NIK || p.Cert == "" {
			t.Errorf("profile %+v", p)
		}
		chain := certs(t, p.Cert)
		if chain[0].Subject.CommonName != testSigners[i].Name || chain[0].Subject.OrganizationalUnit[0] != testSigners[i].Title {
			t.Errorf("certificate of %s: %s", s.Profile, chain[0].Subject)
		}
		if err := chain[0].CheckSignatureFrom(chain[1]); err != nil {
			t.Errorf("%s is not issued by the development CA: %v", s.Profile, err)
		}
		// OCSP answers "good" for it, in process.
		rs, err := revocation.New(revocation.Options{HTTPClient: client}).Check(context.Background(), chain[0], chain[1])
		if err != nil || rs.State != revocation.Good {
			t.Errorf("OCSP for %s: %+v %v", s.Profile, rs, err)
		}
		// The PKCS#12 opens with the passphrase only.
		p12 := readFile(t, p.Key)
		if _, _, _, err := pkcs12.DecodeChain(p12, s.Passphrase); err != nil {
			t.Errorf("%s: the passphrase does not open the key: %v", s.Profile, err)
		}
		if _, _, _, err := pkcs12.DecodeChain(p12, s.Passphrase+"x"); err == nil {
			t.Errorf("%s: a wrong passphrase opens the key", s.Profile)
		}
		if fi, _ := os.Stat(p.Key); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", p.Key, fi.Mode().Perm())
		}
	}
	if err := env.Config.Validate(); err != nil {
		t.Fatal(err)
	}
	// The register's client may sign with the signers' profiles only.
	sto, err := store.Open(context.Background(), StorePath(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sto.Close()
	for range 2 {
		if err := env.Provision(context.Background(), sto); err != nil {
			t.Fatal(err)
		}
	}
	key, err := env.RegisterAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := sto.ClientByKeyHash(context.Background(), httpapi.KeyHash(key))
	if err != nil || cl.Name != RegisterClient || strings.Join(cl.Profiles, ",") != "dev-bupati,dev-kadis-dpmptsp" {
		t.Fatalf("register client %+v %v", cl, err)
	}
	// A restart keeps the signers and their passphrases.
	again := prepareSigners(t, dir, testSigners)
	for i := range again.Signers {
		if again.Signers[i].Passphrase != env.Signers[i].Passphrase {
			t.Error("a passphrase changed on restart")
		}
	}
	// Bad signer names are refused.
	for _, bad := range [][]Signer{{{Profile: "dev-official", Name: "x"}}, {{Profile: "bupati", Name: "x"}},
		{{Profile: "dev-a", Name: "x"}, {Profile: "dev-a", Name: "y"}}, {{Profile: "dev-b"}}} {
		if _, err := Prepare(context.Background(), Options{Dir: dir, BaseURL: "http://127.0.0.1:18090", NoSoftHSM: true, Signers: bad}); err == nil {
			t.Errorf("signers %+v accepted", bad)
		}
	}
}
