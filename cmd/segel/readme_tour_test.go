package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/testenv"
)

// The README's five-minute tour is run as a stranger would type it: every
// ```sh block of the section, verbatim and in order, in one bash with
// `set -euo pipefail`, from the repository root (docs/decisions.md, "README
// tour runs verbatim (issue 14)").

// readmeSection returns the text of README.md's section "## heading", up
// to the next "## " heading, and the line number (from 1) it starts on.
func readmeSection(t *testing.T, heading string) (string, int) {
	t.Helper()
	s := string(readFile(t, "../../README.md"))
	i := strings.Index(s, "\n## "+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no section %q", heading)
	}
	line := strings.Count(s[:i+1], "\n") + 1
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+4]
	}
	return s, line
}

// shBlock is one ```sh block of the README: its text and the README line
// of its first command.
type shBlock struct {
	text string
	line int
}

// shBlocks returns the ```sh blocks of section, which starts on README
// line first. An unterminated block is an error.
func shBlocks(section string, first int) ([]shBlock, error) {
	var (
		blocks []shBlock
		cur    *shBlock
	)
	for i, l := range strings.Split(section, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(l) == "```sh":
			cur = &shBlock{line: first + i + 1}
		case cur != nil && strings.TrimSpace(l) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += l + "\n"
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("the ```sh block on README line %d is not closed", cur.line-1)
	}
	return blocks, nil
}

// tourMark starts every line that the tour's runner prints itself.
const tourMark = "@@tour "

// tourScript joins blocks into one bash script: strict mode, a trap that
// names the script line of a failing command, a mark before each block
// and, at the end, the value of $T. The blocks themselves are copied
// unchanged. lines maps each script line (from 1) to its README line.
func tourScript(blocks []shBlock) (script string, lines []int) {
	var b strings.Builder
	add := func(s string, readme int) {
		b.WriteString(s + "\n")
		lines = append(lines, readme)
	}
	add("set -euo pipefail", 0)
	add(`trap 'echo "`+tourMark+`failed $LINENO $?" >&2' ERR`, 0)
	for i, blk := range blocks {
		add(fmt.Sprintf("echo '%sblock %d'", tourMark, i+1), 0)
		start := 0
		for j, l := range strings.Split(strings.TrimSuffix(blk.text, "\n"), "\n") {
			// A continued command is named by its first line.
			if start == 0 {
				start = blk.line + j
			}
			add(l, start)
			if !strings.HasSuffix(l, "\\") {
				start = 0
			}
		}
	}
	add(`echo "`+tourMark+`T=${T:-}"`, 0)
	return b.String(), lines
}

// tourRun is the outcome of running a tour.
type tourRun struct {
	// output is what the script wrote, stdout and stderr together.
	output string
	// blocks holds the output of each block (from 0).
	blocks []string
	// tmp is the value of $T at the end ("" when unset).
	tmp string
}

// tourNet says how a tour reaches 127.0.0.1.
type tourNet int

const (
	// hostNet runs the tour on the machine's loopback.
	hostNet tourNet = iota
	// privateNet runs it in a network namespace of its own (unshare
	// -rn), whose loopback has every port free, as a fresh machine's.
	privateNet
)

