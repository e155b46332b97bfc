package httpapi

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/segel-id/segel/internal/vocabtest"
)

// TestBSrEVerifyNoEnglish: over a corpus of real reports of every verdict
// kind and every reason code, the BSrE verify answer's descriptions (the
// document's and each signature's) hold no English word; the signer's
// name and the codes (conclusion, indication) are data, not words.
func TestBSrEVerifyNoEnglish(t *testing.T) {
	for _, c := range vocabtest.Corpus(t) {
		out := toBSrE(c.Report)
		allow := vocabtest.UserData(c.Report)
		texts := []string{out.Description}
		for _, s := range out.SignatureInformations {
			texts = append(texts, s.Description)
		}
		for _, s := range texts {
			if s == "" {
				t.Errorf("%s: empty description", c.Name)
			}
			if w := vocabtest.English(s, allow); len(w) > 0 {
				t.Errorf("%s: English %q in %q", c.Name, w, s)
			}
		}
	}
}

// TestBSrEErrorTextsNoEnglish: every error text the BSrE adapter writes
// (each string given to writeBSrE in its source, and its constants) and
// the 401 of wrong credentials are Indonesian.
func TestBSrEErrorTextsNoEnglish(t *testing.T) {
	files, _ := filepath.Glob("bsre*.go")
	fset := token.NewFileSet()
	var texts []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "writeBSrE" && len(n.Args) == 4 {
					ast.Inspect(n.Args[3], func(m ast.Node) bool {
						if lit, ok := m.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, _ := strconv.Unquote(lit.Value)
							texts = append(texts, s)
						}
						return true
					})
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if strings.HasPrefix(name.Name, "bsreMsg") && i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok {
							s, _ := strconv.Unquote(lit.Value)
							texts = append(texts, s)
						}
					}
				}
			}
			return true
		})
	}
	if len(texts) < 20 {
		t.Fatalf("only %d texts found in %v", len(texts), files)
	}
	// The 401, as a client without credentials gets it.
	s := &Server{opts: Options{BSrEUser: "esign", BSrEPassword: "rahasia"}}
	rec := httptest.NewRecorder()
	s.bsreAuth(func(http.ResponseWriter, *http.Request) { t.Error("reached the handler") })(rec, httptest.NewRequest("POST", "/api/sign/pdf", nil))
	var ans struct {
		Error      string `json:"error"`
		StatusCode int    `json:"status_code"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || rec.Code != 401 || ans.StatusCode != 401 || ans.Error == "" {
		t.Fatalf("401: %d %s", rec.Code, rec.Body)
	}
	texts = append(texts, ans.Error, bsreJSONError(&json.UnmarshalTypeError{Field: "signatureProperties.0.page"}), bsreJSONError(&json.SyntaxError{}))
	// The members named (signatureProperties.page, file) are BSrE's own
	// names.
	allow := []string{"signatureProperties.page", "(file)"}
	for _, s := range texts {
		if w := vocabtest.English(s, allow); len(w) > 0 {
			t.Errorf("English %q in BSrE error text %q", w, s)
		}
	}
}
