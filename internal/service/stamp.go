package service

import (
	"strings"

	"github.com/segel-id/segel/signer"
)

// stamp makes the visible stamp of req, nil for an invisible signature:
// the signer's name, position, NIP, the letter's number and the date and
// time in the service's zone (WIB, WITA or WIT), the QR code of the
// document's page (/v/{id}), the profile's footer, the body's name and
// logo (Profile.StampName, StampImage), changed as req.Visible asks.
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
	if n := req.Profile.StampName; n != "" && !strings.EqualFold(n, req.Title) && !strings.EqualFold(n, cert.Subject.CommonName) {
		// The body under the position, as a letter's signature block
		// reads ("Sekretaris Daerah", "Pemerintah Kabupaten Serang");
		// not twice when the position already is the name.
		lines = append(lines, n)
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
	if app.Image == nil {
		app.Image = req.Profile.StampImage
	}
	return app
}
