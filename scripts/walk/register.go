//go:build walk

package main

import (
	"bytes"
	"context"
	"io"

	"github.com/segel-id/segel/internal/httpapi"
	"github.com/segel-id/segel/register"
)

func init() {
	inProcess = func(srv *httpapi.Server, letter []byte, tmp string) error {
		g := &register.ServiceGateway{Service: srv.Service(), TempDir: tmp}
		_, err := g.Sign(context.Background(), &register.SignRequest{Profile: "sekda", Level: "B-LTA",
			PDF: bytes.NewReader(letter), Size: int64(len(letter)), Anchor: "a.n. Bupati Serang", Number: "800/1/2026", Title: "Sekda"}, io.Discard)
		return err
	}
}
