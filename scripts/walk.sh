#!/bin/sh
# walk.sh: the files and packages of Segel that one visible B-LTA
# signature through POST /v1/sign runs code in (scripts/walk: the
# coverage blocks whose count grew during that one request, after a
# first request warmed the server), leaving out the test PKI, TSA and
# OCSP responder (testpki, which stand for services outside
# Segel). Usage: scripts/walk.sh [-v]   (-v lists the files)
# WALK_DOOR=register measures the register's in-process gateway instead
# (register.ServiceGateway, the same signature without HTTP);
# WALK_DOOR=verify the walk of one POST /v1/verify of that letter.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/before" "$tmp/after" "$tmp/meta"
go build -tags walk -cover -covermode=atomic -coverpkg=./... -o "$tmp/walk" ./scripts/walk
GOCOVERDIR="$tmp/meta" WALK_DIR="$tmp" WALK_DOOR="${WALK_DOOR:-http}" "$tmp/walk" >/dev/null
for d in before after; do
	cp "$tmp"/meta/covmeta.* "$tmp/$d/"
	go tool covdata textfmt -i="$tmp/$d" -o "$tmp/$d.txt"
done
# profile lines: FILE:START,END STATEMENTS COUNT
awk 'FNR == 1 { next } NR == FNR { n[$1] += $3; next } $3 > n[$1] { split($1, a, ":"); print a[1] }' \
	"$tmp/before.txt" "$tmp/after.txt" | sort -u | grep -v -e '/testpki/' -e '/scripts/' >"$tmp/files" || true
files=$(wc -l <"$tmp/files")
pkgs=$(sed 's|/[^/]*$||' "$tmp/files" | sort -u | wc -l)
echo "files: $files  packages: $pkgs"
if [ "${1:-}" = -v ]; then
	sed 's|^github.com/segel-id/segel/||' "$tmp/files"
fi
