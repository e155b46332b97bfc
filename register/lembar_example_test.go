package register_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/segel-id/segel/register"
)

// The lembar disposisi of a letter disposed once, as the register's
// /surat/{id}/lembar.pdf route serves it.
func ExampleWriteLembar() {
	wib := time.FixedZone("WIB", 7*3600)
	l := &register.Lembar{
		Kabupaten: "Serang", Unit: "Dinas Pendidikan dan Kebudayaan",
		From: "Bappeda Provinsi Banten", Number: "005/1234/Bappeda/2026",
		Subject: "Undangan rapat koordinasi", Sifat: "segera", Klasifikasi: "000.1.2",
		AgendaNo: "0457/DISDIKBUD/2026", LetterDate: time.Date(2026, 11, 27, 0, 0, 0, 0, wib),
		ReceivedDate: time.Date(2026, 12, 1, 0, 0, 0, 0, wib),
		Entries: []register.LembarEntry{{
			From: "Kepala Dinas", To: "Sekretaris Dinas", Instructions: []string{"Hadiri/wakili"},
			Note: "Mohon diwakili.", At: time.Date(2026, 12, 1, 9, 15, 0, 0, wib),
		}},
		PrintedAt: time.Date(2026, 12, 2, 8, 5, 0, 0, wib),
	}
	var pdf bytes.Buffer
	if err := register.WriteLembar(&pdf, l); err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")))
	// Output: true
}
