package explain_test

import (
	"fmt"

	"github.com/segel-id/segel/verify"
	"github.com/segel-id/segel/verify/explain"
)

// A report's verdict and reasons in Indonesian (from its typed notes) and
// in English (the report's own messages).
func Example() {
	rep := &verify.Report{
		Indication: verify.Indeterminate,
		Signatures: []*verify.SignatureReport{{
			Type:          verify.TypeSignature,
			Indication:    verify.Indeterminate,
			SubIndication: verify.OutOfBoundsNoPOE,
			Errors:        []string{`the certificate "Budi Santoso" expired on 2026-12-02 00:00 UTC and nothing proves the signature existed before`},
			Notes: []verify.Note{{Code: verify.CodeCertExpiredNoPOE, Severity: verify.SeverityError,
				Args: map[string]string{"cert": "Budi Santoso", "date": "2026-12-02T00:00:00Z"}}},
		}},
	}
	for _, l := range []explain.Lang{explain.ID, explain.EN} {
		fmt.Println(explain.ReportHeadline(l, rep))
		errs, _ := explain.Reasons(l, rep.Signatures[0])
		fmt.Println("-", errs[0])
	}
	// Output:
	// Belum dapat dipastikan: sertifikat sudah kedaluwarsa dan surat tidak memiliki stempel waktu yang membuktikan ditandatangani tepat waktu
	// - sertifikat “Budi Santoso” kedaluwarsa pada 2 Desember 2026 00.00 UTC dan tidak ada bukti bahwa tanda tangan dibuat sebelumnya
	// Cannot be confirmed yet: the certificate has expired and the letter carries no timestamp proving it was signed in time
	// - the certificate "Budi Santoso" expired on 2026-12-02 00:00 UTC and nothing proves the signature existed before
}
