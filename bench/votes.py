"""The issue's name for the vote storm benchmark: see bench/vote_storm.py.

python bench/votes.py --members 2000 --json
"""

from __future__ import annotations

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).with_name("vote_storm.py")), run_name="__main__")
