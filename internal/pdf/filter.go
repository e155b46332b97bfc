package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Decode returns the decoded stream data, reading the raw data from the
// source. It supports no filter, FlateDecode (with PNG and TIFF predictors),
// ASCIIHexDecode and ASCII85Decode (and their abbreviations); other filters
// yield an *UnsupportedFilterError. maxBytes bounds the decoded size (and
// each intermediate stage); maxBytes <= 0 means ReadOptions.MaxStreamDecode
// (or 256 MiB for a stream not read by a Reader). Exceeding it is an error
// wrapping ErrLimit.
func (s *Stream) Decode(maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = 256 << 20
		if s.rd != nil {
			maxBytes = s.rd.opts.MaxStreamDecode
		}
	}
	return s.decode(maxBytes, 0)
}

func (s *Stream) resolve(o Object, depth int) Object {
	if s.rd == nil || depth < 0 {
		return o
	}
	v, err := s.rd.resolve(o, depth+1)
	if err != nil {
		return nil
	}
	return v
}

func (s *Stream) decode(maxBytes int64, depth int) ([]byte, error) {
	what := fmt.Sprintf("stream %d %d", s.Ref.Num, s.Ref.Gen)
	var filters []Name
	var params []Object
	switch f := s.resolve(s.Dict.Get("Filter"), depth).(type) {
	case nil:
	case Name:
		filters = []Name{f}
		params = []Object{s.resolve(s.Dict.Get("DecodeParms"), depth)}
	case Array:
		dp, _ := s.resolve(s.Dict.Get("DecodeParms"), depth).(Array)
		for i, v := range f {
			n, ok := s.resolve(v, depth).(Name)
			if !ok {
				return nil, fmt.Errorf("%w: %s: bad /Filter", ErrSyntax, what)
			}
			filters = append(filters, n)
			var p Object
			if i < len(dp) {
				p = s.resolve(dp[i], depth)
			}
			params = append(params, p)
		}
	default:
		return nil, fmt.Errorf("%w: %s: bad /Filter", ErrSyntax, what)
	}
	if s.Length > maxBytes && len(filters) == 0 {
		return nil, fmt.Errorf("%w: %s: %d bytes, more than %d", ErrLimit, what, s.Length, maxBytes)
	}
	if s.Length < 0 {
		return nil, fmt.Errorf("%w: %s: negative length", ErrSyntax, what)
	}
	raw := make([]byte, s.Length)
	if _, err := io.ReadFull(s.Raw(), raw); err != nil {
		return nil, fmt.Errorf("pdf: %s: reading %d bytes at offset %d: %w", what, s.Length, s.Offset, err)
	}
	// One budget for the whole chain: every stage's output counts
	// against it, so that a chain of filters cannot multiply it.
	data, budget := raw, maxBytes
	for i, f := range filters {
		p, _ := params[i].(Dict)
		var err error
		data, err = applyFilter(f, p, data, budget)
		if err != nil {
			if errors.Is(err, ErrLimit) {
				return nil, fmt.Errorf("pdf: %s at offset %d: filter chain %v: %w (one budget of %d bytes for the whole chain)", what, s.Offset, filters, err, maxBytes)
			}
			return nil, fmt.Errorf("pdf: %s at offset %d: %w", what, s.Offset, err)
		}
		if i < len(filters)-1 {
			budget -= int64(len(data))
			if budget < 0 {
				return nil, fmt.Errorf("pdf: %s at offset %d: filter chain %v: %w", what, s.Offset, filters, limitErr(maxBytes))
			}
		}
	}
	return data, nil
}

func applyFilter(f Name, p Dict, in []byte, maxBytes int64) ([]byte, error) {
	switch f {
	case "FlateDecode", "Fl":
		out, err := inflate(in, maxBytes)
		if err != nil {
			return nil, err
		}
		return predict(out, p, maxBytes)
	case "ASCIIHexDecode", "AHx":
		return asciiHex(in)
	case "ASCII85Decode", "A85":
		return ascii85(in)
	case "Crypt":
		if n, _ := p.Name("Name"); n == "" || n == "Identity" {
			return in, nil
		}
	}
	return nil, &UnsupportedFilterError{Filter: f}
}

func limitErr(maxBytes int64) error {
	return fmt.Errorf("%w: decoded data longer than %d bytes", ErrLimit, maxBytes)
}

// inflate decompresses zlib data. Truncated data (a common defect) yields
// what could be decoded.
func inflate(in []byte, maxBytes int64) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, fmt.Errorf("FlateDecode: %w", err)
	}
	// The output grows by a megabyte while under one, then by a quarter
	// of its size, never past maxBytes+1, so that a bomb stopped at
	// maxBytes has not allocated twice that on the way (bytes.Buffer
	// doubles).
	out := make([]byte, 0, min(max(int64(len(in))*4, 4096), maxBytes+1))
	for int64(len(out)) <= maxBytes {
		if len(out) == cap(out) {
			grow := min(max(int64(cap(out)), 1<<20), maxBytes+1-int64(cap(out)))
			if int64(cap(out)) >= 1<<20 {
				grow = min(int64(cap(out))/4+1, maxBytes+1-int64(cap(out)))
			}
			out = slices.Grow(out, int(max(grow, 1)))
		}
		var k int
		k, err = zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+k]
		if err != nil {
			break
		}
	}
	n := int64(len(out))
	if n > maxBytes {
		return nil, limitErr(maxBytes)
	}
	if err == io.EOF {
		err = nil
	}
	if err != nil && !(errors.Is(err, io.ErrUnexpectedEOF) && n > 0) {
		return nil, fmt.Errorf("FlateDecode: %w", err)
	}
	return out, nil
}

