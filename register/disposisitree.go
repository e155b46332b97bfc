package register

import (
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dispo is one disposition of a letter: a row of dispositions with the
// titles and names it is shown with. The first row of an incoming letter
// (ParentID 0, no instructions) is its delivery to the unit head at
// registration; every other row was made by the holder of its parent.
type dispo struct {
	ID, LetterID, ParentID   int64
	FromPosition, FromUser   int64
	ToPosition               int64
	FromTitle, FromName      string
	ToTitle                  string
	Instructions             []string
	Note, DoneNote, ActingAs string
	Due                      time.Time // a calendar date; zero: none
	CreatedAt                time.Time
	ReadAt, DoneAt           time.Time // zero: not yet

	children []*dispo
}

// dispoTree links the rows of one letter into their tree and returns the
// roots in the order the rows were given (by id).
func dispoTree(rows []*dispo) []*dispo {
	byID := make(map[int64]*dispo, len(rows))
	for _, d := range rows {
		d.children = nil
		byID[d.ID] = d
	}
	var roots []*dispo
	for _, d := range rows {
		if p := byID[d.ParentID]; p != nil && d.ParentID != d.ID {
			p.children = append(p.children, d)
		} else {
			roots = append(roots, d)
		}
	}
	return roots
}

// closed reports whether a branch is finished: a row nobody was disposed
// to from is closed when its holder marked it done; a row disposed
// further is closed when every branch below it is. The depth bound keeps
// a corrupt (cyclic) tree from looping: dispoTree cannot build a cycle,
// but a bound costs nothing.
func (d *dispo) closed() bool { return d.closedAt(0) }

func (d *dispo) closedAt(depth int) bool {
	if len(d.children) == 0 || depth > 64 {
		return !d.DoneAt.IsZero()
	}
	for _, c := range d.children {
		if !c.closedAt(depth + 1) {
			return false
		}
	}
	return true
}

// forwarded reports whether the holder disposed the letter further.
func (d *dispo) forwarded() bool { return len(d.children) > 0 }

// open reports whether the row waits for its holder: neither done nor
// disposed further.
func (d *dispo) open() bool { return d.DoneAt.IsZero() && len(d.children) == 0 }

// overdue reports whether the row has a due date before today (a calendar
// date) and its branch is not finished.
func (d *dispo) overdue(today time.Time) bool {
	return !d.Due.IsZero() && d.Due.Before(calendarDate(today)) && !d.closed()
}

// allClosed reports whether every branch of the letter is finished: the
// letter is then selesai. A letter without rows is not.
func allClosed(roots []*dispo) bool {
	if len(roots) == 0 {
		return false
	}
	for _, r := range roots {
		if !r.closed() {
			return false
		}
	}
	return true
}

// walk calls fn for every row of the trees in depth-first order, with its
// depth (roots are 0).
func walk(roots []*dispo, fn func(d *dispo, depth int)) {
	var rec func(ds []*dispo, depth int)
	rec = func(ds []*dispo, depth int) {
		if depth > 64 {
			return
		}
		for _, d := range ds {
			fn(d, depth)
			rec(d.children, depth+1)
		}
	}
	rec(roots, 0)
}

// instructionSep separates the instructions of a row in its text column;
// no standard instruction holds a newline.
const instructionSep = "\n"

func joinInstructions(in []string) string { return strings.Join(in, instructionSep) }

func splitInstructions(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, instructionSep)
}

// dispoInput is the form of a disposition, read and checked (the
// recipients are checked against the tree by the database part).
type dispoInput struct {
	From         int64   // the row disposed from
	To           []int64 // positions, sorted, without repeats
	Instructions []string
	Note         string
	Due          time.Time
}

// parseDispo reads a disposition form: dari (the row), kepada (one or
// more positions), instruksi (standard instructions, at least one),
// batas (optional date, not before today), catatan.
func parseDispo(v url.Values, today time.Time) (*dispoInput, fieldErrors) {
	in := &dispoInput{}
	errs := fieldErrors{}
	var err error
	if in.From, err = strconv.ParseInt(v.Get("dari"), 10, 64); err != nil || in.From <= 0 {
		errs["dari"] = "dispo.err.from"
	}
	for _, s := range v["kepada"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			errs["kepada"] = "dispo.err.to"
			break
		}
		in.To = append(in.To, id)
	}
	sort.Slice(in.To, func(i, j int) bool { return in.To[i] < in.To[j] })
	in.To = slices.Compact(in.To)
	if len(in.To) == 0 {
		errs["kepada"] = "dispo.err.to"
	}
	for _, s := range v["instruksi"] {
		if !slices.Contains(LembarInstructions, s) {
			errs["instruksi"] = "dispo.err.instruction"
			break
		}
		if !slices.Contains(in.Instructions, s) {
			in.Instructions = append(in.Instructions, s)
		}
	}
	if len(in.Instructions) == 0 {
		errs["instruksi"] = "dispo.err.instruction"
	}
	// Keep the standard order, whatever the browser sent.
	sort.SliceStable(in.Instructions, func(i, j int) bool {
		return slices.Index(LembarInstructions, in.Instructions[i]) < slices.Index(LembarInstructions, in.Instructions[j])
	})
	var ok bool
	if in.Note, ok = cleanText(v.Get("catatan"), maxNoteLen); !ok {
		errs["catatan"] = "dispo.err.note"
	}
	if s := strings.TrimSpace(v.Get("batas")); s != "" {
		if in.Due, ok = parseDate(s); !ok {
			errs["batas"] = "masuk.err.date"
		} else if in.Due.Before(calendarDate(today)) {
			errs["batas"] = "dispo.err.due.past"
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return in, nil
}
