// Package pgtest starts a real PostgreSQL server for tests: one cluster
// per test binary, in a temporary directory, on a Unix socket, and a fresh
// database for each caller. Tests skip when PostgreSQL is not installed,
// and fail in CI (internal/testenv).
//
// A package whose tests use it calls Main from TestMain so that the
// server is stopped when the tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/segel-id/segel/internal/testenv"
)

var (
	once    sync.Once
	dir     string
	bin     string
	startEr error
	dbSeq   atomic.Int64
)

// Main runs the tests and stops the server, if one was started.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// DSN returns the DSN of a new, empty database on the test server,
// starting the server on first use.
func DSN(t testing.TB) string {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		testenv.File(t, "/usr/lib/postgresql/*/bin/initdb", "postgresql")
		t.SkipNow()
	}
	once.Do(func() { startEr = start(filepath.Dir(bins[len(bins)-1])) })
	if startEr != nil {
		t.Fatalf("pgtest: starting PostgreSQL: %v", startEr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	admin, err := sql.Open("pgx", dsnFor("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsnFor(name)
}

func dsnFor(db string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", db, dir)
}

// asPostgres runs cmd as the postgres user when we are root: PostgreSQL
// refuses to run as root.
func asPostgres(cmd *exec.Cmd) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs the postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return os.Chown(dir, uid, gid)
}

func start(binDir string) error {
	bin = binDir
	var err error
	if dir, err = os.MkdirTemp("", "segel-pg-"); err != nil {
		return err
	}
	os.Chmod(dir, 0o755)
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	if err := asPostgres(initdb); err != nil {
		return err
	}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	return launch()
}

// launch starts the server of dir and waits until it answers.
func launch() error {
	data := filepath.Join(dir, "data")
	ctl := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-l", filepath.Join(dir, "log"),
		"-o", fmt.Sprintf("-k %s -h '' -F -c max_connections=200", dir), "start")
	asPostgres(ctl)
	if out, err := ctl.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", dsnFor("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		if err := db.PingContext(ctx); err == nil {
			return nil
		} else if ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server, if one was started; for a TestMain that does
// more than Main.
func Stop() {
	if dir == "" || startEr != nil {
		return
	}
	ctl := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
	asPostgres(ctl)
	ctl.Run()
	os.RemoveAll(dir)
}

// Halt stops the test server as a crash of the database would (pg_ctl
// stop -m immediate: connections are cut, no checkpoint), keeping its
// data and databases; Resume starts it again on the same socket. For
// tests of clients that must outlive a database restart. A test calls
// DSN first, which starts the server.
func Halt(t testing.TB) {
	t.Helper()
	if dir == "" || startEr != nil {
		t.Fatal("pgtest: Halt before DSN")
	}
	ctl := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
	asPostgres(ctl)
	if out, err := ctl.CombinedOutput(); err != nil {
		t.Fatalf("pgtest: pg_ctl stop: %v: %s", err, out)
	}
}

// Resume starts the server that Halt stopped and waits until it accepts
// connections.
func Resume(t testing.TB) {
	t.Helper()
	if err := launch(); err != nil {
		t.Fatalf("pgtest: restarting PostgreSQL: %v", err)
	}
}
