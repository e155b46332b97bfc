package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLimitConnections: beyond n connections at once, the next waits to
// be accepted until one closes.
func TestLimitConnections(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitConnections(inner, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 3)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := <-accepted
	<-accepted
	select {
	case <-accepted:
		t.Fatal("a third connection was accepted beyond the bound of 2")
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("the third connection was not accepted after one closed")
	}
}

var opsRE = regexp.MustCompile(`metrics and readiness on (http://[0-9.:]+)`)

// TestServeOpsListen: with ops_listen, /metrics and /readyz are served
// there and no longer on listen; the API stays on listen; HEAD works.
func TestServeOpsListen(t *testing.T) {
	_, cfg, _ := configFixture(t, "")
	src, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, []byte("ops_listen: 127.0.0.1:0\nlimits:\n  max_connections: 64\n"+string(src)), 0o600)
	srv := serveInProcess(t, "--config", cfg)
	m := opsRE.FindStringSubmatch(srv.stdout.String())
	if m == nil {
		t.Fatalf("no ops address in:\n%s", srv.stdout)
	}
	get := func(method, url string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/metrics", "/readyz"} {
		if code, _ := get("GET", srv.url+p); code != http.StatusNotFound {
			t.Errorf("%s on listen: %d, want 404", p, code)
		}
	}
	if code, body := get("GET", m[1]+"/metrics"); code != 200 || !strings.Contains(body, "segel_") {
		t.Errorf("/metrics on ops_listen: %d", code)
	}
	if code, body := get("GET", m[1]+"/readyz"); code != 200 || !strings.Contains(body, `"ready":true`) {
		t.Errorf("/readyz on ops_listen: %d %s", code, body)
	}
	if code, _ := get("HEAD", m[1]+"/healthz"); code != 200 {
		t.Errorf("HEAD /healthz on ops_listen: %d", code)
	}
	if code, _ := get("GET", m[1]+"/v1/sign"); code != http.StatusNotFound {
		t.Errorf("the API on ops_listen: %d", code)
	}
	if code, _ := get("GET", srv.url+"/healthz"); code != 200 {
		t.Errorf("/healthz on listen: %d", code)
	}
	if code := srv.shutdown(t); code != 0 {
		t.Errorf("exit %d", code)
	}
}
