package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultNumberPattern is the pattern of an outgoing letter's number when
// the settings do not say (setting number_pattern): the klasifikasi
// code, the sequence of the signing unit in the year, the unit's code and
// the year, as in "005/17/DPMPTSP/2026".
const DefaultNumberPattern = "{klasifikasi}/{urut}/{kode_unit}/{tahun}"

// ErrNumberPattern reports a number pattern that cannot give unique
// numbers: an unknown placeholder, or one of {urut}, {kode_unit} and
// {tahun} missing.
var ErrNumberPattern = errors.New("register: bad number pattern")

// numberPlaceholders are the placeholders of a number pattern.
var numberPlaceholders = map[string]bool{
	"klasifikasi": true, // the letter's klasifikasi arsip code, "005"
	"urut":        true, // the sequence of the unit in the year, 1, 2, …
	"kode_unit":   true, // the signing unit's code, "DPMPTSP"
	"tahun":       true, // the year, "2026"
	"bulan":       true, // the month in Roman numerals, "XII"
}

// NumberFields are the values a number pattern is filled with.
type NumberFields struct {
	Klasifikasi string
	Urut        int64
	KodeUnit    string
	// At is the moment of signing; its year and month are taken in
	// Western Indonesian Time (see numberTime).
	At time.Time
}

// ValidateNumberPattern checks that pattern only uses the known
// placeholders and holds {urut}, {kode_unit} and {tahun}: the sequence is
// per unit per year, so a number without all three could repeat.
func ValidateNumberPattern(pattern string) error {
	seen := map[string]bool{}
	rest := pattern
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return fmt.Errorf("%w: %q has a { without }", ErrNumberPattern, pattern)
		}
		name := rest[i+1 : i+j]
		if !numberPlaceholders[name] {
			return fmt.Errorf("%w: unknown placeholder {%s}", ErrNumberPattern, name)
		}
		seen[name] = true
		rest = rest[i+j+1:]
	}
	if strings.ContainsRune(rest, '}') {
		return fmt.Errorf("%w: %q has a } without {", ErrNumberPattern, pattern)
	}
	for _, need := range []string{"urut", "kode_unit", "tahun"} {
		if !seen[need] {
			return fmt.Errorf("%w: {%s} is missing (numbers are per unit per year)", ErrNumberPattern, need)
		}
	}
	return nil
}

// FormatNumber fills pattern (see ValidateNumberPattern) with f.
func FormatNumber(pattern string, f NumberFields) (string, error) {
	if err := ValidateNumberPattern(pattern); err != nil {
		return "", err
	}
	if f.Urut < 1 {
		return "", fmt.Errorf("%w: sequence %d", ErrNumberPattern, f.Urut)
	}
	at := numberTime(f.At)
	r := strings.NewReplacer(
		"{klasifikasi}", f.Klasifikasi,
		"{urut}", strconv.FormatInt(f.Urut, 10),
		"{kode_unit}", f.KodeUnit,
		"{tahun}", strconv.Itoa(at.Year()),
		"{bulan}", romanMonth[at.Month()-1],
	)
	return r.Replace(pattern), nil
}

var romanMonth = [...]string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}

// numberTime is t in Western Indonesian Time: a letter signed in Serang on
// 1 January at 06:00 is of the new year, although it is still 31
// December in UTC.
func numberTime(t time.Time) time.Time { return t.In(wib) }

// nextSeq takes the next sequence number of unit's year inside tx and
// keeps it held until tx ends: committed, the number is used; rolled
// back, it is given back and the next signing gets it, so the sequence
// has no gaps and no duplicates.
//
// It is one upsert. On PostgreSQL the updated (or inserted) row stays
// locked by tx until it ends, exactly as SELECT … FOR UPDATE would hold
// it, and a concurrent signer of the same unit (in this process or in
// another replica) waits on the row, then reads the committed value (a
// conflicting upsert re-reads the latest row version under READ
// COMMITTED). On SQLite the statement makes tx the database's one writer
// until it ends. See docs/decisions.md, "Register: surat keluar, paraf,
// signing and numbering".
func nextSeq(ctx context.Context, tx *sql.Tx, unitID int64, year int) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO number_seq (unit_id, year, last) VALUES ($1, $2, 1)
		 ON CONFLICT (unit_id, year) DO UPDATE SET last = number_seq.last + 1
		 RETURNING last`, unitID, year).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("register: next number of unit %d in %d: %w", unitID, year, err)
	}
	return last, nil
}
