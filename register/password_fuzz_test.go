package register

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzCheckPassword feeds CheckPassword stored hashes of any shape: it
// must never panic, never accept a hash it cannot read, and bound the
// work a forged hash asks for (the parameters' limits).
func FuzzCheckPassword(f *testing.F) {
	good, _ := hashPassword("sandi", testArgon)
	f.Add(good, "sandi")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x")
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "x")
	f.Add("$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		ok, err := CheckPassword(hash, password)
		if ok && err != nil {
			t.Fatal("accepted with an error")
		}
		if ok && !strings.HasPrefix(hash, "$argon2id$v=19$") {
			t.Fatalf("accepted a hash that is not argon2id v19: %q", hash)
		}
	})
}

// FuzzReadSeedFile reads passwords files of any shape without panicking.
func FuzzReadSeedFile(f *testing.F) {
	f.Add([]byte("# x\nadmin\tpw\tAdmin — administrator\n\n" + seedPassphraseSection + "\nbupati\tdev-bupati\tpass\n"))
	f.Add([]byte("a\tb\n"))
	f.Add([]byte("\t\t\t\n" + seedPassphraseSection))
	f.Fuzz(func(t *testing.T, data []byte) {
		pw, pp, err := ReadSeedFile(bytes.NewReader(data))
		if err == nil && (pw == nil || pp == nil) {
			t.Fatal("nil maps without an error")
		}
	})
}
