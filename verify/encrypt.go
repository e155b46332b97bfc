package verify

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"

	"github.com/segel-id/segel/internal/pdf"
)

// padding is the password padding of the standard security handler
// (ISO 32000-2, 7.6.4.3.2).
var padding = []byte{
	0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
}

// openWithoutPassword reports whether an encrypted document opens with
// the empty user password (as every reader opens it without asking). A
// document that needs a password cannot be judged: its pages cannot be
// read to see what changed.
func openWithoutPassword(r *pdf.Reader) (bool, error) {
	enc, err := r.GetDict(r.Trailer().Get("Encrypt"))
	if err != nil {
		return false, fmt.Errorf("the /Encrypt dictionary cannot be read: %w", err)
	}
	if f, _ := enc.Name("Filter"); f != "Standard" {
		return false, fmt.Errorf("the security handler %q is not supported", f)
	}
	rev, _ := enc.Int("R")
	o := stringOf(enc.Get("O"))
	u := stringOf(enc.Get("U"))
	switch {
	case rev >= 2 && rev <= 4:
		ids, _ := r.GetArray(r.Trailer().Get("ID"))
		var id0 []byte
		if len(ids) > 0 {
			id0 = stringOf(ids[0])
		}
		p, _ := enc.Int("P")
		length, ok := enc.Int("Length")
		if !ok || rev == 2 {
			length = 40
		}
		meta := true
		if v, ok := enc.Get("EncryptMetadata").(bool); ok {
			meta = v
		}
		return checkUserR2to4(int(rev), o, u, id0, uint32(p), int(length)/8, meta), nil
	case rev == 5 || rev == 6:
		if len(u) < 48 {
			return false, fmt.Errorf("/U is too short")
		}
		hash := sha256.Sum256(u[32:40]) // R5: SHA-256(password ‖ validation salt)
		got := hash[:]
		if rev == 6 {
			got = hash2B(nil, u[32:40], nil)
		}
		return bytes.Equal(got, u[:32]), nil
	}
	return false, fmt.Errorf("security handler revision %d is not supported", rev)
}

func stringOf(o pdf.Object) []byte {
	s, _ := o.(pdf.String)
	return s.Bytes
}

// checkUserR2to4 is algorithms 2, 4 and 5 of ISO 32000-2, 7.6.4.3 for
// the empty password.
func checkUserR2to4(rev int, o, u, id0 []byte, p uint32, n int, meta bool) bool {
	if n < 5 || n > 16 || len(u) < 16 {
		return false
	}
	h := md5.New()
	h.Write(padding)
	h.Write(o)
	h.Write([]byte{byte(p), byte(p >> 8), byte(p >> 16), byte(p >> 24)})
	h.Write(id0)
	if rev >= 4 && !meta {
		h.Write([]byte{0xff, 0xff, 0xff, 0xff})
	}
	key := h.Sum(nil)
	if rev >= 3 {
		for range 50 {
			s := md5.Sum(key[:n])
			key = s[:]
		}
	}
	key = key[:n]
	if rev == 2 {
		c, _ := rc4.NewCipher(key)
		out := make([]byte, 32)
		c.XORKeyStream(out, padding)
		return bytes.Equal(out, u[:32])
	}
	hh := md5.New()
	hh.Write(padding)
	hh.Write(id0)
	out := hh.Sum(nil)
	for i := range 20 {
		k := make([]byte, n)
		for j := range k {
			k[j] = key[j] ^ byte(i)
		}
		c, _ := rc4.NewCipher(k)
		c.XORKeyStream(out, out)
	}
	return bytes.Equal(out[:16], u[:16])
}

// hash2B is algorithm 2.B of ISO 32000-2 (revision 6).
func hash2B(password, salt, userKey []byte) []byte {
	h := sha256.New()
	h.Write(password)
	h.Write(salt)
	h.Write(userKey)
	k := h.Sum(nil)
	for round := 0; ; round++ {
		k1 := bytes.Repeat(append(append(append([]byte{}, password...), k...), userKey...), 64)
		block, _ := aes.NewCipher(k[:16])
		e := make([]byte, len(k1))
		cipher.NewCBCEncrypter(block, k[16:32]).CryptBlocks(e, k1)
		var sum int
		for _, b := range e[:16] {
			sum += int(b)
		}
		switch sum % 3 {
		case 0:
			s := sha256.Sum256(e)
			k = s[:]
		case 1:
			s := sha512.Sum384(e)
			k = s[:]
		default:
			s := sha512.Sum512(e)
			k = s[:]
		}
		if round >= 63 && int(e[len(e)-1]) <= round-32 {
			return k[:32]
		}
	}
}
