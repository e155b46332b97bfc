package config

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads, completes (defaults, environment overrides) and checks the
// configuration file at path. Problems are reported as an *Error.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Problems: []Problem{{File: path, Msg: "cannot read the configuration: " + unwrapPath(err)}}}
	}
	return Parse(data, path, os.LookupEnv)
}

func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse is Load for a configuration held in data, read from file (used
// in messages and to resolve relative paths), with lookupEnv giving the
// environment (os.LookupEnv; nil for none).
func Parse(data []byte, file string, lookupEnv func(string) (string, bool)) (*Config, error) {
	c := &Config{File: file, lines: map[string]int{}, env: map[string]string{}}
	ps := &problems{c: c}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		ps.list = append(ps.list, Problem{File: file, Line: yamlLine(err), Msg: "not valid YAML: " + yamlMsg(err)})
		return nil, ps.err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.list = append(ps.list, Problem{File: file, Line: extra.Line, Msg: "more than one YAML document; put everything in one"})
		return nil, ps.err()
	}
	set := map[string]bool{}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		w := walker{c: c, ps: ps, set: set}
		w.walk(doc.Content[0], reflect.ValueOf(c).Elem(), "")
		if len(ps.list) > 0 {
			return nil, ps.err()
		}
		// Belt and braces: the walker checked every key; yaml's own strict
		// decoding must agree.
		strict := yaml.NewDecoder(bytes.NewReader(data))
		strict.KnownFields(true)
		var check Config
		if err := strict.Decode(&check); err != nil && !errors.Is(err, io.EOF) {
			ps.list = append(ps.list, Problem{File: file, Line: yamlLine(err), Msg: yamlMsg(err)})
			return nil, ps.err()
		}
	}
	c.applyDefaults(set)
	c.applyEnv(lookupEnv, ps)
	if len(ps.list) > 0 {
		return nil, ps.err()
	}
	c.resolvePaths()
	ps.list = append(ps.list, c.validate(true).list...)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return c, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+):?`)

func yamlLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

func yamlMsg(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n  ")
	return strings.TrimSpace(yamlLineRE.ReplaceAllString(s, ""))
}

// resolvePaths makes relative paths relative to the file's directory.
func (c *Config) resolvePaths() {
	if c.File == "" {
		return
	}
	dir := filepath.Dir(c.File)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	abs(&c.TLS.Cert)
	abs(&c.TLS.Key)
	abs(&c.TLS.ClientCA)
	if c.Store.SQLite != "" && c.env["store.sqlite"] == "" {
		abs(&c.Store.SQLite)
	}
	abs(&c.Store.BlobDir)
	abs(&c.Audit.KeyFile)
	if c.env["totp.key_file"] == "" {
		abs(&c.TOTP.KeyFile)
	}
	abs(&c.Audit.CheckpointFile)
	if !strings.HasPrefix(strings.ToLower(c.Audit.CheckpointKey), "pkcs11:") {
		abs(&c.Audit.CheckpointKey)
	}
	for i := range c.Trust.Paths {
		abs(&c.Trust.Paths[i])
	}
	for _, p := range c.Profiles {
		if p == nil {
			continue
		}
		if !p.IsPKCS11() {
			abs(&p.Key)
		}
		abs(&p.Cert)
	}
}
