package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	File string // the configuration file, "" for one built in code
	Line int    // 0 when unknown
	Key  string // key path, such as profiles[2].level
	Env  string // the environment variable that gave the value, if any
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		if p.Env != "" {
			fmt.Fprintf(&b, " (from $%s)", p.Env)
		}
		b.WriteString(": ")
	} else if p.Env != "" {
		fmt.Fprintf(&b, "$%s: ", p.Env)
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is a configuration that cannot be used: every problem found.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects the problems of one configuration.
type problems struct {
	c    *Config
	list []Problem
}

func (ps *problems) add(key, format string, args ...any) {
	p := Problem{File: ps.c.File, Key: key, Msg: fmt.Sprintf(format, args...)}
	p.Line = ps.c.line(key)
	p.Env = ps.c.env[key]
	ps.list = append(ps.list, p)
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{Problems: ps.list}
}

// Errorf returns an *Error with one problem about key (a key path such as
// profiles[1].key), naming the file, the line and the environment
// variable that gave the value, as Load's problems do: for what is found
// wrong only when the service starts (a key that does not open, say).
func (c *Config) Errorf(key, format string, args ...any) error {
	ps := &problems{c: c}
	ps.add(key, format, args...)
	return ps.err()
}

// line returns the line of key, or of the nearest enclosing key given.
func (c *Config) line(key string) int {
	for k := key; k != ""; {
		if n, ok := c.lines[k]; ok {
			return n
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}
