package verify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/verify"
)

// TestTypedReportJSON: the typed fields write the JSON the string fields
// wrote (times in RFC 3339 UTC, the levels' names, a missing claimed time
// and an unanalysed modification level left out), and a report from a
// newer Segel with values this one does not know still decodes.
func TestTypedReportJSON(t *testing.T) {
	at := time.Date(2026, 3, 2, 7, 5, 0, 0, time.UTC)
	rep := &verify.Report{Indication: verify.TotalPassed, ValidationTime: at, Signatures: []*verify.SignatureReport{
		{Type: verify.TypeDocumentTimestamp, Level: verify.NoBaseline, Timestamp: &verify.Timestamp{Time: at, TSA: "TSA"},
			ModificationLevel: verify.LevelNone, Changes: []verify.Change{{Object: "trailer", What: "x", Level: verify.LevelLTA}}},
		{Type: verify.TypeSignature, Level: verify.BaselineLTA, ClaimedSigningTime: at},
	}}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"validationTime":"2026-03-02T07:05:00Z"`, `"type":"document-timestamp"`, `"level":"NONE"`,
		`"time":"2026-03-02T07:05:00Z"`, `"modificationLevel":"NONE"`, `"level":"LTA_UPDATES"`, `"level":"PAdES-BASELINE-LTA"`,
		`"claimedSigningTime":"2026-03-02T07:05:00Z"`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s:\n%s", want, s)
		}
	}
	if strings.Count(s, "claimedSigningTime") != 1 || strings.Count(s, "modificationLevel") != 1 {
		t.Errorf("a zero claimed time or NotAnalysed level is written:\n%s", s)
	}

	newer := `{"indication":"TOTAL_PASSED","validationTime":"2027-01-01T00:00:00Z","signatures":[{"type":"signature",
		"level":"PAdES-BASELINE-XL","indication":"TOTAL_PASSED","subIndication":"","modificationLevel":"FUTURE_LEVEL",
		"changes":[{"object":"o","what":"w","level":"FUTURE_LEVEL"}],"signer":null,"coversWholeDocument":false,
		"modifiedAfterSigning":null,"errors":null,"warnings":null}],"size":1,"sha256":"","warnings":null}`
	var back verify.Report
	if err := json.Unmarshal([]byte(newer), &back); err != nil {
		t.Fatalf("a newer report does not decode: %v", err)
	}
	sig := back.Signatures[0]
	if sig.Level != "PAdES-BASELINE-XL" || sig.Level.LongTerm() || sig.ModificationLevel != "FUTURE_LEVEL" {
		t.Errorf("decoded %+v", sig)
	}
	// An unknown modification level is never taken for less than OTHER.
	if verify.ModLevel("FUTURE_LEVEL").Max(verify.LevelOther) != "FUTURE_LEVEL" || !verify.ModLevel("FUTURE_LEVEL").Exceeds(verify.LevelAnnotations) {
		t.Error("an unknown modification level ranks below OTHER")
	}
	if verify.LevelLTA.Exceeds(verify.LevelFormFilling) || !verify.LevelOther.Exceeds(verify.LevelAnnotations) ||
		verify.NotAnalysed.Max(verify.LevelNone) != verify.LevelNone {
		t.Error("modification levels out of order")
	}
	if !back.ValidationTime.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("validation time %v", back.ValidationTime)
	}
}
