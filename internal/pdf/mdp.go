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
// no certification; see DocMDPPermission) and the FieldMDP locks.
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
			// ISO 32000-2 allows one DocMDP reference; of several,
			// the strictest counts.
			if p := r.DocMDPPermission(params); docMDP == 0 || p < docMDP {
				docMDP = p
			}
		case "FieldMDP":
			if l, ok := r.FieldLockOf(params); ok {
				locks = append(locks, l)
			}
		}
	}
	return docMDP, locks
}

// DocMDPPermission reads the access permission /P of DocMDP transform
// parameters (ISO 32000-2, 12.8.2.2, table 257). A missing /P is 2, the
// default the standard gives. A /P that is present but not the integer 1,
// 2 or 3 is read as 1, the strictest: the standard defines no other value,
// and what the certifier allowed cannot be proven (docs/decisions.md,
// "DocMDP in internal/pdf").
func (r *Reader) DocMDPPermission(params Dict) int {
	o, present := params.Lookup("P")
	if !present {
		return 2
	}
	if v, err := r.Resolve(o); err == nil {
		if v == nil {
			return 2 // null (or a reference to nothing) is an absent key
		}
		if p, ok := v.(int64); ok && p >= 1 && p <= 3 {
			return int(p)
		}
	}
	return 1
}

// Certification finds the document's certification signature: the
// signature dictionary the catalog's /Perms /DocMDP refers to, and its
// DocMDP permission (DocMDPPermission). ok is false when the document is
// not certified, or /Perms, /DocMDP or its DocMDP reference cannot be read.
func (r *Reader) Certification() (sig Dict, docMDP int, ok bool) {
	catalog, err := r.catalogView()
	if err != nil {
		return Dict{}, 0, false
	}
	permsObj := catalog.Get("Perms")
	if permsObj == nil {
		return Dict{}, 0, false
	}
	perms, err := r.viewDict(permsObj)
	if err != nil || perms.Len() == 0 {
		return Dict{}, 0, false
	}
	// sig is handed out: a copy.
	sig, err = r.GetDict(deepCopy(perms.Get("DocMDP")))
	if err != nil || sig.Len() == 0 {
		return Dict{}, 0, false
	}
	if docMDP, _ = r.Transforms(sig); docMDP == 0 {
		return Dict{}, 0, false
	}
	return sig, docMDP, true
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