func asciiHex(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in)/2)
	hi := -1
	for i, c := range in {
		if c == '>' {
			break
		}
		if isSpace(int(c)) {
			continue
		}
		v := unhex(int(c))
		if v < 0 {
			return nil, fmt.Errorf("%w: ASCIIHexDecode: bad byte %q at %d", ErrSyntax, c, i)
		}
		if hi < 0 {
			hi = v
		} else {
			out = append(out, byte(hi<<4|v))
			hi = -1
		}
	}
	if hi >= 0 {
		out = append(out, byte(hi<<4))
	}
	return out, nil
}

func ascii85(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in)*4/5+4)
	var grp [5]byte
	n := 0
	flush := func(k int) {
		for j := k; j < 5; j++ {
			grp[j] = 'u'
		}
		var v uint64
		for _, c := range grp {
			v = v*85 + uint64(c-'!')
		}
		b := []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		out = append(out, b[:k-1]...)
	}
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case isSpace(int(c)):
		case c == '~':
			if n == 1 {
				return nil, fmt.Errorf("%w: ASCII85Decode: lone final character", ErrSyntax)
			}
			if n > 0 {
				flush(n)
			}
			return out, nil
		case c == 'z' && n == 0:
			out = append(out, 0, 0, 0, 0)
		case c >= '!' && c <= 'u':
			grp[n] = c
			n++
			if n == 5 {
				var v uint64
				for _, c := range grp {
					v = v*85 + uint64(c-'!')
				}
				if v > 0xffffffff {
					return nil, fmt.Errorf("%w: ASCII85Decode: group out of range at %d", ErrSyntax, i)
				}
				out = append(out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
				n = 0
			}
		default:
			return nil, fmt.Errorf("%w: ASCII85Decode: bad byte %q at %d", ErrSyntax, c, i)
		}
	}
	if n == 1 {
		return nil, fmt.Errorf("%w: ASCII85Decode: lone final character", ErrSyntax)
	}
	if n > 0 {
		flush(n)
	}
	return out, nil
}

// predict undoes a FlateDecode /Predictor (2: TIFF, 10–15: PNG).
func predict(in []byte, p Dict, maxBytes int64) ([]byte, error) {
	pred, _ := p.Int("Predictor")
	if pred <= 1 {
		return in, nil
	}
	colors, bpc, columns := int64(1), int64(8), int64(1)
	if v, ok := p.Int("Colors"); ok {
		colors = v
	}
	if v, ok := p.Int("BitsPerComponent"); ok {
		bpc = v
	}
	if v, ok := p.Int("Columns"); ok {
		columns = v
	}
	if colors < 1 || colors > 32 || columns < 1 || columns > 1<<24 ||
		(bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) {
		return nil, fmt.Errorf("%w: bad predictor parameters", ErrSyntax)
	}
	bpp := int(max((colors*bpc+7)/8, 1))
	rowLen := int((colors*bpc*columns + 7) / 8)
	switch {
	case pred == 2:
		if bpc != 8 {
			return nil, &UnsupportedFilterError{Filter: Name(fmt.Sprintf("FlateDecode/Predictor 2/BitsPerComponent %d", bpc))}
		}
		out := bytes.Clone(in)
		for r := 0; r < len(out); r += rowLen {
			row := out[r:min(r+rowLen, len(out))]
			for i := bpp; i < len(row); i++ {
				row[i] += row[i-bpp]
			}
		}
		return out, nil
	case pred >= 10:
		out := make([]byte, 0, len(in))
		prev := make([]byte, min(rowLen, len(in)))
		for r := 0; r < len(in); r += rowLen + 1 {
			ft := in[r]
			src := in[r+1 : min(r+1+rowLen, len(in))]
			cur := make([]byte, len(src))
			for i, x := range src {
				var a, b, c byte
				if i >= bpp {
					a = cur[i-bpp]
					c = prev[i-bpp]
				}
				b = prev[i]
				switch ft {
				case 0:
				case 1:
					x += a
				case 2:
					x += b
				case 3:
					x += byte((int(a) + int(b)) / 2)
				case 4:
					x += paeth(a, b, c)
				default:
					return nil, fmt.Errorf("%w: bad PNG predictor row type %d", ErrSyntax, ft)
				}
				cur[i] = x
			}
			copy(prev, cur)
			out = append(out, cur...)
			if int64(len(out)) > maxBytes {
				return nil, limitErr(maxBytes)
			}
		}
		return out, nil
	}
	return nil, &UnsupportedFilterError{Filter: Name(fmt.Sprintf("FlateDecode/Predictor %d", pred))}
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Deflate compresses data for /FlateDecode, at zlib's best compression:
// what Segel writes (stamps, fonts, overlays, generated pages) is written
// once and kept for years.
func Deflate(data []byte) ([]byte, error) {
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
