package trust

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// NationalSource is the source that [National] gives its certificates.
const NationalSource = "national bundle"

//go:embed indonesia/*.pem
var nationalFS embed.FS

// pin fixes one embedded file: the SHA-256 fingerprint its single
// certificate must have and whether it is an anchor or an intermediate.
type pin struct {
	file        string
	fingerprint string
	anchor      bool
}

// nationalPins lists every file of the national bundle. The fingerprints
// are those recorded in indonesia/README.md.
func nationalPins() []pin {
	return []pin{
		{
			file:        "indonesia/root-ca-indonesia-ds-g1.pem", // Root CA Indonesia DS G1
			fingerprint: "B5:F3:66:72:FD:7C:FD:40:1E:01:EF:64:0B:2F:E6:1F:81:6F:32:F4:47:B2:80:B7:6F:53:62:44:CF:42:FC:DF",
			anchor:      true,
		},
		{
			file:        "indonesia/bsre-ca-ds-g1.pem", // BSRE CA DS G1
			fingerprint: "4A:3A:B0:62:C4:D2:4F:60:41:7F:A2:8F:65:43:AC:71:51:C9:F1:FD:E5:81:7B:BE:67:F4:9C:55:CE:5F:FE:D5",
			anchor:      false,
		},
	}
}

// National returns a new pool holding Indonesia's document-signing trust
// anchors, embedded in Segel: Root CA Indonesia DS G1 as anchor and BSRE CA
// DS G1, which issues BSrE signer certificates, as intermediate. Their
// source is [NationalSource].
//
// The embedded files are pinned by SHA-256 fingerprint; National returns an
// error if they do not match the pins, which means the build is broken or
// was tampered with.
func National() (*Pool, error) {
	return loadPinned(nationalFS, "indonesia", nationalPins())
}

// loadPinned reads every *.pem file of dir in fsys; each must hold exactly
// one certificate with the fingerprint that pins give it, and every pin
// must be met.
func loadPinned(fsys fs.FS, dir string, pins []pin) (*Pool, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.pem"))
	if err != nil {
		return nil, fmt.Errorf("trust: national bundle: %w", err)
	}
	byFile := map[string]pin{}
	for _, p := range pins {
		byFile[p.file] = p
	}
	pool := NewPool()
	for _, file := range files {
		p, ok := byFile[file]
		if !ok {
			return nil, fmt.Errorf("trust: national bundle: %s is embedded but not pinned", file)
		}
		delete(byFile, file)
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("trust: national bundle: %w", err)
		}
		certs, warnings, _ := parsePEM(data, file)
		if len(warnings) > 0 {
			return nil, fmt.Errorf("trust: national bundle: %s", strings.Join(warnings, "; "))
		}
		if len(certs) != 1 {
			return nil, fmt.Errorf("trust: national bundle: %s holds %d certificates, want 1", file, len(certs))
		}
		if got := Fingerprint(certs[0]); got != p.fingerprint {
			return nil, fmt.Errorf("trust: national bundle: %s has SHA-256 fingerprint %s, pinned %s", file, got, p.fingerprint)
		}
		if p.anchor {
			pool.AddCert(certs[0], NationalSource)
		} else {
			pool.AddIntermediate(certs[0], NationalSource)
		}
	}
	for file := range byFile {
		return nil, fmt.Errorf("trust: national bundle: pinned file %s is missing", file)
	}
	return pool, nil
}
