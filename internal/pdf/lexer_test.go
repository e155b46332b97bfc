package pdf

import (
	"bytes"
	"testing"
)

// TestLexerWindowNearEnd checks that the lexer's window near the end of
// the data is no larger than what is left (the xref table and trailer
// of most files lie in the last few hundred bytes), and that every byte
// is still read.
func TestLexerWindowNearEnd(t *testing.T) {
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	for _, start := range []int64{0, 8000, 8700, 9400, 9999} {
		l := newLexer(bytes.NewReader(data), int64(len(data)), start)
		var got []byte
		for c := l.next(); c >= 0; c = l.next() {
			got = append(got, byte(c))
			// A lexer that starts near the end (not one whose earlier
			// window is reused) allocates no more than is left.
			if left := int64(len(data)) - l.bufOff; cap(l.buf) > lexChunk || start > 0 && int64(cap(l.buf)) > max(left, lexFirstChunk) {
				t.Fatalf("from %d, at %d: a window of %d bytes with %d left", start, l.pos, cap(l.buf), left)
			}
		}
		if !bytes.Equal(got, data[start:]) {
			t.Fatalf("from %d: read %d bytes, want %d", start, len(got), len(data)-int(start))
		}
	}
}
