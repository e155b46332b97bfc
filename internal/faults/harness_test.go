//go:build faults

package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segel-id/segel/internal/gatewaytest"
	"github.com/segel-id/segel/internal/pgtest"
	"github.com/segel-id/segel/internal/store"
	"github.com/segel-id/segel/testpki"
	"github.com/segel-id/segel/trust"
	"github.com/segel-id/segel/verify"
)

var bin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	if bin.dir != "" {
		os.RemoveAll(bin.dir)
	}
	os.Exit(code)
}

// segelBinary builds the real binary once: go build ./cmd/segel.
func segelBinary(t testing.TB) string {
	t.Helper()
	bin.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			//lint:ignore SA1019 the test binary runs on the machine that built it
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if bin.dir, bin.err = os.MkdirTemp("", "segel-faults-bin-"); bin.err != nil {
			return
		}
		bin.path = filepath.Join(bin.dir, "segel")
		out, err := exec.Command(goTool, "build", "-o", bin.path, "github.com/segel-id/segel/cmd/segel").CombinedOutput()
		if err != nil {
			bin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if bin.err != nil {
		t.Fatal(bin.err)
	}
	return bin.path
}

// env is one deployment: a configuration file, its PKI with faulty
// peers, its store, and the directories the servers write.
type env struct {
	t     *testing.T
	dir   string // holds segel.yaml, keys, the SQLite database
	cfg   string
	tmp   string // TMPDIR of the servers (the spool files)
	blobs string // store.blob_dir; "" for PostgreSQL's table
	dsn   string // the store: an SQLite path or a PostgreSQL DSN
	pki   *testpki.PKI
	rev   *faultRev
	tsa   *faultTSA
	trust *trust.Pool
	key   string // API key of client "e-office"
	env   []string
}

// envOptions shape an env.
type envOptions struct {
	postgres bool   // a PostgreSQL database (pgtest) instead of SQLite
	tmp      string // TMPDIR of the servers; default a new directory
	blobs    string // the blob directory; default a new directory (SQLite only)
	profiles string // further profiles, YAML list items
	// profileFn, when set, returns further profiles once the PKI exists.
	profileFn func(e *env) string
	limits    string // YAML under limits:
	// tsaTimeout is tsa.timeout: 1s by default, below the slow TSA's delay.
	tsaTimeout string
	logLevel   string // default info
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), tmp: o.tmp}
	if e.tmp == "" {
		e.tmp = t.TempDir()
	}
	e.pki, e.rev = newFaultPKI(t)
	e.tsa = newFaultTSA(t, e.pki)
	e.trust = trust.NewPool()
	e.trust.AddCert(e.pki.Root.Cert, "faults root")
	id := e.pki.MustIssueSigner(t, testpki.SignerOptions{NonRepudiation: true})
	keyPEM, err := id.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	write(t, e.dir, "sekda.pem", append(keyPEM, id.FullChainPEM()...))
	write(t, e.dir, "root.pem", e.pki.Root.CertPEM())
	akey := make([]byte, 32)
	rand.Read(akey)
	write(t, e.dir, "audit.key", akey)

	storeYAML := "  sqlite: data/segel.db\n"
	e.dsn = filepath.Join(e.dir, "data", "segel.db")
	if o.postgres {
		e.dsn = pgtest.DSN(t)
		e.env = append(e.env, "SEGEL_STORE_DSN="+e.dsn)
	} else {
		e.blobs = o.blobs
		if e.blobs == "" {
			e.blobs = filepath.Join(e.dir, "blobs")
		}
		storeYAML += "  blob_dir: " + e.blobs + "\n"
	}
	if o.profileFn != nil {
		o.profiles += o.profileFn(e)
	}
	if o.tsaTimeout == "" {
		o.tsaTimeout = "1s"
	}
	level := o.logLevel
	if level == "" {
		level = "info"
	}
	e.cfg = write(t, e.dir, "segel.yaml", []byte(`# fault matrix
listen: 127.0.0.1:0
store:
`+storeYAML+`audit:
  key_file: audit.key
trust:
  national: false
  paths: [root.pem]
tsa:
  urls: [`+e.tsa.URL+`]
  timeout: `+o.tsaTimeout+`
revocation:
  timeout: 2s
limits:
  shutdown_timeout: 20s
`+o.limits+`log:
  level: `+level+`
profiles:
  - name: sekda
    key: sekda.pem
    level: B-LT
    keep: true
    downloadable: true
    max_concurrent: 8
`+o.profiles))
	r := e.segel(t, "clients", "add", "e-office", "--profiles", "sekda"+profileNames(o.profiles), "--config", e.cfg)
	if r.code != 0 {
		t.Fatalf("clients add: %v", r)
	}
	e.key = strings.TrimSpace(r.stdout)
	return e
}

