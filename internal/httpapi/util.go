package httpapi

import (
	"io"
	"mime/multipart"
	"strconv"
)

func multipartReader(r io.Reader, boundary string) *multipart.Reader {
	return multipart.NewReader(r, boundary)
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
