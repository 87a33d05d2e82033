"""Write ``data/encrypted.xls`` and ``data/encrypted.ods``: the filled template fixture saved by
LibreOffice with the password ``secret`` (run once; the outputs are committed).

Needs LibreOffice and its Python-UNO bridge, which the system Python has, not the venv:

    /usr/bin/python3 tests/hostile/make_encrypted.py

LibreOffice 7.4 cannot save a password-protected .xlsx (``storeToURL`` with a password or
``EncryptionData`` fails or writes it unencrypted), so ``make_corpus.py`` crafts that case: an OLE2
container with the ``EncryptionInfo`` and ``EncryptedPackage`` streams, which is how Excel stores an
encrypted .xlsx.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

sys.path.append("/usr/lib/libreoffice/program")

import uno
from com.sun.star.beans import PropertyValue

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "fixtures" / "template_filled.xlsx"
PIPE = "dxboard_hostile"
FILTERS = {"xls": "MS Excel 97", "ods": "calc8"}


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def main() -> None:
    office = subprocess.Popen(
        [
            "soffice",
            "-env:UserInstallation=file:///tmp/lo_profile_hostile",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={PIPE};urp;",
        ]
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        for _ in range(60):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={PIPE};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(str(SOURCE)), "_blank", 0, (_prop("Hidden", True),)
        )
        (HERE / "data").mkdir(exist_ok=True)
        for ext, name in FILTERS.items():
            out = HERE / "data" / f"encrypted.{ext}"
            doc.storeToURL(
                uno.systemPathToFileUrl(str(out)),
                (_prop("FilterName", name), _prop("Password", "secret")),
            )
            print("wrote", out)
        doc.close(True)
        with contextlib.suppress(Exception):
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
