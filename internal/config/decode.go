package config

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written as a Go duration ("90s", "1h30m")
// or a whole number of days or years ("30d", "10y"; a year is 365 days).
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses what a Duration key holds.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for unit, size := range map[string]time.Duration{"d": 24 * time.Hour, "y": 365 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(s, unit); ok {
			n, err := strconv.ParseUint(num, 10, 32)
			if err != nil {
				break
			}
			return time.Duration(n) * size, nil
		}
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && s != "0" {
		return 0, fmt.Errorf("%q has no unit: write e.g. %ss or %sm", s, s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 30s, 15m, 2h, 30d or 10y", s)
	}
	return d, nil
}

// Size is a number of bytes, written as a whole number or with a unit:
// KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
type Size int64

// UnmarshalYAML implements yaml.Unmarshaler.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseSize(n.Value)
	if err != nil {
		return err
	}
	*s = Size(v)
	return nil
}

// ParseSize parses what a Size key holds.
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1},
	}
	mult := int64(1)
	num := s
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 64MiB, 10MB or 1048576", s)
	}
	return n * mult, nil
}

// walker decodes a YAML node tree into a Config by hand, so that every
// problem can name its key path and line, and unknown keys are errors.
type walker struct {
	c   *Config
	ps  *problems
	set map[string]bool
}

func (w *walker) fail(n *yaml.Node, key, format string, args ...any) {
	w.ps.list = append(w.ps.list, Problem{File: w.c.File, Line: n.Line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping (key: value)"
	case yaml.SequenceNode:
		return "a list"
	default:
		return "a single value"
	}
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func (w *walker) walk(n *yaml.Node, v reflect.Value, path string) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with nothing: not set
	}
	if path != "" {
		w.set[path] = true
		if _, ok := w.c.lines[path]; !ok {
			w.c.lines[path] = n.Line
		}
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "want a single value, not %s", kindName(n))
			return
		}
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			w.fail(n, path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		w.walkStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.fail(n, path, "want a list (- item, or [a, b]), not %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if item.Kind == yaml.ScalarNode && item.Tag == "!!null" {
				w.c.lines[ip] = item.Line
				w.fail(item, ip, "empty list item")
				continue
			}
			w.walk(item, s.Index(i), ip)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "want a single value, not %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			w.fail(n, path, "want true or false, not %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || err != nil {
			w.fail(n, path, "want a whole number, not %s", describe(n))
			return
		}
		v.SetInt(i)
	default:
		panic("config: cannot decode into " + v.Type().String())
	}
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindName(n)
}

func (w *walker) walkStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		where := path
		if where == "" {
			where = "the file"
		}
		w.fail(n, path, "want a mapping (key: value) in %s, not %s", where, kindName(n))
		return
	}
	fields := map[string]int{}
	var names []string
	t := v.Type()
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		key := kn.Value
		kp := key
		if path != "" {
			kp = path + "." + key
		}
		if line, dup := seen[key]; dup {
			w.fail(kn, kp, "given twice (first on line %d)", line)
			continue
		}
		seen[key] = kn.Line
		fi, ok := fields[key]
		if !ok {
			w.fail(kn, kp, "unknown key%s", hint(key, names, path))
			continue
		}
		w.c.lines[kp] = kn.Line
		w.walk(vn, v.Field(fi), kp)
	}
}

// hint suggests what an unknown key may have meant.
func hint(key string, names []string, path string) string {
	if key == "clients" && path == "" {
		return ": clients live in the store; add them with 'segel clients add NAME --profiles P,...'"
	}
	if key == "levels" && strings.HasPrefix(path, "profiles[") {
		return `; did you mean "allowed_levels"?`
	}
	best, bestD := "", 3
	for _, n := range names {
		if d := distance(strings.ToLower(key), n); d < bestD {
			best, bestD = n, d
		}
	}
	slices.Sort(names)
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return " (known keys: " + strings.Join(names, ", ") + ")"
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
