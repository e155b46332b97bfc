package cms

// berToDER converts the first BER element of in to DER lengths: indefinite
// and non-minimal lengths become minimal definite ones, and constructed
// OCTET STRINGs and character strings become primitive. It does not sort
// SET OF members or fix other non-DER encodings, so DER input comes back
// unchanged. It returns the converted element and the number of bytes of in
// it took.
func berToDER(in []byte, depth int) (out []byte, consumed int, err error) {
	if depth > MaxNesting {
		return nil, 0, malformed("ber: nesting deeper than %d", MaxNesting)
	}
	if len(in) < 2 {
		return nil, 0, malformed("ber: truncated element")
	}
	// Identifier octets.
	off := 1
	if in[0]&0x1f == 0x1f {
		for {
			if off >= len(in) || off > 5 {
				return nil, 0, malformed("ber: bad high tag number")
			}
			c := in[off]
			off++
			if c&0x80 == 0 {
				break
			}
		}
	}
	tag := in[:off]
	constructed := in[0]&0x20 != 0
	if off >= len(in) {
		return nil, 0, malformed("ber: truncated length")
	}
	// Length octets.
	l := in[off]
	off++
	indefinite := false
	length := 0
	switch {
	case l == 0x80:
		if !constructed {
			return nil, 0, malformed("ber: indefinite length on a primitive element")
		}
		indefinite = true
	case l < 0x80:
		length = int(l)
	default:
		n := int(l & 0x7f)
		if n > 4 || off+n > len(in) {
			return nil, 0, malformed("ber: bad length")
		}
		for _, c := range in[off : off+n] {
			length = length<<8 | int(c)
		}
		off += n
		if length < 0 || length > len(in)-off {
			return nil, 0, malformed("ber: length beyond the data")
		}
	}
	if !indefinite && length > len(in)-off {
		return nil, 0, malformed("ber: length beyond the data")
	}
	if !constructed {
		return appendElement(nil, tag, in[off:off+length]), off + length, nil
	}

	flatten := len(tag) == 1 && isStringTag(tag[0]&^0x20)
	var content []byte
	end := off + length
	pos := off
	for {
		if indefinite {
			if pos+2 > len(in) {
				return nil, 0, malformed("ber: missing end-of-contents")
			}
			if in[pos] == 0 && in[pos+1] == 0 {
				pos += 2
				break
			}
		} else if pos >= end {
			break
		}
		limit := len(in)
		if !indefinite {
			limit = end
		}
		if in[pos] == 0 {
			return nil, 0, malformed("ber: unexpected end-of-contents")
		}
		child, n, err := berToDER(in[pos:limit], depth+1)
		if err != nil {
			return nil, 0, err
		}
		pos += n
		if flatten {
			// A segment of a constructed string: keep its content only.
			if child[0] != tag[0]&^0x20 {
				return nil, 0, malformed("ber: constructed string with a segment of another type")
			}
			_, hdr := derHeader(child)
			content = append(content, child[hdr:]...)
		} else {
			content = append(content, child...)
		}
	}
	if flatten {
		return appendElement(nil, []byte{tag[0] &^ 0x20}, content), pos, nil
	}
	return appendElement(nil, tag, content), pos, nil
}

// isStringTag reports whether a universal primitive tag is an OCTET STRING
// or character string, which BER may split into constructed segments.
func isStringTag(t byte) bool {
	switch t {
	case 0x04, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b, 0x1c, 0x1e:
		return true
	}
	return false
}

// derHeader returns the tag byte and the header length of a DER element
// produced by appendElement (single-byte tag).
func derHeader(der []byte) (byte, int) {
	if der[1] < 0x80 {
		return der[0], 2
	}
	return der[0], 2 + int(der[1]&0x7f)
}

// appendElement appends tag, a minimal DER length and content to dst.
func appendElement(dst, tag, content []byte) []byte {
	dst = append(dst, tag...)
	n := len(content)
	switch {
	case n < 0x80:
		dst = append(dst, byte(n))
	case n <= 0xff:
		dst = append(dst, 0x81, byte(n))
	case n <= 0xffff:
		dst = append(dst, 0x82, byte(n>>8), byte(n))
	case n <= 0xffffff:
		dst = append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, content...)
}
