package pkcs11

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// A URI is a parsed RFC 7512 PKCS#11 URI. Empty fields are absent from the
// URI and match anything.
type URI struct {
	// Token attributes (path).
	Token        string // token label ("token")
	Manufacturer string // token manufacturer ("manufacturer")
	Model        string // token model ("model")
	Serial       string // token serial number ("serial")

	// Slot attributes (path).
	SlotDescription  string // "slot-description"
	SlotManufacturer string // "slot-manufacturer"
	SlotID           *uint  // "slot-id"; nil when absent

	// Library attributes (path); parsed and kept but not matched.
	LibraryManufacturer string // "library-manufacturer"
	LibraryDescription  string // "library-description"
	LibraryVersion      string // "library-version"

	// Object attributes (path).
	Object string // object label ("object")
	ID     []byte // object id ("id"), raw bytes
	Type   string // "type": public, private, cert, secret-key or data

	// Query attributes.
	ModulePath string // "module-path": file name of the PKCS#11 module
	ModuleName string // "module-name"
	PINValue   string // "pin-value"; never printed by String
	PINSource  string // "pin-source": file:PATH, env:NAME or an absolute path
}

var pathAttrs = map[string]bool{
	"token": true, "manufacturer": true, "model": true, "serial": true,
	"slot-description": true, "slot-manufacturer": true, "slot-id": true,
	"library-manufacturer": true, "library-description": true, "library-version": true,
	"object": true, "id": true, "type": true,
}

var queryAttrs = map[string]bool{
	"module-path": true, "module-name": true, "pin-value": true, "pin-source": true,
}

