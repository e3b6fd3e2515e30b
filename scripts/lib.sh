# Shared by scripts/demo and scripts/test: a pinned virtual environment and the
# ansible_collections/psremoting/pssession layout that ansible and ansible-test need.
# shellcheck shell=bash
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
# PSSESSION_BUILD_DIR: another place for the layout. The suite's tests of the README's demo and test-host
# commands use one of their own, so that their layout (rm -rf, then a copy) never pulls the files from under
# the tests of the other lane reading .build meanwhile (scripts/test runs two lanes at once).
BUILD="${PSSESSION_BUILD_DIR:-$ROOT/.build}"
COLLECTION="$BUILD/ansible_collections/psremoting/pssession"
export PYTHONDONTWRITEBYTECODE=1

log() { printf '==> %s\n' "$*" >&2; }

# A Python X.Y interpreter: pythonX.Y on PATH, else the newest pyenv install of X.Y
# (this machine image keeps 3.12 and 3.13 under pyenv for ansible-core 2.20 and 2.21).
find_python_version() {
    local want=$1 candidate prefix
    for candidate in "python$want" python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c "import sys; sys.exit('%d.%d' % sys.version_info[:2] != '$want')" 2>/dev/null; then
            command -v "$candidate"
            return
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for prefix in $(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}\\.[0-9]+$" | sort -t. -k3 -n -r); do
            candidate="$(pyenv prefix "$prefix")/bin/python"
            [ -x "$candidate" ] && { echo "$candidate"; return; }
        done
    fi
    return 1
}

find_python() {
    if [ -n "${PYTHON:-}" ] && "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        echo "$PYTHON"
        return
    fi
    find_python_version 3.11 || {
        echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
        exit 1
    }
}

# A virtual environment of its own under .venvs/NAME, for a tool or another ansible-core
# release under test: ensure_extra_venv NAME PYTHON REQUIREMENTS_FILE... (each file holds
# exact pins). Recreated when the files change; prints the venv's directory.
ensure_extra_venv() {
    local name=$1 python=$2
    shift 2
    local dir="$ROOT/.venvs/$name" want args=() file
    want=$( (cat "$@"; "$python" -V) | sha256sum | cut -d' ' -f1)
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
        echo "$dir"
        return
    fi
    log "creating $dir"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    for file in "$@"; do args+=(-r "$file"); done
    if ! "$dir/bin/python" -m pip install "${args[@]}" >"$dir/pip-install.log" 2>&1; then
        tail -n 40 "$dir/pip-install.log" >&2
        echo "installing $* into $dir failed (full log: $dir/pip-install.log)" >&2
        exit 1
    fi
    echo "$want" >"$dir/.requirements.sha256"
    echo "$dir"
}

# (Re)create .venv when the pinned requirements change; otherwise reuse it.
ensure_venv() {
    local stamp="$VENV/.requirements.sha256"
    local want
    want=$(cat "$ROOT/tests/requirements.txt" "$ROOT/tests/constraints.txt" | sha256sum | cut -d' ' -f1)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    log "creating $VENV"
    rm -rf "$VENV"
    "$(find_python)" -m venv "$VENV"
    # pip's output goes to a log, shown only when it fails (this machine's pip
    # configuration makes it chatty).
    local pip_log="$VENV/pip-install.log"
    if ! "$VENV/bin/python" -m pip install -r "$ROOT/tests/requirements.txt" -c "$ROOT/tests/constraints.txt" >"$pip_log" 2>&1; then
        tail -n 40 "$pip_log" >&2
        echo "installing the pinned requirements failed (full log: $pip_log)" >&2
        exit 1
    fi
    echo "$want" >"$stamp"
}

