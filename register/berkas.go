package register

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
)

// berkas is GET /surat/{id}/berkas/{version}: a stored file of a letter
// (the scan of an incoming letter, a draft or the signed letter of an
// outgoing one), to those who may see the letter (404 to others).
func (a *App) berkas(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := letterID(r)
	version, err := strconv.Atoi(r.PathValue("version"))
	if id == 0 || err != nil || version <= 0 {
		a.notFound(w, r)
		return
	}
	ok, err := a.mayView(ctx, currentUser(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		a.notFound(w, r)
		return
	}
	var sum, kind string
	err = a.db.QueryRowContext(ctx, `SELECT sha256, kind FROM letter_files WHERE letter_id = $1 AND version = $2`,
		id, version).Scan(&sum, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := filePath(a.files, sum)
	f, err := os.Open(p)
	if err != nil || p == "" {
		a.fail(w, r, fmt.Errorf("register: file %s of letter %d: %w", sum, id, err))
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("surat-%d-%s-%d.pdf", id, kind, version)
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="`+name+`"`)
	// The bytes never change under a name: the SHA-256 is a strong ETag.
	h.Set("ETag", `"`+sum+`"`)
	http.ServeContent(w, r, name, info.ModTime(), f)
}