// ParseURI parses an RFC 7512 PKCS#11 URI such as
// "pkcs11:token=T;object=K;id=%01?module-path=/usr/lib/m.so&pin-value=1234".
// Values are percent-decoded. Unknown attributes are rejected unless their
// name starts with "x-". Error texts never contain attribute values.
func ParseURI(s string) (*URI, error) {
	const scheme = "pkcs11:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return nil, newError(nil, nil, "invalid URI: must start with %q", scheme)
	}
	rest := s[len(scheme):]
	path, query, _ := strings.Cut(rest, "?")
	if strings.Contains(rest, "#") {
		return nil, newError(nil, nil, "invalid URI: fragment (#) is not allowed")
	}
	u := &URI{}
	seen := map[string]bool{}
	parse := func(part, sep string, known map[string]bool, where string) error {
		if part == "" {
			return nil
		}
		for _, attr := range strings.Split(part, sep) {
			if attr == "" {
				continue
			}
			name, value, ok := strings.Cut(attr, "=")
			if !ok {
				return newError(nil, nil, "invalid URI: %s attribute without '='", where)
			}
			if !validName(name) {
				return newError(nil, nil, "invalid URI: malformed %s attribute name", where)
			}
			if seen[name] {
				return newError(nil, nil, "invalid URI: attribute %q given twice", name)
			}
			seen[name] = true
			if !known[name] {
				if strings.HasPrefix(name, "x-") {
					continue
				}
				if pathAttrs[name] || queryAttrs[name] {
					return newError(nil, nil, "invalid URI: attribute %q belongs in the %s", name, other(where))
				}
				return newError(nil, nil, "invalid URI: unknown %s attribute %q", where, name)
			}
			v, err := unescape(value)
			if err != nil {
				return newError(nil, nil, "invalid URI: bad percent-encoding in %q", name)
			}
			if err := u.set(name, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := parse(path, ";", pathAttrs, "path"); err != nil {
		return nil, err
	}
	if err := parse(query, "&", queryAttrs, "query"); err != nil {
		return nil, err
	}
	if u.PINValue != "" && u.PINSource != "" {
		return nil, newError(nil, nil, "invalid URI: pin-value and pin-source are both given")
	}
	return u, nil
}

func other(where string) string {
	if where == "path" {
		return "query"
	}
	return "path"
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (u *URI) set(name, v string) error {
	switch name {
	case "token":
		u.Token = v
	case "manufacturer":
		u.Manufacturer = v
	case "model":
		u.Model = v
	case "serial":
		u.Serial = v
	case "slot-description":
		u.SlotDescription = v
	case "slot-manufacturer":
		u.SlotManufacturer = v
	case "slot-id":
		n, err := strconv.ParseUint(v, 10, 0)
		if err != nil {
			return newError(nil, nil, "invalid URI: slot-id must be a decimal number")
		}
		id := uint(n)
		u.SlotID = &id
	case "library-manufacturer":
		u.LibraryManufacturer = v
	case "library-description":
		u.LibraryDescription = v
	case "library-version":
		u.LibraryVersion = v
	case "object":
		u.Object = v
	case "id":
		u.ID = []byte(v)
	case "type":
		switch v {
		case "public", "private", "cert", "secret-key", "data":
		default:
			return newError(nil, nil, "invalid URI: type must be public, private, cert, secret-key or data")
		}
		u.Type = v
	case "module-path":
		u.ModulePath = v
	case "module-name":
		u.ModuleName = v
	case "pin-value":
		u.PINValue = v
	case "pin-source":
		u.PINSource = v
	}
	return nil
}

// unescape decodes %XX sequences. Unlike query unescaping it leaves '+'
// alone, as RFC 7512 requires.
func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", fmt.Errorf("bad escape")
		}
		b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	return string(b), nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// escape percent-encodes s, keeping unreserved characters and the ones in
// keep.
func escape(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~", c) >= 0 || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func escapeAll(p []byte) string {
	var b strings.Builder
	for _, c := range p {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

const (
	pathKeep  = ":[]@!$'()*+,="
	queryKeep = ":[]@!$'()*+,=/?|"
)

// String returns the URI in RFC 7512 form with attributes in a fixed order.
// A pin-value is replaced by "REDACTED", so the result is safe to log.
func (u *URI) String() string {
	return u.format(true)
}

// format returns the URI; redact replaces the PIN.
func (u *URI) format(redact bool) string {
	var path, query []string
	add := func(list *[]string, name, v, keep string) {
		if v != "" {
			*list = append(*list, name+"="+escape(v, keep))
		}
	}
	add(&path, "library-manufacturer", u.LibraryManufacturer, pathKeep)
	add(&path, "library-description", u.LibraryDescription, pathKeep)
	add(&path, "library-version", u.LibraryVersion, pathKeep)
	add(&path, "slot-manufacturer", u.SlotManufacturer, pathKeep)
	add(&path, "slot-description", u.SlotDescription, pathKeep)
	if u.SlotID != nil {
		path = append(path, "slot-id="+strconv.FormatUint(uint64(*u.SlotID), 10))
	}
	add(&path, "manufacturer", u.Manufacturer, pathKeep)
	add(&path, "model", u.Model, pathKeep)
	add(&path, "serial", u.Serial, pathKeep)
	add(&path, "token", u.Token, pathKeep)
	add(&path, "object", u.Object, pathKeep)
	if len(u.ID) > 0 {
		path = append(path, "id="+escapeAll(u.ID))
	}
	add(&path, "type", u.Type, pathKeep)
	add(&query, "module-name", u.ModuleName, queryKeep)
	add(&query, "module-path", u.ModulePath, queryKeep)
	add(&query, "pin-source", u.PINSource, queryKeep)
	if u.PINValue != "" {
		if redact {
			query = append(query, "pin-value=REDACTED")
		} else {
			add(&query, "pin-value", u.PINValue, queryKeep)
		}
	}
	s := "pkcs11:" + strings.Join(path, ";")
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	return s
}

// HasPIN reports whether the URI carries a PIN (pin-value or pin-source).
func (u *URI) HasPIN() bool {
	return u.PINValue != "" || u.PINSource != ""
}

// PIN returns the PIN given by pin-value, or read from pin-source
// ("file:PATH", "file:///PATH", "env:NAME" or an absolute path; one
// trailing newline of a file is removed). It returns nil, nil when the URI
// has no PIN. The caller should zero the result after use.
func (u *URI) PIN() ([]byte, error) {
	if u.PINValue != "" {
		return []byte(u.PINValue), nil
	}
	src := u.PINSource
	if src == "" {
		return nil, nil
	}
	switch {
	case strings.HasPrefix(src, "env:"):
		name := src[len("env:"):]
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return nil, newError(ErrNotFound, nil, "pin-source: environment variable %q is not set", name)
		}
		return []byte(v), nil
	case strings.HasPrefix(src, "file:"):
		src = strings.TrimPrefix(src[len("file:"):], "//")
	case strings.HasPrefix(src, "/"):
	default:
		return nil, newError(ErrUnsupported, nil, "pin-source must be file:PATH or env:NAME")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, newError(ErrNotFound, nil, "pin-source: cannot read PIN file %q", src)
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b, nil
}

// tokenLabel returns a short description of the token the URI names, for
// messages.
func (u *URI) tokenDesc() string {
	switch {
	case u.Token != "" && u.Serial != "":
		return fmt.Sprintf("%q (serial %s)", u.Token, u.Serial)
	case u.Token != "":
		return fmt.Sprintf("%q", u.Token)
	case u.Serial != "":
		return fmt.Sprintf("with serial %s", u.Serial)
	case u.SlotID != nil:
		return fmt.Sprintf("in slot %d", *u.SlotID)
	}
	return "(any)"
}

// keyDesc describes the object the URI names, for messages.
func (u *URI) keyDesc() string {
	switch {
	case u.Object != "" && len(u.ID) > 0:
		return fmt.Sprintf("%q (id %x)", u.Object, u.ID)
	case u.Object != "":
		return fmt.Sprintf("%q", u.Object)
	case len(u.ID) > 0:
		return fmt.Sprintf("with id %x", u.ID)
	}
	return "(any)"
}
