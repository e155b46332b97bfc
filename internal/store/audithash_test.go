package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
)

// refAuditHash is AuditHash as its documentation states it, one field
// after another into the hash: what an auditor recomputes.
func refAuditHash(e *AuditEntry) string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), formatTime(e.Time),
		e.RequestID, e.Client, e.Profile, e.Operation,
		e.SignerSubject, e.SignerSerial, e.SignerSHA256, e.Level,
		e.InputSHA256, e.OutputSHA256, e.DocumentID, e.Outcome,
		e.Detail, e.PrevHash,
	} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// auditEntries are entries of every shape: a signature's, a refusal's,
// the zero time, a time in another zone, a detail longer than
// AuditHash's buffer, text beyond ASCII, a large seq.
func auditEntries() []*AuditEntry {
	sig := &AuditEntry{Seq: 1, Time: time.Date(2026, 12, 4, 1, 2, 3, 456789, time.UTC), RequestID: "abcdefghijklmnopqrstuvwxyz",
		Client: "eoffice", Profile: "bupati", Operation: "sign", SignerSubject: "CN=Bupati Serang,O=Pemerintah Kabupaten Serang",
		SignerSerial: "1234567890abcdef", SignerSHA256: strings.Repeat("ab", 32), Level: "B-B",
		InputSHA256: strings.Repeat("01", 32), OutputSHA256: strings.Repeat("fe", 32), DocumentID: "zyxwvutsrqponmlkjihgfedcba",
		Outcome: "ok", PrevHash: strings.Repeat("9", 64)}
	refused := *sig
	refused.Seq, refused.Outcome, refused.Detail, refused.OutputSHA256, refused.DocumentID = 2, "level-forbidden", "profile bupati does not sign at B-LTA", "", ""
	zero := &AuditEntry{}
	zone := *sig
	zone.Time = time.Date(2026, 12, 4, 8, 2, 3, 0, time.FixedZone("WIB", 7*3600))
	long := *sig
	long.Seq, long.Detail = 1<<62, strings.Repeat("rincian ", 400)
	text := *sig
	text.SignerSubject, text.Detail = "CN=Sekretaris Daerah — Kabupaten Serang", "perihal: undangan rapat · ☺"
	return []*AuditEntry{sig, &refused, zero, &zone, &long, &text}
}

// TestAuditHashEncoding: AuditHash, which builds the encoding in one
// buffer, gives the hash of the documented encoding for every shape of
// entry (the hashes of existing chains must not change).
func TestAuditHashEncoding(t *testing.T) {
	for i, e := range auditEntries() {
		if got, want := AuditHash(e), refAuditHash(e); got != want {
			t.Errorf("entry %d: AuditHash %s, want %s", i, got, want)
		}
	}
}

// TestAuditMACEncoding: auditMAC is the HMAC-SHA256 of its fields, each
// after its length as 4 bytes big-endian, also for fields longer than
// its buffer.
func TestAuditMACEncoding(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	for _, fields := range [][]string{
		{"segel audit head v1", "chain", "42", strings.Repeat("ab", 32)},
		{"segel audit chain v1", "", "0", ""},
		{strings.Repeat("x", 300), "y"},
	} {
		m := hmac.New(sha256.New, key)
		for _, f := range fields {
			var n [4]byte
			binary.BigEndian.PutUint32(n[:], uint32(len(f)))
			m.Write(n[:])
			m.Write([]byte(f))
		}
		if got, want := auditMAC(key, fields...), hex.EncodeToString(m.Sum(nil)); got != want {
			t.Errorf("auditMAC(%.20q…) = %s, want %s", fields, got, want)
		}
	}
}

// TestAuditHashAllocs: hashing an entry allocates its hex string only
// (it was 9 allocations: the seq, the time, the longer fields as
// []byte, the sum and its hex).
func TestAuditHashAllocs(t *testing.T) {
	if testenv.Race {
		t.Skip("the race detector allocates")
	}
	e := auditEntries()[0]
	if n := testing.AllocsPerRun(100, func() { AuditHash(e) }); n > 1 {
		t.Errorf("AuditHash: %.0f allocations, want 1", n)
	}
}

func BenchmarkAuditHash(b *testing.B) {
	e := auditEntries()[0]
	b.ReportAllocs()
	for b.Loop() {
		AuditHash(e)
	}
}
