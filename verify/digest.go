package verify

import (
	"context"
	"crypto"
	"encoding"
	"hash"
	"io"
	"sync"
)

// digestJob is a digest of some byte ranges of the document.
type digestJob struct {
	h      crypto.Hash
	ranges [2][2]int64 // [start, length] twice: a signature's two ranges
}

// readBufs recycles the buffers documents are read through.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// digestAll reads src once, from start to end, and computes the SHA-256
// of the whole document and the digest of every job, so that verifying
// costs about one pass over the file whatever the number of signatures.
// A SHA-256 job whose first range starts the file shares the whole-file
// hash up to the end of that range (its state is copied there): the
// bytes are hashed about once, not once per signature.
func digestAll(ctx context.Context, src io.ReaderAt, size int64, jobs []digestJob) ([]byte, map[digestJob][]byte, error) {
	whole := crypto.SHA256.New()
	hashers := make(map[digestJob]hash.Hash, len(jobs))
	shared := map[int64][]digestJob{} // end of the first range → jobs forked there
	for _, j := range jobs {
		if _, ok := hashers[j]; ok || !j.h.Available() {
			continue
		}
		if j.h == crypto.SHA256 && j.ranges[0][0] == 0 && j.ranges[0][1] <= size {
			hashers[j] = nil // forked from whole at the end of its first range
			shared[j.ranges[0][1]] = append(shared[j.ranges[0][1]], j)
			continue
		}
		hashers[j] = j.h.New()
	}
	bufp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bufp)
	buf := *bufp
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		n := min(int64(len(buf)), size-off)
		for at := range shared {
			if at > off && at < off+n {
				n = at - off // stop at the fork
			}
		}
		if fork, ok := shared[off]; ok {
			for _, j := range fork {
				h, err := cloneHash(whole)
				if err != nil {
					return nil, nil, err
				}
				hashers[j] = h
			}
		}
		k, err := src.ReadAt(buf[:n], off)
		if int64(k) < n {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, nil, err
		}
		chunk := buf[:n]
		whole.Write(chunk)
		for j, h := range hashers {
			if h == nil {
				continue // not forked yet
			}
			first := 0
			if j.h == crypto.SHA256 && j.ranges[0][0] == 0 {
				first = 1 // the first range came with the fork
			}
			for _, r := range j.ranges[first:] {
				lo, hi := max(r[0], off), min(r[0]+r[1], off+n)
				if lo < hi {
					h.Write(chunk[lo-off : hi-off])
				}
			}
		}
		off += n
	}
	if fork, ok := shared[size]; ok { // a first range ending the file
		for _, j := range fork {
			h, err := cloneHash(whole)
			if err != nil {
				return nil, nil, err
			}
			hashers[j] = h
		}
	}
	out := make(map[digestJob][]byte, len(hashers))
	for j, h := range hashers {
		if h != nil {
			out[j] = h.Sum(nil)
		}
	}
	return whole.Sum(nil), out, nil
}

// cloneHash returns a copy of a hash's state.
func cloneHash(h hash.Hash) (hash.Hash, error) {
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	c := crypto.SHA256.New()
	if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil, err
	}
	return c, nil
}

// plannedDigest returns the digest job a signature will need, when its
// structure is sound and its CMS names a digest algorithm.
func plannedDigest(r interface{ FileSize() int64 }, s *sigDict) (digestJob, bool) {
	if s.sd == nil {
		return digestJob{}, false
	}
	ranges := [2][2]int64{{0, s.br[1]}, {s.br[2], s.br[3]}}
	sub, _ := s.dict.Name("SubFilter")
	switch sub {
	case "adbe.pkcs7.sha1":
		return digestJob{h: crypto.SHA1, ranges: ranges}, true
	case "ETSI.RFC3161":
		info, err := s.sd.TSTInfo()
		if err != nil || info.MessageImprint.Hash == 0 {
			return digestJob{}, false
		}
		return digestJob{h: info.MessageImprint.Hash, ranges: ranges}, true
	}
	if len(s.sd.SignerInfos) != 1 {
		return digestJob{}, false
	}
	h, err := s.sd.SignerInfos[0].Hash()
	if err != nil {
		return digestJob{}, false
	}
	return digestJob{h: h, ranges: ranges}, true
}

// digest returns the digest of ranges with h: computed in the single
// pass when it was planned, else now (and then remembered).
func (v *verifier) digest(h crypto.Hash, ranges [][2]int64) ([]byte, error) {
	if len(ranges) != 2 {
		return digestRanges(v.src, h, ranges)
	}
	job := digestJob{h: h, ranges: [2][2]int64{ranges[0], ranges[1]}}
	if d, ok := v.digests[job]; ok {
		return d, nil
	}
	d, err := digestRanges(v.src, h, ranges)
	if err == nil && v.digests != nil {
		// Kept for the next asker: several SignerInfos of one CMS each
		// need the digest, and the chosen one needs it again.
		v.digests[job] = d
	}
	return d, err
}
