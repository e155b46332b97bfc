package pdf

// FieldLock is a FieldMDP lock (ISO 32000-1, 12.8.2.4, table 256): which
// form fields a signature locks.
type FieldLock struct {
	// Action is All, Include or Exclude.
	Action Name
	// Fields are the fully qualified field names Include or Exclude list.
	Fields []string
}

// Locks reports whether the lock covers the field with the fully
// qualified name; a lock with an unknown action covers every field (fail
// closed).
func (l FieldLock) Locks(name string) bool {
	listed := false
	for _, f := range l.Fields {
		if f == name {
			listed = true
			break
		}
	}
	switch l.Action {
	case "Include":
		return listed
	case "Exclude":
		return !listed
	}
	return true
}

// Transforms reads the signature references (/Reference) of a signature
// dictionary: the DocMDP permission P (1, 2 or 3; 0 when the signature is
// no certification) and the FieldMDP locks. A DocMDP reference without a
// valid /P has P=2, its default.
func (r *Reader) Transforms(sig Dict) (docMDP int, locks []FieldLock) {
	refs, err := r.GetArray(sig.Get("Reference"))
	if err != nil {
		return 0, nil
	}
	for _, o := range refs {
		d, err := r.GetDict(o)
		if err != nil {
			continue
		}
		params, _ := r.GetDict(d.Get("TransformParams"))
		switch m, _ := d.Name("TransformMethod"); m {
		case "DocMDP":
			docMDP = 2
			if p, ok := params.Int("P"); ok && p >= 1 && p <= 3 {
				docMDP = int(p)
			}
		case "FieldMDP":
			if l, ok := r.FieldLockOf(params); ok {
				locks = append(locks, l)
			}
		}
	}
	return docMDP, locks
}

// FieldLockOf reads a FieldMDP transform parameters dictionary, or a
// signature field's /Lock dictionary (same keys).
func (r *Reader) FieldLockOf(d Dict) (FieldLock, bool) {
	a, ok := d.Name("Action")
	if !ok {
		return FieldLock{}, false
	}
	l := FieldLock{Action: a}
	if arr, err := r.GetArray(d.Get("Fields")); err == nil {
		for _, f := range arr {
			if s, ok := f.(String); ok {
				l.Fields = append(l.Fields, TextString(s.Bytes))
			}
		}
	}
	return l, true
}

// IsDocTimestamp reports whether a signature dictionary is a document
// timestamp (ISO 32000-2, 12.8.5): /Type /DocTimeStamp, or the
// ETSI.RFC3161 /SubFilter that only document timestamps use.
func IsDocTimestamp(sig Dict) bool {
	t, _ := sig.Name("Type")
	sub, _ := sig.Name("SubFilter")
	return t == "DocTimeStamp" || sub == "ETSI.RFC3161"
}
