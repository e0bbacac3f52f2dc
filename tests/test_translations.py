"""Every UI string has its Russian translation: the portal is Russian first."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_extracted_string_is_translated_to_russian(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}
    with (ROOT / "translations/ru/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy
    }
    assert len(wanted) > 50
    assert sorted(wanted - translated) == []
