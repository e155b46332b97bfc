package httpapi

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestProblemTypesDocumented: openapi.yaml lists every problem type with
// its status, and nothing else.
func TestProblemTypesDocumented(t *testing.T) {
	var doc struct {
		Types map[string]int `yaml:"x-problem-types"`
	}
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatal(err)
	}
	for name, p := range problems {
		if st, ok := doc.Types[name]; !ok || st != p.status {
			t.Errorf("problem %s (%d) is documented with status %d", name, p.status, st)
		}
	}
	for name := range doc.Types {
		if _, ok := problems[name]; !ok {
			t.Errorf("openapi.yaml documents problem %s, which does not exist", name)
		}
	}
	if len(doc.Types) == 0 {
		t.Error("openapi.yaml has no x-problem-types")
	}
}

// TestEcho: names repeated in problem details are plain, short names.
func TestEcho(t *testing.T) {
	for in, want := range map[string]string{
		"sekda":                                  `"sekda"`,
		"dev-1.a_b":                              `"dev-1.a_b"`,
		"":                                       "(not shown)",
		"pkcs11:token=x;object=y?pin-value=1234": "(not shown)",
		"a b":                                    "(not shown)",
		string(make([]byte, 65)):                 "(not shown)",
	} {
		if got := echo(in); got != want {
			t.Errorf("echo(%q) = %s, want %s", in, got, want)
		}
	}
}
