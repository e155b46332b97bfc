package service

import (
	"strconv"
	"strings"
	"time"

	"github.com/segel-id/segel/signer"
)

// stamp makes the visible stamp of req, nil for an invisible signature:
// the signer's name, position, NIP, the letter's number and the date and
// time in the service's zone (WIB, WITA or WIT), the QR code of the
// document's page (/v/{id}) and the profile's footer, changed as
// req.Visible asks.
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
		// A no-break space: "NIP" and the number stay on one line, and
		// the number is never broken (signer's line breaker).
		lines = append(lines, "NIP\u00a0"+req.NIP)
	}
	if req.Number != "" {
		// The letter's number, given by the register at the moment of
		// signing, is on the stamp as well as in the letter.
		lines = append(lines, "Nomor: "+req.Number)
	}
	lines = append(lines, signer.IndonesianTime(s.opts.Now().In(s.opts.Location)))
	url := s.VerifyURL(req.id())
	footer := req.Profile.Footer
	if v.Footer != nil {
		footer = *v.Footer
	}
	footer = strings.ReplaceAll(footer, "{url}", url)
	app := &signer.Appearance{Placement: v.Placement, Lines: lines, Footer: footer, QR: url}
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
// in the zone loc (Western Indonesian Time when nil).
func IndonesianDate(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	t = t.In(loc)
	return strconv.Itoa(t.Day()) + " " + bulan[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
