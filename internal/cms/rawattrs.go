package cms

// keepSignedAttrs replaces the RawSignedAttrs of sd's SignerInfos, parsed
// from a DER normalisation of orig, by the bytes orig holds: a signature
// covers the signed attributes as the signer encoded them (RFC 5652,
// 5.4), so a BER or otherwise non-DER encoding must be verified as given,
// never as re-encoded. orig is the original ContentInfo element.
func keepSignedAttrs(sd *SignedData, orig []byte) error {
	path := []struct {
		index int
		what  string
	}{{1, "contentInfo.content"}, {0, "signedData"}}
	elem := orig
	for _, step := range path {
		kids, err := berChildren(elem)
		if err != nil || len(kids) <= step.index {
			return malformed("ber: %s", step.what)
		}
		elem = kids[step.index]
	}
	fields, err := berChildren(elem)
	if err != nil || len(fields) == 0 {
		return malformed("ber: signedData")
	}
	sis, err := berChildren(fields[len(fields)-1])
	if err != nil || len(sis) != len(sd.SignerInfos) {
		return malformed("ber: signedData.signerInfos")
	}
	for i, raw := range sis {
		si := sd.SignerInfos[i]
		if si.RawSignedAttrs == nil {
			continue
		}
		kids, err := berChildren(raw)
		// version, sid, digestAlgorithm, [0] signedAttrs
		if err != nil || len(kids) < 4 || kids[3][0] != 0xa0 {
			return malformed("ber: signerInfo[%d].signedAttrs", i)
		}
		si.RawSignedAttrs = kids[3]
	}
	return nil
}

// berChildren returns the original bytes of each element inside the
// constructed BER element elem (definite or indefinite length).
func berChildren(elem []byte) ([][]byte, error) {
	if len(elem) < 2 || elem[0]&0x20 == 0 || elem[0]&0x1f == 0x1f {
		return nil, malformed("ber: not a constructed element")
	}
	off := 2
	indefinite := false
	end := len(elem)
	switch l := elem[1]; {
	case l == 0x80:
		indefinite = true
	case l < 0x80:
		end = off + int(l)
	default:
		n := int(l & 0x7f)
		if n > 4 || off+n > len(elem) {
			return nil, malformed("ber: bad length")
		}
		length := 0
		for _, c := range elem[off : off+n] {
			length = length<<8 | int(c)
		}
		off += n
		end = off + length
	}
	if end > len(elem) || end < off {
		return nil, malformed("ber: length beyond the data")
	}
	var kids [][]byte
	for pos := off; ; {
		if indefinite {
			if pos+2 > len(elem) {
				return nil, malformed("ber: missing end-of-contents")
			}
			if elem[pos] == 0 && elem[pos+1] == 0 {
				return kids, nil
			}
		} else if pos >= end {
			return kids, nil
		}
		_, n, err := berToDER(elem[pos:end], 1)
		if err != nil {
			return nil, err
		}
		kids = append(kids, elem[pos:pos+n])
		pos += n
	}
}
