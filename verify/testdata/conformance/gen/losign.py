#!/usr/bin/python3
"""Sign PDFs with LibreOffice through UNO (used by gen/main.go).

usage: losign.py SRC DST.pdf NSSDIR SUBJECT-SUBSTRING TMPDIR

SRC is a document to export (.fodt) or a PDF to sign as it is. The
certificate comes from the NSS database that MOZILLA_CERTIFICATE_FOLDER
names: the JSON options of --convert-to cannot carry an XCertificate.

An export is first tried with writer_pdf_Export's SignPDF and
SignCertificate; on Debian bookworm's LibreOffice 7.4.7 that fails ("Error
Area:Io Class:Write Code:16"), so the PDF is exported unsigned and signed
with DocumentDigitalSignatures.signDocumentWithCertificate, the code behind
Draw's File > Digital Signatures on a PDF (an incremental update with an
ETSI.CAdES.detached signature).
"""
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def pv(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def sign_pdf(smgr, ctx, cert, url):
    """Sign the PDF at url in place, as Draw's Digital Signatures does."""
    sfa = smgr.createInstanceWithContext("com.sun.star.ucb.SimpleFileAccess", ctx)
    stream = sfa.openFileReadWrite(url)
    dds = smgr.createInstanceWithArgumentsAndContext(
        "com.sun.star.security.DocumentDigitalSignatures", ("1.2", True), ctx)
    ok = dds.signDocumentWithCertificate(cert, None, stream)
    stream.getOutputStream().closeOutput()
    if not ok:
        sys.exit("signDocumentWithCertificate refused")


def main():
    src, dst, nss, subject, tmp = sys.argv[1:6]
    os.environ["MOZILLA_CERTIFICATE_FOLDER"] = "sql:" + nss
    pipe = "segel-losign-%d" % os.getpid()
    proc = subprocess.Popen([
        "soffice", "--headless", "--norestore", "--invisible",
        "-env:UserInstallation=file://%s/lo-uno" % tmp,
        "--accept=pipe,name=%s;urp;" % pipe,
    ], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(60):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(1)
        if ctx is None:
            sys.exit("soffice did not answer")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = None
        if not src.endswith(".pdf"):
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (pv("Hidden", True),))
        sei = smgr.createInstanceWithContext("com.sun.star.xml.crypto.SEInitializer", ctx)
        env = sei.createSecurityContext("").getSecurityEnvironment()
        certs = [c for c in env.getPersonalCertificates() if subject in c.SubjectName]
        if not certs:
            sys.exit("no personal certificate with %r in %s" % (subject, [c.SubjectName for c in env.getPersonalCertificates()]))
        url = uno.systemPathToFileUrl(os.path.abspath(dst))
        if doc is None:
            with open(src, "rb") as f, open(dst, "wb") as g:
                g.write(f.read())
            sign_pdf(smgr, ctx, certs[0], url)
        else:
            try:
                fd = uno.Any("[]com.sun.star.beans.PropertyValue", (
                    pv("SignPDF", True),
                    pv("SignCertificate", certs[0]),
                    pv("SignPassword", ""),
                    pv("SignatureReason", "Paraf TEST"),
                    pv("SignatureLocation", "Serang"),
                ))
                uno.invoke(doc, "storeToURL", (url, (pv("FilterName", "writer_pdf_Export"), pv("FilterData", fd))))
            except Exception as e:
                print("signed export failed: %s; signing the exported PDF instead" % e, file=sys.stderr)
                doc.storeToURL(url, (pv("FilterName", "writer_pdf_Export"),))
                sign_pdf(smgr, ctx, certs[0], url)
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
