package service

import (
	"strconv"
	"time"

	"github.com/segel-id/segel/signer"
)

// stamp makes the visible stamp of req, nil for an invisible signature:
// the signer's name, position, NIP, the letter's number and the date,
// the QR code of the document's page (/v/{id}) and the profile's footer,
// changed as req.Visible asks.
func (s *Service) stamp(req *Request) *signer.Appearance {
	v := req.Visible
	if v == nil {
		return nil
	}
	cert := req.Profile.Key.Certificate
	lines := []string{"Ditandatangani secara elektronik oleh", cert.Subject.CommonName}
	if req.Title != "" {
		lines = append(lines, req.Title)
	}
	if req.NIP != "" {
		lines = append(lines, "NIP "+req.NIP)
	}
	if req.Number != "" {
		// The letter's number, given by the register at the moment of
		// signing, is on the stamp as well as in the letter.
		lines = append(lines, "Nomor: "+req.Number)
	}
	lines = append(lines, IndonesianDate(s.opts.Now()))
	app := &signer.Appearance{Placement: v.Placement, Lines: lines, Footer: req.Profile.Footer, QR: s.VerifyURL(req.id())}
	if v.QR != "" {
		app.QR = v.QR
	}
	if v.NoQR {
		app.QR = ""
	}
	if len(v.Lines) > 0 {
		app.Lines = v.Lines
	}
	app.Image = v.Image
	return app
}

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
	"September", "Oktober", "November", "Desember"}

// IndonesianDate writes a date as letters carry it: "28 November 2026",
// in Western Indonesian Time.
func IndonesianDate(t time.Time) string {
	t = t.In(time.FixedZone("WIB", 7*3600))
	return strconv.Itoa(t.Day()) + " " + bulan[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
