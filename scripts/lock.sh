#!/usr/bin/env bash
# Regenerate requirements.lock, the exact versions ./yiting installs on a fresh machine.
# The pins are the versions installed in .venv (the ones the test suite ran on),
# resolved by pip-tools over pyproject.toml's dependencies and the test extra:
#   scripts/lock.sh        (needs pip-tools: it is installed into a throw-away venv)
# A test (tests/deploy/test_lock.py) fails when pyproject.toml and the lock disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install -q pip-tools
.venv/bin/pip list --format=freeze --exclude-editable | grep -v "^yiting=" > "$tools/installed.txt"
"$tools/venv/bin/pip-compile" -q --extra test --strip-extras --no-emit-index-url \
  --no-emit-find-links --annotation-style=line --constraint "$tools/installed.txt" \
  --output-file requirements.lock pyproject.toml
# the constraint file is a temporary path: keep only the real reasons in the comments
sed -i -e "s|-c $tools/installed.txt, ||; s|  *# via -c $tools/installed.txt\$||" \
  -e "s|--constraint=$tools/installed.txt |--constraint=<.venv's versions> |" requirements.lock
