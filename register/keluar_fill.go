package register

import (
	"io"

	"github.com/segel-id/segel/signer"
)

// fillNumber writes number wherever the letter shows ${nomor}
// (signer.FillText: a white box over the anchor and the number on its
// baseline, as an incremental update of the unsigned draft), into dst;
// nothing is written to dst on a refusal.
func fillNumber(dst io.Writer, src io.ReaderAt, size int64, number string) error {
	return signer.FillText(dst, src, size, []signer.TextFill{{Anchor: AnchorNomor, Text: number}}, nil)
}
