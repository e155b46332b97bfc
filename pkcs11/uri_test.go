package pkcs11_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segel-id/segel/pkcs11"
)

func TestParseURI(t *testing.T) {
	u, err := pkcs11.ParseURI("pkcs11:token=Kab.%20Sleman;object=signer%3Bone;id=%01%a2;slot-id=7;serial=ABC;manufacturer=SoftHSM%20project;type=private;x-vendor=1" +
		"?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=12%2634+5")
	if err != nil {
		t.Fatal(err)
	}
	if u.Token != "Kab. Sleman" || u.Object != "signer;one" || !bytes.Equal(u.ID, []byte{1, 0xa2}) ||
		u.SlotID == nil || *u.SlotID != 7 || u.Serial != "ABC" || u.Manufacturer != "SoftHSM project" ||
		u.Type != "private" || u.ModulePath != "/usr/lib/softhsm/libsofthsm2.so" || u.PINValue != "12&34+5" {
		t.Fatalf("parsed %+v", u)
	}
	s := u.String()
	if strings.Contains(s, "12") && strings.Contains(s, "pin-value=12") {
		t.Fatalf("String shows the PIN: %s", s)
	}
	if !strings.Contains(s, "pin-value=REDACTED") {
		t.Fatalf("String = %s", s)
	}
	// Round trip (apart from the PIN).
	u2, err := pkcs11.ParseURI(s)
	if err != nil {
		t.Fatal(err)
	}
	if u2.Token != u.Token || u2.Object != u.Object || !bytes.Equal(u2.ID, u.ID) || *u2.SlotID != 7 || u2.ModulePath != u.ModulePath {
		t.Fatalf("round trip %s → %+v", s, u2)
	}
	if _, err := pkcs11.ParseURI("PKCS11:token=a"); err != nil {
		t.Fatalf("scheme is case-insensitive: %v", err)
	}
}

func TestParseURIErrors(t *testing.T) {
	const pin = "Sup3rS3cretPIN-4242"
	for _, s := range []string{
		"",
		"pkcs11",
		"http://token=a",
		"token=a;object=b",
		"pkcs11:token",
		"pkcs11:token=a;token=b",
		"pkcs11:tok3n=a",
		"pkcs11:token=%zz",
		"pkcs11:token=%4",
		"pkcs11:slot-id=abc",
		"pkcs11:slot-id=-1",
		"pkcs11:type=secret",
		"pkcs11:token=a#frag",
		"pkcs11:pin-value=" + pin,
		"pkcs11:token=a?module-path=/m.so&token=b",
		"pkcs11:token=a?pin-value=" + pin + "&pin-source=file:/x",
		"pkcs11:token=a?pin-value=" + pin + "%G1",
		"pkcs11:token=a?pin-value=" + pin + "&pin-value=" + pin,
		"pkcs11:token=a?pin=" + pin,
		"pkcs11:token=a?p!n=" + pin,
		"pkcs11:object=" + pin + "?pin-value",
	} {
		_, err := pkcs11.ParseURI(s)
		if err == nil {
			t.Errorf("ParseURI(%q) succeeded", s)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, pin) {
			t.Errorf("ParseURI(%q) error shows the PIN: %s", s, msg)
		}
		if !strings.HasPrefix(msg, "pkcs11: ") || strings.ToLower(msg[:9]) != msg[:9] {
			t.Errorf("error %q must start with \"pkcs11: \" and be lowercase", msg)
		}
	}
}

func TestURIPIN(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pin")
	if err := os.WriteFile(file, []byte("9876\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEGEL_TEST_PIN", "5555")
	for uri, want := range map[string]string{
		"pkcs11:token=a?pin-value=1234":                "1234",
		"pkcs11:token=a?pin-source=file:" + file:       "9876",
		"pkcs11:token=a?pin-source=file://" + file:     "9876",
		"pkcs11:token=a?pin-source=" + file:            "9876",
		"pkcs11:token=a?pin-source=env:SEGEL_TEST_PIN": "5555",
		"pkcs11:token=a":                               "",
	} {
		u, err := pkcs11.ParseURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		pin, err := u.PIN()
		if err != nil || string(pin) != want {
			t.Errorf("%s: PIN %q, %v; want %q", uri, pin, err, want)
		}
	}
	for _, uri := range []string{
		"pkcs11:token=a?pin-source=env:SEGEL_NO_SUCH_VAR",
		"pkcs11:token=a?pin-source=file:" + filepath.Join(dir, "missing"),
		"pkcs11:token=a?pin-source=|cat",
	} {
		u, err := pkcs11.ParseURI(uri)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.PIN(); err == nil {
			t.Errorf("%s: no error", uri)
		}
	}
}

func ExampleParseURI() {
	u, err := pkcs11.ParseURI("pkcs11:token=Sleman;object=bupati;id=%01%02" +
		"?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234")
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Token, u.Object, u.ID)
	fmt.Println(u)
	// Output:
	// Sleman bupati [1 2]
	// pkcs11:token=Sleman;object=bupati;id=%01%02?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=REDACTED
}
