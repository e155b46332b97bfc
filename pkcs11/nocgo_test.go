//go:build !cgo

package pkcs11_test

import (
	"context"
	"errors"
	"testing"

	"github.com/segel-id/segel/pkcs11"
)

func TestNoCgo(t *testing.T) {
	_, err := pkcs11.Open(context.Background(), "pkcs11:token=a;object=b?module-path=/m.so", nil)
	if !errors.Is(err, pkcs11.ErrNotAvailable) || err.Error() != "pkcs11: PKCS#11 is not available in this build (built without cgo)" {
		t.Fatalf("Open: %v", err)
	}
	if _, err := pkcs11.Open(context.Background(), "pkcs11:token", nil); errors.Is(err, pkcs11.ErrNotAvailable) {
		t.Fatal("a bad URI must be reported as such")
	}
}
