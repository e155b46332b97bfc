package auditcp

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/segel-id/segel/internal/store"
)

// Append appends cp to the checkpoint file path (created 0600) and syncs
// it.
func Append(path string, cp *Checkpoint) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("auditcp: %w", err)
	}
	if _, err := f.Write(cp.Line()); err != nil {
		f.Close()
		return fmt.Errorf("auditcp: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("auditcp: syncing %s: %w", path, err)
	}
	return f.Close()
}

// FileError is a checkpoint of a file that fails: its line and why.
type FileError struct {
	Line int
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("checkpoint on line %d: %v", e.Line, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// VerifyFile authenticates every checkpoint of r (key: the audit key; pub:
// the checkpoint key's public key) and checks the store's chain against
// each (Check). It returns how many passed and the first that failed, a
// *FileError; a checkpoint with neither MAC nor signature fails unless
// neither key nor pub is given.
func VerifyFile(ctx context.Context, st store.Store, r io.Reader, key []byte, pub crypto.PublicKey) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n, line := 0, 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var cp Checkpoint
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cp); err != nil {
			return n, &FileError{line, fmt.Errorf("%w: %v", ErrMalformed, err)}
		}
		h, err := Authenticate(&cp, key, pub, key == nil && pub == nil)
		if err != nil {
			return n, &FileError{line, err}
		}
		if err := Check(ctx, st, h); err != nil {
			return n, &FileError{line, err}
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("auditcp: reading checkpoints: %w", err)
	}
	return n, nil
}
