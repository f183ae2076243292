#!/bin/bash
# Install Fenix with its test requirements into .venv and run every tier:
# style (flake8 + hacking, bashate on the devstack plug-in), unit,
# functional (real RabbitMQ, MariaDB, PostgreSQL on 127.0.0.1) and end
# to end (real processes against a real Keystone/Nova installed by
# tools/mini-openstack). Extra arguments go to pytest, e.g.
# tools/run-tests.sh tests/unit -k workflow
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/pip install -q -U pip setuptools wheel 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pip install -q -e . -r test-requirements.txt -r doc/requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
# The name "fenix" on the package index is an unrelated library.
if .venv/bin/pip show -q fenix >/dev/null 2>&1; then
    echo "the unrelated PyPI package 'fenix' is installed in .venv" >&2
    exit 1
fi
echo "== flake8"
.venv/bin/flake8 fenix tests tools
echo "== bashate"
.venv/bin/bashate -e 'E*' devstack/plugin.sh devstack/lib/fenix devstack/settings
echo "== pytest"
if [ $# -eq 0 ]; then
    set -- tests/unit tests/functional tests/e2e
fi
exec .venv/bin/pytest -ra -p no:cacheprovider "$@"
