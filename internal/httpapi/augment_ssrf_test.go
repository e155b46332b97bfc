package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/segel-id/segel/signer"
	"github.com/segel-id/segel/testpki"
)

// TestAugmentSSRF: /v1/augment does not fetch the OCSP or CRL URLs that an
// uploaded PDF's untrusted certificates name (here an "internal" server),
// and the problem it answers repeats nothing of what a fetch met.
func TestAugmentSSRF(t *testing.T) {
	e := newEnv(t, nil, nil)
	var hits atomic.Int64
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("secret internal answer"))
	}))
	t.Cleanup(internal.Close)
	stranger, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := stranger.MustIssueSigner(t, testpki.SignerOptions{KeyType: testpki.RSA2048, NonRepudiation: true,
		OCSPServer: []string{internal.URL + "/admin/ocsp"}, CRLDistributionPoints: []string{internal.URL + "/admin/crl"}})
	var signed bytes.Buffer
	if _, err := signer.Sign(context.Background(), bytes.NewReader(e.letter), int64(len(e.letter)), &signed,
		&signer.Options{Signer: id.Key, Certificate: id.Cert, Chain: id.Chain, Level: signer.LevelB}); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do("POST", "/v1/augment?level=B-LT", "eoffice", signed.Bytes(), nil)
	if resp.StatusCode == 200 {
		t.Fatalf("augmented a document whose chain is not trusted")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests to the URLs an untrusted document names", n)
	}
	host := strings.TrimPrefix(internal.URL, "http://")
	for _, leak := range []string{host, "127.0.0.1", "/admin/", "secret internal"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("answer repeats %q: %s", leak, body)
		}
	}
	// The service's own signatures still augment.
	resp, body = e.do("POST", "/v1/sign?profile=sekda&level=B-B", "eoffice", e.letter, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("sign: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.do("POST", "/v1/augment?level=B-LT", "eoffice", body, nil); resp.StatusCode != 200 {
		t.Fatalf("augment a trusted signature: %d %s", resp.StatusCode, body)
	}
	e.tempEmpty()
}
