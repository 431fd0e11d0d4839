"""Rebuild the Chinese (zh-hans) catalogue from the code and the translators' parts.

Each feature keeps its translations in ``locale/parts/<feature>.po`` (so engineers
working in parallel never edit one file). This script:

1. collects every translatable string of the project with ``makemessages``;
2. fills the catalogue from the parts (gettext's ``msgmerge --compendium``);
3. compiles ``django.mo`` and reports the strings still without a translation.

Run it after changing user-visible text: ``.venv/bin/python scripts/i18n.py``.
The compiled catalogue is committed, so a machine without gettext still shows Chinese.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale"
CATALOGUE = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv/*", "var/*", "test-artifacts/*", "tests/*", "bench/*", "*.egg-info/*"]


def sh(*args: str) -> str:
    return subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def untranslated() -> list[str]:
    """Strings without a translation, and fuzzy guesses (makemessages matches a new
    string to a near one; gettext never shows a fuzzy entry, so it is untranslated)."""
    found = []
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(CATALOGUE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found += [
            line[6:]
            for line in out.splitlines()
            if line.startswith("msgid ") and line != 'msgid ""'
        ]
    return found


PLURAL = "Plural-Forms: nplurals=1; plural=0;\\n"


def _plural_forms() -> None:
    """Chinese has one plural form; without the header gettext picks msgstr[1] for n ≠ 1,
    finds none and shows the English ("54 entries")."""
    text = CATALOGUE.read_text(encoding="utf-8")
    if "Plural-Forms:" in text:
        return
    head = '"Language: zh_Hans\\n"\n'
    CATALOGUE.write_text(text.replace(head, head + f'"{PLURAL}"\n', 1), encoding="utf-8")


def main() -> int:
    ignores = [f"--ignore={pattern}" for pattern in IGNORE]
    sh(sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", *ignores)
    parts = sorted((LOCALE / "parts").glob("*.po"))
    with tempfile.TemporaryDirectory() as tmp:
        compendium = Path(tmp) / "compendium.po"
        sh("msgcat", "--use-first", "-o", str(compendium), *map(str, parts))
        sh(
            "msgmerge",
            "--quiet",
            "--no-fuzzy-matching",
            "--no-location",
            f"--compendium={compendium}",
            "-o",
            str(CATALOGUE),
            "/dev/null",
            str(CATALOGUE),
        )
    sh("msgattrib", "--no-obsolete", "-o", str(CATALOGUE), str(CATALOGUE))
    _plural_forms()
    sh(sys.executable, "manage.py", "compilemessages", "-l", "zh_Hans")
    missing = untranslated()
    print(f"{CATALOGUE.relative_to(ROOT)}: {len(missing)} strings without a translation")
    for msgid in missing:
        print("  ", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