// runTour runs blocks with bash in dir, with TMPDIR pointing at a
// directory of the test, and returns what they printed. A failing command
// is an error naming its README line. Whatever the tour left running is
// stopped before runTour returns.
func runTour(t *testing.T, dir string, blocks []shBlock, network tourNet, timeout time.Duration) (*tourRun, error) {
	t.Helper()
	bash := testenv.Tool(t, "bash")
	script, lines := tourScript(blocks)
	tmp := t.TempDir()
	path := filepath.Join(tmp, "tour.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var cmd *exec.Cmd
	if network == privateNet {
		cmd = exec.CommandContext(ctx, "unshare", "-rn", "sh", "-c", `ip link set lo up && exec "$0" "$1"`, bash, path)
	} else {
		cmd = exec.CommandContext(ctx, bash, path)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	// Its own process group, so that a server the tour started in the
	// background is stopped even when the tour failed before stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 10 * time.Second
	runErr := cmd.Run()
	if cmd.Process != nil {
		stopGroup(t, cmd.Process.Pid, runErr == nil)
	}

	run := &tourRun{output: out.String()}
	var failed string
	readmeLine := func(scriptLine string) int {
		n, err := strconv.Atoi(scriptLine)
		if err != nil || n < 1 || n > len(lines) {
			return 0
		}
		return lines[n-1]
	}
	// bash's own message for what the ERR trap does not see (set -u).
	bashErr := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `: line ([0-9]+): `)
	for _, l := range strings.Split(run.output, "\n") {
		rest, ok := strings.CutPrefix(l, tourMark)
		if m := bashErr.FindStringSubmatch(l); m != nil && failed == "" {
			if n := readmeLine(m[1]); n > 0 {
				failed = fmt.Sprintf("the command on README.md line %d (%s)", n, strings.TrimPrefix(l, m[0]))
			}
		}
		switch {
		case !ok:
			if len(run.blocks) > 0 {
				run.blocks[len(run.blocks)-1] += l + "\n"
			}
		case strings.HasPrefix(rest, "block "):
			run.blocks = append(run.blocks, "")
		case strings.HasPrefix(rest, "T="):
			run.tmp = strings.TrimPrefix(rest, "T=")
		case strings.HasPrefix(rest, "failed "):
			f := strings.Fields(rest)
			if n := readmeLine(f[1]); n > 0 && len(f) == 3 {
				failed = fmt.Sprintf("the command on README.md line %d (exit %s)", n, f[2])
			}
		}
	}
	if ctx.Err() != nil {
		return run, fmt.Errorf("the tour did not end within %v", timeout)
	}
	if runErr != nil {
		if failed == "" {
			failed = "the tour"
		}
		return run, fmt.Errorf("%s failed: %v", failed, runErr)
	}
	return run, nil
}

// stopGroup ends what is left of process group pgid. After a tour that
// passed nothing may be left (it stops its server and waits for it);
// after one that failed, a server it started is stopped with SIGTERM and,
// if it does not end within 30 s, killed.
func stopGroup(t *testing.T, pgid int, passed bool) {
	t.Helper()
	alive := func() bool { return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) }
	if passed && alive() {
		t.Errorf("the tour left processes running")
	}
	syscall.Kill(-pgid, syscall.SIGTERM)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if !alive() {
			return
		}
	}
	t.Logf("processes of the tour did not stop on SIGTERM; killing them")
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// tourNetwork returns how the tour can listen on 127.0.0.1:8080 here: in
// a private network namespace where unshare allows it, else on the host
// when the port is free. Otherwise the test is skipped (failed in CI).
func tourNetwork(t *testing.T) tourNet {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err == nil {
		if _, err := exec.LookPath("ip"); err == nil {
			if exec.Command("unshare", "-rn", "sh", "-c", "ip link set lo up").Run() == nil {
				return privateNet
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		testenv.SkipLocally(t, "the tour's service listens on 127.0.0.1:8080, which is taken (%v), and unshare -rn cannot give it a loopback of its own", err)
	}
	ln.Close()
	return hostNet
}

// TestReadmeTour runs the README's five-minute tour verbatim: make build,
// a SoftHSM token, a key and a certificate, signing and verifying,
// visible stamps on testdata/letters/surat-dinas.pdf, the development
// service in the background with its TSA, B-LTA signing and augmenting,
// offline verification, the HTTP gateway with the document id taken from
// the header, and stopping the service. Every command must exit 0, and
// what the README says of the outcomes must hold.
func TestReadmeTour(t *testing.T) {
	if testing.Short() {
		t.Skip("the README tour builds the binary and starts the service")
	}
	for _, tool := range []string{"make", "go", "softhsm2-util", "openssl", "pdfsig", "pdftoppm", "curl"} {
		testenv.Tool(t, tool)
	}
	testenv.File(t, "/usr/lib/softhsm/libsofthsm2.so", "softhsm2")
	network := tourNetwork(t)

	section, first := readmeSection(t, "Five-minute tour")
	blocks, err := shBlocks(section, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 5 {
		t.Fatalf("the tour has %d ```sh blocks", len(blocks))
	}
	all := ""
	for _, b := range blocks {
		all += b.text
	}
	for _, want := range []string{"make build", "--level B-LTA", "augment", "--offline", "/v1/sign", "ID=$(", "kill $SERVER"} {
		if !strings.Contains(all, want) {
			t.Errorf("the tour no longer has %q", want)
		}
	}
	// The tour stands on its own: it must not lean on what `make run`
	// left in ./segel-dev or on a fixed directory in /tmp.
	for _, bad := range []string{"segel-dev/", "/tmp/"} {
		if strings.Contains(all, bad) {
			t.Errorf("the tour names %q", bad)
		}
	}

	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	run, err := runTour(t, root, blocks, network, 10*time.Minute)
	if err != nil {
		t.Fatalf("%v\n%s", err, lastLines(run.output, 40))
	}
	if len(run.blocks) != len(blocks) || run.tmp == "" {
		t.Fatalf("the tour ran %d of %d blocks, T=%q\n%s", len(run.blocks), len(blocks), run.tmp, run.output)
	}
	T := run.tmp
	output := func(has string) string {
		for _, b := range run.blocks {
			if strings.Contains(b, has) {
				return b
			}
		}
		t.Fatalf("no block of the tour printed %q:\n%s", has, run.output)
		return ""
	}

	// Signing and verifying: the Indonesian verdict and poppler's view.
	out := output("Signature #1")
	for _, want := range []string{"Dokumen asli", "(TOTAL_PASSED)", `"indication": "TOTAL_PASSED"`,
		"Signature Validation: Signature is Valid.", "Signature Field Name: Signature1"} {
		if !strings.Contains(out, want) {
			t.Errorf("signing and verifying printed no %q:\n%s", want, out)
		}
	}

	// The stamps, and the picture of the one at ${ttd}.
	segelBin := filepath.Join(root, "bin", "segel")
	for _, f := range []string{"stamped.pdf", "stamped-rect.pdf"} {
		r := exec.Command(segelBin, "verify", "--json", "--trust", filepath.Join(T, "ca.pem"), filepath.Join(T, f))
		if b, err := r.Output(); err != nil || !bytes.Contains(b, []byte(`"indication": "TOTAL_PASSED"`)) {
			t.Errorf("verify %s: %v\n%.500s", f, err, b)
		}
	}
	if fi, err := os.Stat(filepath.Join(T, "stamped.png")); err != nil || fi.Size() == 0 {
		t.Errorf("pdftoppm made no picture of the stamp: %v", err)
	}

	// B-LTA: the file signed at B-LTA has a signature and a document
	// timestamp; the augmented one verifies offline.
	devRoot := filepath.Join(T, "dev", "dev-root.pem")
	b, err := exec.Command(segelBin, "verify", "--offline", "--json", "--trust", filepath.Join(T, "ca.pem"), "--trust", devRoot,
		filepath.Join(T, "lta.pdf")).Output()
	var rep struct {
		Signatures []struct {
			Type, Indication, Level string
		}
	}
	if jerr := json.Unmarshal(b, &rep); jerr != nil {
		t.Errorf("verify --json lta.pdf: %v, %v\n%.500s", err, jerr, b)
	}
	kinds := map[string]string{}
	for _, s := range rep.Signatures {
		kinds[s.Type] = s.Indication
	}
	if _, ok := kinds["signature"]; !ok {
		t.Errorf("lta.pdf has no signature: %+v", rep.Signatures)
	}
	if kinds["document-timestamp"] == "" {
		t.Errorf("lta.pdf has no document timestamp: %+v", rep.Signatures)
	}
	out = output("PAdES-BASELINE-LTA")
	if !strings.Contains(out, "Stempel waktu dokumen") {
		t.Errorf("verifying the B-LTA file shows no document timestamp:\n%s", out)
	}
	r := exec.Command(segelBin, "verify", "--offline", "--trust", filepath.Join(T, "ca.pem"), "--trust", devRoot, filepath.Join(T, "archived.pdf"))
	if b, err := r.CombinedOutput(); err != nil || !bytes.Contains(b, []byte("PAdES-BASELINE-LTA")) {
		t.Errorf("verify --offline archived.pdf: %v\n%s", err, b)
	}

	// The HTTP gateway: the record of the letter named by the header, and
	// its citizens' page.
	out = output(`"number":"800/1/2026"`)
	m := regexp.MustCompile(`"id":"([a-z0-9]+)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("GET /v1/documents/$ID printed no id:\n%s", out)
	}
	for _, want := range []string{`"indication":"TOTAL_PASSED"`, `"verifyUrl":"http://127.0.0.1:8080/v/` + m[1] + `"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the HTTP part printed no %s:\n%s", want, out)
		}
	}
	if page := readFile(t, filepath.Join(T, "page.html")); !bytes.Contains(page, []byte("800/1/2026")) {
		t.Errorf("the citizens' page of the letter does not show its number:\n%.1000s", page)
	}
	if _, err := os.Stat(filepath.Join(T, "http-signed.pdf")); err != nil {
		t.Error(err)
	}
}

// TestTourRunnerFails: the runner of TestReadmeTour fails when a command
// of a block fails, also inside a pipeline, a command substitution or on
// an unset variable, names that command's README line and runs nothing
// after it; a tour that works passes. So a README edited into a command
// that does not run fails TestReadmeTour.
func TestTourRunnerFails(t *testing.T) {
	dir := t.TempDir()
	ok := []shBlock{{text: "T=$(mktemp -d)\n", line: 10}, {text: "touch $T/a \\\n    $T/b\nls $T | grep -q b\n", line: 20}}
	run, err := runTour(t, dir, ok, hostNet, time.Minute)
	if err != nil {
		t.Fatalf("a working tour: %v\n%s", err, run.output)
	}
	if fi, err := os.Stat(filepath.Join(run.tmp, "b")); len(run.blocks) != 2 || err != nil || !fi.Mode().IsRegular() {
		t.Errorf("a working tour: blocks %d, T=%q: %v", len(run.blocks), run.tmp, err)
	}
	for name, c := range map[string]struct {
		text string
		line int
	}{
		"a failing command":       {"true\nfalse\n", 31},
		"a missing file":          {"echo start\nbin/segel sign in.pdf out.pdf\n", 31},
		"a failing pipeline":      {"false | cat\n", 30},
		"a failing substitution":  {"X=$(false)\n", 30},
		"an unset variable":       {"echo $NO_SUCH_VARIABLE_IN_THE_TOUR\n", 30},
		"a failing continued one": {"ls \\\n    /no/such/file\n", 30},
	} {
		blocks := []shBlock{{text: "T=$(mktemp -d)\n", line: 10}, {text: c.text, line: 30}, {text: "touch $T/after\n", line: 40}}
		run, err := runTour(t, dir, blocks, hostNet, time.Minute)
		if err == nil {
			t.Errorf("%s: the tour passed\n%s", name, run.output)
			continue
		}
		if want := fmt.Sprintf("README.md line %d ", c.line); !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want it to name %s", name, err, want)
		}
		if run.tmp != "" {
			t.Errorf("%s: the tour went on after the failure", name)
		}
	}
}
