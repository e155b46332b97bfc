#!/bin/sh
# Regenerates the committed PDFs of testdata/pdf from src/ (see README.md).
# Needs ghostscript, poppler-utils (pdftocairo), qpdf and Go. The outputs
# carry creation dates and IDs, so a rerun changes bytes: commit a rerun only
# when a file has to change.
set -eu
cd "$(dirname "$0")"

gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite \
	-o gs-letter.pdf src/letter.ps
gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -dCompatibilityLevel=1.3 \
	-o gs-pdf13.pdf src/notadinas.ps
pdftocairo -pdf gs-letter.pdf cairo-letter.pdf

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run src/gen.go "$tmp"
qpdf --object-streams=disable --compress-streams=y --deterministic-id \
	"$tmp/form-raw.pdf" form-2page.pdf
cp "$tmp/hybrid-xref.pdf" hybrid-xref.pdf

qpdf --empty --pages gs-pdf13.pdf cairo-letter.pdf -- --rotate=+90:2 \
	qpdf-merged.pdf

for f in *.pdf; do
	qpdf --check "$f" >/dev/null
done
ls -l ./*.pdf
