package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setup writes the files a configuration refers to into a temporary
// directory and returns it with the path of a stand-in PKCS#11 module.
func setup(t *testing.T) (dir, module string) {
	t.Helper()
	dir = t.TempDir()
	module = filepath.Join(dir, "libfake-pkcs11.so")
	for _, f := range []string{"libfake-pkcs11.so", "tls/segel.crt", "tls/segel.key", "tls/clients-ca.pem",
		"keys/arsip.p12", "keys/signer.pem", "chain.pem"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		content := "binary"
		if strings.HasSuffix(f, ".pem") {
			content = "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "trust"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, module
}

// write writes src as segel.yaml in dir, with {{MODULE}} replaced.
func write(t *testing.T, dir, module, src string) string {
	t.Helper()
	path := filepath.Join(dir, "segel.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(src, "{{MODULE}}", module)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigExample(t *testing.T) {
	dir, module := setup(t)
	t.Setenv("SEGEL_BSRE_PASSWORD", "rahasia")
	example, err := os.ReadFile("../../examples/segel.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(example), "/usr/lib/softhsm/libsofthsm2.so", "{{MODULE}}")
	c, err := Load(write(t, dir, module, src))
	if err != nil {
		t.Fatalf("examples/segel.yaml does not load:\n%v", err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("listen", c.Listen, ":8443")
	check("public_base_url", c.PublicBaseURL, "https://segel.serangkab.go.id")
	check("tls.cert", c.TLS.Cert, filepath.Join(dir, "tls/segel.crt"))
	check("tls.client_auth", c.TLS.ClientAuth, "request")
	check("store", c.Store.DSN(), filepath.Join(dir, "data/segel.db"))
	check("trust.national", c.Trust.National, true)
	check("trust.paths[0]", c.Trust.Paths[0], filepath.Join(dir, "trust"))
	check("tsa.urls", len(c.TSA.URLs), 2)
	check("tsa.timeout", c.TSA.Timeout.D(), 10*time.Second)
	check("limits.max_body", int64(c.Limits.MaxBody), int64(64<<20))
	check("limits.shutdown_timeout", c.Limits.ShutdownTimeout.D(), 2*time.Minute)
	check("bsre.user", c.BSrE.User, "esign")
	check("bsre.password", c.BSrE.Password, "rahasia")
	check("profiles", len(c.Profiles), 3)
	sekda, bupati, arsip := c.Profiles[0], c.Profiles[1], c.Profiles[2]
	check("sekda.level", sekda.Level, "B-LT")
	check("sekda.allowed_levels", strings.Join(sekda.AllowedLevels, ","), "B-T,B-LT,B-LTA")
	check("sekda.retention", sekda.Retention.D(), 10*365*24*time.Hour)
	check("sekda.keep", sekda.Keep, true)
	check("sekda.max_concurrent", sekda.MaxConcurrent, 8)
	check("sekda.footer starts", strings.HasPrefix(sekda.Footer, "Dokumen ini"), true)
	check("bupati.personal", bupati.Personal, true)
	check("bupati.nik", bupati.NIK, "3604012345670001")
	check("bupati.level", bupati.DefaultLevel().String(), "B-LTA")
	check("arsip.key", arsip.Key, filepath.Join(dir, "keys/arsip.p12"))
	check("arsip.keep", arsip.Keep, false)
	check("arsip.level (default)", arsip.Level, "B-B")
	if c.Profile("bupati") != bupati || c.Profile("nope") != nil {
		t.Error("Profile does not find profiles by name")
	}
}

func TestConfigDefaults(t *testing.T) {
	dir, module := setup(t)
	c, err := Load(write(t, dir, module, "# nothing but defaults\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != DefaultListen || c.Store.DSN() != filepath.Join(dir, DefaultSQLite) || !c.Trust.National ||
		c.Revocation.Timeout.D() != DefaultRevocationTimeout || c.Limits.PassphraseAttempts != 5 || c.Log.Level != "info" {
		t.Errorf("defaults: %+v", c)
	}
	if c.Limits.ProfileAttempts != 5 || c.Limits.ProfileWindow.D() != DefaultPassphraseWindow {
		t.Errorf("per-profile lock-out defaults: %d in %v", c.Limits.ProfileAttempts, c.Limits.ProfileWindow.D())
	}
	c, err = Load(write(t, dir, module, "trust:\n  national: false\nprofiles:\n  - name: a\n    key: keys/signer.pem\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Trust.National || !c.Profiles[0].Keep || c.Profiles[0].Level != "B-B" || c.Profiles[0].Levels() != nil {
		t.Errorf("national: false, profile defaults: %+v %+v", c.Trust, c.Profiles[0])
	}
}

// base is a good configuration the error cases edit.
const base = `listen: 127.0.0.1:9090
tsa:
  urls: [https://tsa.example/]
  timeout: 15s
profiles:
  - name: sekda
    key: "pkcs11:token=sekda;object=signer?module-path={{MODULE}}&pin-source=file:/run/secrets/pin"
    level: B-LTA
    allowed_levels: [B-T, B-LT, B-LTA]
    retention: 30d
  - name: camat
    key: "pkcs11:token=camat;object=camat?module-path={{MODULE}}"
    personal: true
    nik: "3604012345670001"
  - name: arsip
    key: keys/signer.pem
    cert: chain.pem
`

func TestConfigBase(t *testing.T) {
	dir, module := setup(t)
	if _, err := Load(write(t, dir, module, base)); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string // edit of base
		env      map[string]string
		want     string // "FILE:LINE: KEY: …" without FILE; LINE 0 for none
		reason   string
	}{
		{name: "unknown key", old: "listen:", new: "colour: blue\nlisten:",
			want: ":1: colour: ", reason: "unknown key"},
		{name: "unknown profile key", old: "    retention: 30d\n", new: "    retention: 30d\n    levl: B-T\n",
			want: ":11: profiles[0].levl: ", reason: `unknown key; did you mean "level"?`},
		{name: "clients in the file", old: "listen:", new: "clients: []\nlisten:",
			want: ":1: clients: ", reason: "segel clients add"},
		{name: "bad level", old: "level: B-LTA", new: "level: B-XL",
			want: ":8: profiles[0].level: ", reason: `"B-XL" is not a PAdES level`},
		{name: "bad allowed level", old: "[B-T, B-LT, B-LTA]", new: "[B-T, C-D]",
			want: ":9: profiles[0].allowed_levels[1]: ", reason: `"C-D" is not a PAdES level`},
		{name: "level not allowed", old: "[B-T, B-LT, B-LTA]", new: "[B-T]",
			want: ":8: profiles[0].level: ", reason: "B-LTA is not among allowed_levels"},
		{name: "missing key ref", old: "    key: keys/signer.pem\n", new: "",
			want: ":15: profiles[2].key: ", reason: "missing: the KEYREF"},
		{name: "key file missing", old: "key: keys/signer.pem", new: "key: keys/nope.pem",
			want: ":16: profiles[2].key: ", reason: "no such file or directory"},
		{name: "bad duration", old: "retention: 30d", new: "retention: forever",
			want: ":10: profiles[0].retention: ", reason: `"forever" is not a duration`},
		{name: "duration without unit", old: "timeout: 15s", new: "timeout: 15",
			want: ":4: tsa.timeout: ", reason: `"15" has no unit`},
		{name: "bad size", old: "listen:", new: "limits:\n  max_body: lots\nlisten:",
			want: ":2: limits.max_body: ", reason: `"lots" is not a size`},
		{name: "not a list", old: "  urls: [https://tsa.example/]", new: "  urls: https://tsa.example/",
			want: ":3: tsa.urls: ", reason: "want a list"},
		{name: "not a bool", old: "personal: true", new: "personal: maybe",
			want: ":13: profiles[1].personal: ", reason: `want true or false, not "maybe"`},
		{name: "pin in the file", old: "pin-source=file:/run/secrets/pin", new: "pin-value=" + testPIN,
			want: ":7: profiles[0].key: ", reason: "pin-value writes the PIN in the configuration"},
		{name: "personal with PIN", old: "object=camat?", new: "object=camat?pin-source=env:PIN&",
			want: ":12: profiles[1].key: ", reason: "remove the PIN"},
		{name: "no TSA", old: "  urls: [https://tsa.example/]\n", new: "",
			want: ":7: profiles[0].level: ", reason: "B-LTA needs a timestamp authority"},
		{name: "duplicate name", old: "name: camat", new: "name: sekda",
			want: ":11: profiles[1].name: ", reason: `"sekda" is already the name of profiles[0]`},
		{name: "bad NIK", old: `"3604012345670001"`, new: `"12345"`,
			want: ":14: profiles[1].nik: ", reason: "16 digits"},
		{name: "key given twice", old: "listen: 127.0.0.1:9090", new: "listen: 127.0.0.1:9090\nlisten: :80",
			want: ":2: listen: ", reason: "given twice (first on line 1)"},
		{name: "bad listen", old: "listen: 127.0.0.1:9090", new: "listen: 127.0.0.1",
			want: ":1: listen: ", reason: "is not host:port"},
		{name: "not YAML", old: "listen: 127.0.0.1:9090", new: "listen: [127.0.0.1",
			want: ":", reason: "not valid YAML"},
		{name: "env: bad URL", env: map[string]string{"SEGEL_PUBLIC_BASE_URL": "ftp://segel"},
			want: ": public_base_url (from $SEGEL_PUBLIC_BASE_URL): ", reason: "is not an http(s) URL"},
		{name: "env: bad key", env: map[string]string{"SEGEL_PROFILES_SEKDA_KEY": "pkcs11:token=x;object=y"},
			want: ":7: profiles[0].key (from $SEGEL_PROFILES_SEKDA_KEY): ", reason: "no module-path"},
		{name: "env: unknown profile", env: map[string]string{"SEGEL_PROFILES_SEKRETARIS_KEY": "x.pem"},
			want: ": $SEGEL_PROFILES_SEKRETARIS_KEY: ", reason: "no profile's name gives SEKRETARIS"},
		{name: "bsre without password", old: "listen:", new: "bsre:\n  user: esign\nlisten:",
			want: ":1: bsre.password: ", reason: "missing: bsre.user is set"},
		{name: "bad trusted proxy", old: "listen:", new: "trusted_proxies: [10.0.0.0/8, proxy.local]\nlisten:",
			want: ":1: trusted_proxies[1]: ", reason: "is not an IP address or CIDR prefix"},
		{name: "bad ops_listen", old: "listen:", new: "ops_listen: localhost\nlisten:",
			want: ":1: ops_listen: ", reason: "is not host:port"},
		{name: "bad allowed host", old: "listen:", new: "revocation:\n  allowed_hosts: [ocsp.example, \"http://ocsp.example/\"]\nlisten:",
			want: ":2: revocation.allowed_hosts[1]: ", reason: "is not a host name or *.domain"},
		{name: "env: store DSN", env: map[string]string{"SEGEL_STORE_DSN": "postgres://%zz"},
			want: ": store.postgres (from $SEGEL_STORE_DSN): ", reason: "not a valid URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			dir, module := setup(t)
			src := base
			if tc.old != "" {
				if !strings.Contains(src, tc.old) {
					t.Fatalf("base has no %q", tc.old)
				}
				src = strings.Replace(src, tc.old, tc.new, 1)
			}
			path := write(t, dir, module, src)
			_, err := Load(path)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %v, want an *Error", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, path+tc.want) || !strings.Contains(msg, tc.reason) {
				t.Errorf("error:\n%s\nwant a line with %q and %q", msg, path+tc.want, tc.reason)
			}
			if strings.Contains(msg, testPIN) {
				t.Errorf("the error shows the PIN: %s", msg)
			}
		})
	}
}

// testPIN is the PIN the error tests put in a configuration: no temporary
// directory's random name can hold it (it has characters those names do
// not), so finding it in an error means the error shows the PIN.
const testPIN = "PIN-Zq9~x"

func TestConfigEnvOverrides(t *testing.T) {
	dir, module := setup(t)
	t.Setenv("SEGEL_TSA_USERNAME", "segel")
	t.Setenv("SEGEL_TSA_PASSWORD", "rahasia")
	t.Setenv("SEGEL_STORE_DSN", "postgres://segel:rahasia@db/segel")
	t.Setenv("SEGEL_LISTEN", ":9443")
	// From the environment a key may carry its PIN (a secret store
	// injects the whole URI).
	t.Setenv("SEGEL_PROFILES_ARSIP_KEY", "pkcs11:token=arsip;object=a?module-path="+module+"&pin-value=1234")
	t.Setenv("SEGEL_PROFILES_ARSIP_KEY_PASSWORD", "p12-password")
	c, err := Load(write(t, dir, module, base))
	if err != nil {
		t.Fatal(err)
	}
	a := c.Profile("arsip")
	if c.TSA.Password != "rahasia" || c.TSA.Username != "segel" || c.Store.DSN() != "postgres://segel:rahasia@db/segel" ||
		c.Store.SQLite != "" || c.Listen != ":9443" || !a.IsPKCS11() || a.KeyPassword != "p12-password" {
		t.Errorf("overrides not applied: %+v", c)
	}
	t.Setenv("SEGEL_STORE_DSN", "relative/segel.db")
	if c, err = Load(write(t, dir, module, base)); err != nil || c.Store.DSN() != "relative/segel.db" {
		t.Errorf("SEGEL_STORE_DSN as an SQLite path: %v %q", err, c.Store.DSN())
	}
}

func TestConfigMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path+": cannot read the configuration: no such file") {
		t.Errorf("Load of a missing file: %v", err)
	}
}

func TestConfigBuiltInCode(t *testing.T) {
	c := New()
	c.Profiles = []*Profile{NewProfile("dev", "")}
	err := c.Validate()
	if err == nil || !strings.Contains(err.Error(), "profiles[0].key: missing") || strings.HasPrefix(err.Error(), ":") {
		t.Errorf("Validate: %v", err)
	}
	if err := c.Errorf("profiles[0].key", "does not open"); err.Error() != "profiles[0].key: does not open" {
		t.Errorf("Errorf: %v", err)
	}
}

func TestConfigDurationsAndSizes(t *testing.T) {
	for s, want := range map[string]time.Duration{"90s": 90 * time.Second, "1h30m": 90 * time.Minute, "30d": 30 * 24 * time.Hour,
		"10y": 10 * 365 * 24 * time.Hour, "0": 0} {
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "10", "1.5d", "d", "soon", "-3y"} {
		if _, err := ParseDuration(s); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", s)
		}
	}
	for s, want := range map[string]int64{"1048576": 1 << 20, "64MiB": 64 << 20, "10MB": 10e6, "512 KiB": 512 << 10, "1GiB": 1 << 30} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "lots", "-1", "1.5MB", "99999999999GiB"} {
		if _, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) succeeded", s)
		}
	}
}
