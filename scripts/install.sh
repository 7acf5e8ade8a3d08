#!/usr/bin/env bash
# Create .venv (if missing) and install core, webui and every plugin distribution in editable mode.
# Usage: scripts/install.sh [--test]   (--test adds test dependencies and the sample test plugin)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "ChargeHub needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" --upgrade pip setuptools wheel
targets=(-e ".[test]" -e webui)
[ "${1:-}" = "--test" ] || targets=(-e . -e webui)
for dist in plugins/*/*/; do
  [ -f "$dist/setup.cfg" ] && targets+=(-e "$dist")
done
if [ "${1:-}" = "--test" ]; then
  targets+=(-e tests/sample_plugin)
fi
"${PIP[@]}" "${targets[@]}"
# The admin's English catalog (the .mo is built here, not committed).
.venv/bin/pybabel compile --use-fuzzy -d webui/chargehub_webui/translations >/dev/null
echo "installed into .venv: core, webui$(for d in plugins/*/*/; do [ -f "$d/setup.cfg" ] && printf ', %s' "$(basename "$d")"; done)"
