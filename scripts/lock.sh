#!/usr/bin/env bash
# Regenerate the lock files, the exact versions (and their hashes) Yiting installs:
#   requirements/production.lock   pyproject.toml's dependencies: ./yiting run and stack,
#                                  deploy/Dockerfile, the systemd units' venv
#   requirements/development.lock  the same pins plus the `dev` extra (pytest, playwright,
#                                  ruff, py-spy …): ./yiting test and CI
# Every pin carries --hash lines, so pip installs in hash-checking mode (--require-hashes
# is implied) and refuses a file that is not the one locked.
#
# Adding a package: name it in pyproject.toml (`dependencies`, or the `dev` extra for a
# tool only tests use), install it into .venv if you want that version, then
#   scripts/lock.sh
# Pins are the versions installed in .venv (the ones the test suite ran on) where .venv has
# the package, the newest release pyproject allows where it does not. pip-tools runs from a
# throw-away venv. tests/deploy/test_dependencies.py fails when pyproject and the locks
# disagree, or when the development lock differs from the production one in a shared pin.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install -q pip-tools
.venv/bin/pip list --format=freeze --exclude-editable | grep -v "^yiting=" > "$tools/installed.txt"
mkdir -p requirements

compile() {  # compile <output> <pip-compile options>...
  local out=$1
  shift
  # --allow-unsafe: pip or setuptools, should a dependency need one, is pinned with its
  # hash too (without it a hash-checked install would stop at the missing pin)
  "$tools/venv/bin/pip-compile" -q --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-find-links --annotation-style=line \
    --constraint "$tools/installed.txt" "$@" --output-file "$out" pyproject.toml
  # the constraint file is a temporary path: keep only the real reasons in the comments
  sed -i -e "s|-c $tools/installed.txt, ||; s|  *# via -c $tools/installed.txt\$||" \
    -e "s|--constraint=$tools/installed.txt |--constraint=<.venv's versions> |" "$out"
}

compile requirements/production.lock
# the production pins as constraints: development is production plus the dev tools
compile requirements/development.lock --extra dev --constraint requirements/production.lock