// profileNames returns ",a,b" for the names of YAML profile items.
func profileNames(yaml string) string {
	var s string
	for _, m := range regexp.MustCompile(`(?m)^\s*- name: (\S+)`).FindAllStringSubmatch(yaml, -1) {
		s += "," + m[1]
	}
	return s
}

func write(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// result is the outcome of a segel command.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// segel runs the binary with the env's environment.
func (e *env) segel(t testing.TB, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, segelBinary(t), args...)
	cmd.Env = append(os.Environ(), e.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("segel %q: %v", args, err)
	}
	return r
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a running `segel serve`.
type proc struct {
	cmd            *exec.Cmd
	url            string
	stdout, stderr *syncBuffer
	done           chan struct{}
	code           int
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// start runs `segel serve --config` and waits until it listens.
func (e *env) start(t testing.TB, extraEnv ...string) *proc {
	t.Helper()
	cmd := exec.Command(segelBinary(t), "serve", "--config", e.cfg)
	cmd.Env = append(append(append(os.Environ(), "TMPDIR="+e.tmp), e.env...), extraEnv...)
	p := &proc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = 128 + int(ws.Signal())
			}
		} else if err != nil {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	deadline := time.After(time.Minute)
	for {
		if m := listeningRE.FindStringSubmatch(p.stdout.String()); m != nil {
			p.url = m[1]
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("segel serve exited with %d before listening\nstderr:\n%s", p.code, p.stderr)
		case <-deadline:
			t.Fatalf("segel serve did not listen\nstderr:\n%s", p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// term sends SIGTERM and returns the exit code.
func (p *proc) term(t testing.TB) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		t.Fatalf("segel serve did not stop after SIGTERM\nstderr:\n%s", tail(p.stderr.String(), 20))
	}
	return p.code
}

// kill sends SIGKILL to this test's own process (by its handle) and
// waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill()
	<-p.done
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// client is the HTTP client of the tests.
var client = &http.Client{
	Timeout:   90 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
}

// outcome is what one sign request got.
type outcome struct {
	level   string // asked for
	status  int    // 0: no HTTP answer (err)
	problem string // the problem type's NAME
	detail  string
	id      string
	body    []byte
	err     error
	at      time.Time // when the request was sent
	took    time.Duration
}

func (o outcome) String() string {
	if o.err != nil {
		return fmt.Sprintf("%s: %v", o.level, o.err)
	}
	return fmt.Sprintf("%s: %d %s %s", o.level, o.status, o.problem, o.detail)
}

// letter is the draft every test signs.
var letter = gatewaytest.Letter()

// sign POSTs the letter to base's /v1/sign at level.
func (e *env) sign(ctx context.Context, base, profile, level string, header ...string) outcome {
	start := time.Now()
	o := outcome{level: level, at: start}
	defer func() { o.took = time.Since(start) }()
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/sign?profile="+profile+"&level="+level, bytes.NewReader(letter))
	if err != nil {
		o.err = err
		return o
	}
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/pdf")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		o.err = err
		return o
	}
	defer resp.Body.Close()
	o.status = resp.StatusCode
	o.body, o.err = io.ReadAll(resp.Body)
	o.took = time.Since(start)
	if o.err != nil {
		o.status = 0 // an answer cut short is not an acknowledgement
		return o
	}
	if o.status == http.StatusOK {
		o.id = resp.Header.Get("Segel-Document-Id")
		return o
	}
	var p struct{ Type, Detail string }
	json.Unmarshal(o.body, &p)
	o.problem = strings.TrimPrefix(p.Type, "https://segel.id/problems/")
	o.detail = p.Detail
	return o
}

// ledger holds every acknowledged signature: a 200 with its file.
type ledger struct {
	mu   sync.Mutex
	acks map[string]string // id → hex SHA-256 of the signed file
	dups []string
}

func newLedger() *ledger { return &ledger{acks: map[string]string{}} }

func (l *ledger) add(id string, body []byte) {
	sum := sha256.Sum256(body)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.acks[id]; ok {
		l.dups = append(l.dups, id)
	}
	l.acks[id] = hex.EncodeToString(sum[:])
}

// levelName is the report's name of a PAdES baseline level.
func levelName(level string) string { return "PAdES-BASELINE-" + strings.TrimPrefix(level, "B-") }

// checkSigned checks a 200: an id, and a file whose signature is at
// the level asked for (never a lower one) and verifies offline, from
// what it embeds: TOTAL_PASSED for B-LT and B-LTA, never TOTAL_FAILED.
// It records the acknowledgement.
func (e *env) checkSigned(t testing.TB, o outcome, l *ledger) {
	t.Helper()
	if o.id == "" {
		t.Errorf("%s: 200 without Segel-Document-Id", o.level)
		return
	}
	l.add(o.id, o.body)
	rep, err := verify.Verify(context.Background(), bytes.NewReader(o.body), int64(len(o.body)),
		&verify.Options{Trust: e.trust, Offline: true})
	if err != nil {
		t.Errorf("%s: 200 whose file does not verify: %v", o.level, err)
		return
	}
	var sig *verify.SignatureReport
	for _, s := range rep.Signatures {
		if s.Type == "signature" {
			sig = s
		}
	}
	// Offline, B-B and B-T cannot pass (no revocation data is embedded)
	// but must not fail; B-LT and B-LTA pass from what they embed.
	long := o.level == "B-LT" || o.level == "B-LTA"
	if sig == nil || string(sig.Level) != levelName(o.level) || (long && rep.Indication != verify.TotalPassed) ||
		rep.Indication == verify.TotalFailed {
		b, _ := json.Marshal(rep)
		t.Errorf("%s asked, 200 answered, but the file is not at that level or does not pass: %s", o.level, b)
	}
}

// expect checks every outcome of a case: a 200 is a signature at the
// level asked for (and is recorded in l); anything else is one of the
// allowed answers "STATUS problem" (or "no-answer" for a connection that
// failed, which acknowledges nothing).
func (e *env) expect(t testing.TB, outs []outcome, l *ledger, allowed ...string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, o := range outs {
		var k string
		switch {
		case o.status == 200:
			k = "200"
			e.checkSigned(t, o, l)
		case o.status == 0:
			k = "no-answer"
		default:
			k = fmt.Sprintf("%d %s", o.status, o.problem)
		}
		seen[k]++
		if !contains(allowed, k) {
			t.Errorf("unexpected answer %s (allowed %q)", o, allowed)
		}
		for _, dir := range []string{e.dir, e.tmp, e.blobs, os.TempDir()} {
			if o.status >= 400 && dir != "" && strings.Contains(o.detail, dir) {
				t.Errorf("a server path in the detail: %s", o.detail)
			}
		}
	}
	return seen
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// load runs workers sending sign requests at the given levels, round
// robin, until ctx ends or n requests were made (n <= 0: no bound).
func (e *env) load(ctx context.Context, base func() string, workers, n int, profile string, levels ...string) []outcome {
	var (
		mu   sync.Mutex
		outs []outcome
		wg   sync.WaitGroup
		next = make(chan int)
	)
	go func() {
		defer close(next)
		for i := 0; n <= 0 || i < n; i++ {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := e.sign(context.Background(), base(), profile, levels[i%len(levels)])
				mu.Lock()
				outs = append(outs, o)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return outs
}

// checkAfter is run with every server stopped: `segel audit verify
// --grace 0` passes, having removed what a crash half-recorded (hash chain, keyed head, register against audit), every
// acknowledged signature has its register record, its stored file (the
// very bytes handed out) and its "ok" audit entry, and neither the
// temporary directory nor the blob directory holds a partial file.
func (e *env) checkAfter(t testing.TB, l *ledger) {
	t.Helper()
	if len(l.dups) > 0 {
		t.Errorf("ids handed out twice: %v", l.dups)
	}
	// No server runs: whatever a crash half-recorded counts at once.
	// The second run finds nothing left to reconcile.
	for i := range 2 {
		r := e.segel(t, "audit", "verify", "--grace", "0", "--config", e.cfg)
		if r.code != 0 || !strings.Contains(r.stdout, "hash chain intact") || !strings.Contains(r.stdout, "the head's MAC verifies") ||
			(i == 1 && (!strings.Contains(r.stdout, "register and audit log agree") || strings.Contains(r.stdout, "removed"))) {
			t.Errorf("segel audit verify (run %d): %v", i+1, r)
		}
		if i == 0 && strings.Contains(r.stdout, "removed") {
			t.Logf("reconciled after the fault:\n%s", r.stdout)
		}
	}
	ctx := context.Background()
	akey, err := os.ReadFile(filepath.Join(e.dir, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, e.dsn, &store.Options{BlobDir: e.blobs, AuditKey: akey})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	defer st.Close()
	ok := map[string]bool{}
	for from := int64(1); ; {
		es, err := st.AuditEntries(ctx, from, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		for _, a := range es {
			if a.Operation == "sign" && a.Outcome == "ok" {
				ok[a.DocumentID] = true
			}
			from = a.Seq + 1
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, sum := range l.acks {
		d, err := st.GetDocument(ctx, id)
		if err != nil {
			t.Errorf("acknowledged %s: no register record: %v", id, err)
			continue
		}
		if d.OutputSHA256 != sum {
			t.Errorf("acknowledged %s: the register has output %s, the client got %s", id, d.OutputSHA256, sum)
		}
		if !ok[id] {
			t.Errorf("acknowledged %s: no ok audit entry", id)
		}
		rc, _, err := st.OpenBlob(ctx, id)
		if err != nil {
			t.Errorf("acknowledged %s: no stored file: %v", id, err)
			continue
		}
		h := sha256.New()
		io.Copy(h, rc)
		rc.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			t.Errorf("acknowledged %s: the stored file is not what was handed out", id)
		}
	}
	if ents, _ := os.ReadDir(e.tmp); len(ents) > 0 {
		t.Errorf("temporary directory not clean: %v", names(ents))
	}
	if e.blobs != "" {
		ents, _ := os.ReadDir(e.blobs)
		for _, ent := range ents {
			if strings.HasPrefix(ent.Name(), ".") {
				t.Errorf("partial file in the blob directory: %s", ent.Name())
			} else if _, err := st.GetDocument(ctx, ent.Name()); err != nil {
				t.Errorf("stored file %s without a register record", ent.Name())
			}
		}
	}
}

func names(ents []os.DirEntry) []string {
	var s []string
	for _, e := range ents {
		s = append(s, e.Name())
	}
	return s
}

// rss returns the resident set size of p (VmRSS), 0 when unknown.
func rss(t testing.TB, p *proc) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			var kb int64
			fmt.Sscan(f[1], &kb)
			return kb << 10
		}
	}
	return 0
}
