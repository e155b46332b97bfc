#!/usr/bin/python3
"""Sign LibreOffice's own PDF export through UNO (used by gen/main.go).

usage: losign.py SRC.fodt DST.pdf NSSDIR SUBJECT-SUBSTRING TMPDIR

The writer_pdf_Export filter signs when FilterData has SignPDF and
SignCertificate, an XCertificate: the JSON options of --convert-to cannot
carry one, so this script starts soffice, takes the certificate from the
NSS database that MOZILLA_CERTIFICATE_FOLDER names, and exports.

Status: on Debian bookworm's LibreOffice 7.4.7 the certificate is found but
storeToURL fails with "Error Area:Io Class:Write Code:16": the signed
export is not made, so gen runs this only with -losign.
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
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(src)), "_blank", 0, (pv("Hidden", True),))
        sei = smgr.createInstanceWithContext("com.sun.star.xml.crypto.SEInitializer", ctx)
        env = sei.createSecurityContext("").getSecurityEnvironment()
        certs = [c for c in env.getPersonalCertificates() if subject in c.SubjectName]
        if not certs:
            sys.exit("no personal certificate with %r in %s" % (subject, [c.SubjectName for c in env.getPersonalCertificates()]))
        fd = uno.Any("[]com.sun.star.beans.PropertyValue", (
            pv("SignPDF", True),
            pv("SignCertificate", certs[0]),
            pv("SignPassword", ""),
            pv("SignatureReason", "Paraf TEST"),
            pv("SignatureLocation", "Serang"),
        ))
        uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(os.path.abspath(dst)),
                                       (pv("FilterName", "writer_pdf_Export"), pv("FilterData", fd))))
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