# Copy the collection's files (tracked, or new and not ignored) to where ansible-test
# wants them: its working directory must be inside ansible_collections/NS/NAME, and a
# symlink does not do (it resolves the real path).
layout_collection() {
    rm -rf "$COLLECTION"
    mkdir -p "$COLLECTION"
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
            tar --null -T - -cf -) | tar -xf - -C "$COLLECTION"
    else
        (cd "$ROOT" && tar --exclude=./.venv --exclude=./.build --exclude=./.git \
            --exclude=./tests/output --exclude='__pycache__' -cf - .) | tar -xf - -C "$COLLECTION"
    fi
    # ansible-test lists files through the nearest git repository, which would be ours,
    # where .build is ignored: give the copy a repository of its own.
    git -C "$COLLECTION" init --quiet
    git -C "$COLLECTION" add --all
    export ANSIBLE_COLLECTIONS_PATH="$BUILD"
}

# ansible.windows next to the collection in .build (the end-to-end tests run its modules): extracted
# from the ansible package's wheel on PyPI, cached under .venvs/downloads, never committed. The one
# place that knows where it comes from is tests/e2e/e2e_support.py (install_ansible_windows).
install_ansible_windows() {
    "$VENV/bin/python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import e2e_support; e2e_support.install_ansible_windows(sys.argv[2])' \
        "$ROOT/tests/e2e" "$BUILD" || {
        echo "installing ansible.windows into $BUILD failed (it comes from the ansible package on PyPI)" >&2
        exit 1
    }
}

# ansible-test downloads get-pip.py for each sanity venv; CI has only the package index.
# ensure_get_pip [VENV_DIR PYTHON_VERSION]: the stand-in, at the cache path of the pip version
# that VENV_DIR's ansible-test wants on PYTHON_VERSION (each release pins its own pip).
ensure_get_pip() {
    local venv=${1:-$VENV} python_version=${2:-3.11} version
    version=$("$venv/bin/python" -c 'import sys; from types import SimpleNamespace as N; from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(N(version=sys.argv[1]))["pip"])' "$python_version")
    local cache="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
    if [ ! -s "$cache" ]; then
        mkdir -p "$(dirname "$cache")"
        cp "$ROOT/tests/ci/get_pip_standin.py" "$cache"
        log "installed offline get-pip stand-in at $cache"
    fi
}

# ansible-lint in a venv of its own (it pulls in many packages), pinned in
# tests/lint-requirements.txt; tests/lint/test_ansible_lint.py calls this. Prints the venv's directory.
ensure_lint_venv() {
    ensure_extra_venv ansible-lint "$(find_python)" "$ROOT/tests/lint-requirements.txt"
}

# The ansible-core releases tested besides .venv's 2.19: the oldest and the newest this
# collection supports (meta/runtime.yml), each as RELEASE:PYTHON_VERSIONS (the first of
# those Python versions found is used; 2.20 and later need Python 3.12 or newer).
# Their exact pins are in tests/ansible-core-RELEASE.txt.
# shellcheck disable=SC2034  # read by scripts/test, which sources this file
RELEASE_MATRIX=("2.16:3.11" "2.21:3.13,3.12")
# RELEASES="2.17:3.11 2.18:3.11" replaces that matrix for one run (each needs its tests/ansible-core-RELEASE.txt):
# the releases between are supported too, but testing them all on every run would take the suite past 20 minutes.
if [ -n "${RELEASES:-}" ]; then
    # shellcheck disable=SC2034  # read by scripts/test, which sources this file
    read -r -a RELEASE_MATRIX <<<"$RELEASES"
fi

# release_python RELEASE PYTHON_VERSIONS: prints "X.Y PATH" of the first Python found, or fails
# naming what is missing.
release_python() {
    local release=$1 versions=$2 version python
    for version in ${versions//,/ }; do
        if python=$(find_python_version "$version"); then
            echo "$version $python"
            return
        fi
    done
    echo "ansible-core $release is tested on Python ${versions//,/ or }, and none was found (pythonX.Y on" \
        "PATH or a pyenv install): install one, or set SKIP_MATRIX=1 to test on .venv's release only" >&2
    return 1
}
