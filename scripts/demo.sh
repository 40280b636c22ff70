#!/usr/bin/env bash
# demo.sh BUILD_DIR: the main job on bundled input, no microphone needed.
set -euo pipefail
build=${1:-build}
wyzer=$build/wyzer
echo "== Wyzer demo: a typed request through the three processes"
echo "you>   what time is it"
printf 'wyzer> '
"$wyzer" -q --text "what time is it"
