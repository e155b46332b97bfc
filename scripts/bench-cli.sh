#!/usr/bin/env bash
# bench-cli.sh: whole-process time and peak RSS of `segel sign` and
# `segel verify` on a generated 60 MB PDF (the figures the signing and
# verification issues name), beside poppler's pdfsig when installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
go build -o "$T/segel" ./cmd/segel
go run ./scripts/genbig -o "$T/big.pdf"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
	-days 2 -subj "/CN=Bench Signer/O=Segel/C=ID" \
	-addext "keyUsage=critical,digitalSignature,nonRepudiation" 2>/dev/null
cat "$T/key.pem" "$T/cert.pem" >"$T/signer.pem"
run() { # label, command...
	local label=$1
	shift
	for i in 1 2 3; do
		/usr/bin/time -f "$label: %e s, %M KiB peak RSS" "$@" >/dev/null 2>"$T/time" || true
		tail -1 "$T/time"
	done
}
ls -l "$T/big.pdf" | awk '{print "input:", $5, "bytes"}'
run "segel sign  " "$T/segel" sign --key "$T/signer.pem" "$T/big.pdf" "$T/signed.pdf"
run "segel verify" "$T/segel" verify --trust "$T/cert.pem" "$T/signed.pdf"
if command -v pdfsig >/dev/null; then
	run "pdfsig      " pdfsig "$T/signed.pdf"
fi
