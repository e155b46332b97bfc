package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sealProfile is a seal profile appended to base.
const sealProfile = `  - name: segel-pemda
    key: "pkcs11:token=pemda;object=seal?module-path={{MODULE}}&pin-source=file:/run/secrets/pin"
    seal: true
    id_subscriber: "SEAL-PEMDA-01"
`

// sealKEK is the top-level totp key, after the profiles so that the
// lines of base and sealProfile stay where they are.
const sealKEK = "totp:\n  key_file: totp.key\n"

// TestConfigSeal: a seal profile loads with its idSubscriber, and what
// is wrong with one is named at its line.
func TestConfigSeal(t *testing.T) {
	dir, module := setup(t)
	if err := os.WriteFile(filepath.Join(dir, "totp.key"), bytes.Repeat([]byte("s3al"), 8), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(write(t, dir, module, base+sealProfile+sealKEK))
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Profile("segel-pemda"); p == nil || !p.Seal || p.IDSubscriber != "SEAL-PEMDA-01" || p.Personal {
		t.Fatalf("seal profile: %+v", p)
	}
	if c.Profile("segel-pemda").APIActivation {
		t.Error("api_activation is on by default; want the operator's activation")
	}
	c, err = Load(write(t, dir, module, strings.Replace(base+sealProfile+sealKEK, "    seal: true\n", "    seal: true\n    api_activation: true\n", 1)))
	if err != nil || !c.Profile("segel-pemda").APIActivation {
		t.Fatalf("api_activation: true: %v", err)
	}
	for _, tc := range []struct {
		name, old, new, want, reason string
	}{
		{"personal seal", "    seal: true\n", "    seal: true\n    personal: true\n",
			":20: profiles[3].seal: ", "remove personal: true"},
		{"no id_subscriber", `    id_subscriber: "SEAL-PEMDA-01"` + "\n", "",
			":18: profiles[3].id_subscriber: ", "missing: a seal profile is named by its idSubscriber"},
		{"bad id_subscriber", `"SEAL-PEMDA-01"`, `"seal pemda/1"`,
			":21: profiles[3].id_subscriber: ", "use letters, digits"},
		{"id_subscriber without seal", "    seal: true\n", "",
			":20: profiles[3].id_subscriber: ", "only a seal profile has an idSubscriber"},
		{"seal with email", "    seal: true\n", "    seal: true\n    email: sekda@serangkab.go.id\n",
			":21: profiles[3].email: ", "remove the e-mail address"},
		{"api_activation without seal", "    seal: true\n", "    api_activation: true\n",
			":20: profiles[3].api_activation: ", "only a seal is activated"},
		{"no totp.key_file", sealKEK, "",
			":20: profiles[3].seal: ", "set totp.key_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := base + sealProfile + sealKEK
			if !strings.Contains(src, tc.old) {
				t.Fatalf("no %q", tc.old)
			}
			path := write(t, dir, module, strings.Replace(src, tc.old, tc.new, 1))
			_, err := Load(path)
			var ce *Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), path+tc.want) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("Load = %v\nwant a line with %q and %q", err, path+tc.want, tc.reason)
			}
		})
	}
	// Two seals with one idSubscriber.
	two := base + sealProfile + strings.Replace(sealProfile, "name: segel-pemda", "name: segel-dinas", 1) + sealKEK
	path := write(t, dir, module, two)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path+":25: profiles[4].id_subscriber: the same id_subscriber as profiles[3]") {
		t.Errorf("duplicate id_subscriber: %v", err)
	}
}
