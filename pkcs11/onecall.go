//go:build cgo && (linux || darwin || freebsd || netbsd || openbsd)

package pkcs11

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

// The PKCS#11 types these two calls use (PKCS#11 2.40, section 2): on
// these systems CK_ULONG is an unsigned long and the library's
// functions use the C calling convention.
typedef unsigned long segel_ulong;
typedef struct {
	segel_ulong mechanism;
	void *parameter;
	segel_ulong parameter_len;
} segel_mechanism;
typedef segel_ulong (*segel_sign_init_fn)(segel_ulong, segel_mechanism *, segel_ulong);
typedef segel_ulong (*segel_sign_fn)(segel_ulong, unsigned char *, segel_ulong, unsigned char *, segel_ulong *);

// segel_sym returns the function name of the already loaded library at
// path (RTLD_NOLOAD: the library miekg/pkcs11 opened, never another
// copy), or NULL.
static void *segel_sym(const char *path, const char *name) {
	void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
	if (h == NULL) {
		return NULL;
	}
	return dlsym(h, name);
}

// segel_sign runs C_SignInit for a mechanism without parameters and
// C_Sign into out (*out_len bytes), in one call from Go. *stage is 1
// when C_SignInit failed, 2 when C_Sign did; a C_Sign that answers
// CKR_BUFFER_TOO_SMALL leaves the operation active (PKCS#11 2.40,
// section 5.2), for the caller to finish.
static segel_ulong segel_sign(void *init_fn, void *sign_fn, segel_ulong session, segel_ulong mech,
		segel_ulong key, unsigned char *data, segel_ulong data_len,
		unsigned char *out, segel_ulong *out_len, int *stage) {
	segel_mechanism m = {mech, NULL, 0};
	*stage = 1;
	segel_ulong rv = ((segel_sign_init_fn)init_fn)(session, &m, key);
	if (rv != 0) {
		return rv;
	}
	*stage = 2;
	return ((segel_sign_fn)sign_fn)(session, data, data_len, out, out_len);
}
*/
import "C"

import (
	"unsafe"

	"github.com/miekg/pkcs11"
)

// oneCall is a module's C_SignInit and C_Sign, called together in one
// cgo call. Each call from Go into the library that lasts over a
// scheduler tick (20 µs; C_SignInit takes about 40 µs on SoftHSM)
// gives its P up, and must get one back when it returns: with more
// signing goroutines than cores that is a thread hand-off per call
// (docs/decisions.md, "Signing through SoftHSM: overhead (issue 12)").
type oneCall struct {
	signInit, sign unsafe.Pointer
}

// loadOneCall finds C_SignInit and C_Sign in the library at path, as
// loaded by pkcs11.New; nil when the library does not export them (the
// usual calls through miekg/pkcs11 are used then).
func loadOneCall(path string) *oneCall {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	initName, signName := C.CString("C_SignInit"), C.CString("C_Sign")
	defer C.free(unsafe.Pointer(initName))
	defer C.free(unsafe.Pointer(signName))
	oc := &oneCall{signInit: C.segel_sym(cpath, initName), sign: C.segel_sym(cpath, signName)}
	if oc.signInit == nil || oc.sign == nil {
		return nil
	}
	return oc
}

// signOnce signs data on session s with key h and mechanism mech (one
// without parameters) into a buffer of size bytes. When the signature
// is longer it is finished through c, which asks its length first.
func (oc *oneCall) signOnce(c *pkcs11.Ctx, s pkcs11.SessionHandle, h pkcs11.ObjectHandle, mech uint, data []byte, size int) ([]byte, error) {
	out := make([]byte, max(size, 1))
	outLen := C.segel_ulong(len(out))
	var stage C.int
	var dp *C.uchar
	if len(data) > 0 {
		dp = (*C.uchar)(unsafe.Pointer(&data[0]))
	}
	rv := C.segel_sign(oc.signInit, oc.sign, C.segel_ulong(s), C.segel_ulong(mech), C.segel_ulong(h),
		dp, C.segel_ulong(len(data)), (*C.uchar)(unsafe.Pointer(&out[0])), &outLen, &stage)
	switch {
	case rv == 0:
		if int(outLen) > len(out) {
			return nil, newError(nil, nil, "token reported a %d-byte signature in a %d-byte buffer", outLen, len(out))
		}
		return out[:outLen], nil
	case stage == 2 && rv == pkcs11.CKR_BUFFER_TOO_SMALL:
		sig, err := c.Sign(s, data)
		if err != nil {
			return nil, rvErr(err)
		}
		return sig, nil
	}
	return nil, rvErr(pkcs11.Error(rv))
}
