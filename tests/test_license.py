"""The LICENSE file is the licence pyproject.toml declares, whole."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# SPDX identifier (without "-only"/"-or-later") → the title and version its text opens with
TITLES = {"AGPL-3.0": ("GNU AFFERO GENERAL PUBLIC LICENSE", "Version 3, 19 November 2007")}


def test_license_file_matches_the_declared_licence():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    spdx = re.sub(r"-(only|or-later)$", "", declared)
    assert spdx in TITLES, f"no known text for {declared}"
    title, version = TITLES[spdx]
    lines = [line.strip() for line in (ROOT / "LICENSE").read_text().splitlines() if line.strip()]
    assert lines[:2] == [title, version]
    text = " ".join(lines)
    # whole, not a summary: the network clause that makes it the Affero licence, and the end
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text and len(lines) > 500
