#!/bin/sh
# Regenerates the anchor test inputs (Debian bookworm: ghostscript,
# poppler-utils, chromium). Outputs carry creation dates: rerun only when a
# file must change.
set -eu
cd "$(dirname "$0")"
# ghostscript pdfwrite: embedded CFF subsets (Type1C), custom encodings.
gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -dPDFSETTINGS=/prepress \
	-o anchor-gs.pdf anchor.ps
# cairo: the same page through another writer (Type1C with WinAnsi).
pdftocairo -pdf anchor-gs.pdf anchor-cairo.pdf
# Chromium (Skia): CIDFontType2, Identity-H, ToUnicode.
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
	--print-to-pdf=anchor-chromium.pdf anchor.html 2>/dev/null
# LibreOffice Writer (7.4): a surat dinas with ${nomor} and ${ttd}, simple
# TrueType fonts (WinAnsi) with ToUnicode, for signer.FillText.
soffice --headless -env:UserInstallation="file://$(mktemp -d)" \
	--convert-to pdf letter-libreoffice.fodt >/dev/null
