#!/usr/bin/env bash
# soak.sh [BUILD]: soak and fault run of the live audio path (docs/eval.md).
# Starts a private headless PulseAudio (null sink + pipe source, the recipe
# in docs/eval.md), runs build/wyzer live against it for SOAK_SECONDS
# (default 600) while eval/soak.py feeds speech, kills/stalls the brain,
# and samples /proc.  Then runs corrupt WAVs through separate sessions.
# SOAK_NO_FAULTS=1: no kills or stalls (steady-state RSS of one brain).
# Exit status 0 only if every check passed.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SOAK_OUT:-$ROOT/$BUILD/eval/soak}
mkdir -p "$OUT"
export XDG_RUNTIME_DIR
XDG_RUNTIME_DIR=$(mktemp -d /tmp/wz-soak.XXXXXX)
chmod 700 "$XDG_RUNTIME_DIR"
# The server is ours alone: its socket lives in our private runtime dir.
export PULSE_SERVER="unix:$XDG_RUNTIME_DIR/pulse/native"
PA_PID=
cleanup() {
  [ -n "$PA_PID" ] && kill "$PA_PID" 2>/dev/null || true
  rm -rf "$XDG_RUNTIME_DIR"
}
trap cleanup EXIT
# module-pipe-source creates the FIFO itself.
pulseaudio --daemonize=no --exit-idle-time=-1 -n --use-pid-file=no \
  --load="module-native-protocol-unix socket=$XDG_RUNTIME_DIR/pulse/native" \
  --load="module-null-sink sink_name=spk rate=16000 channels=1" \
  --load="module-pipe-source source_name=mic file=$XDG_RUNTIME_DIR/mic.fifo format=s16le rate=16000 channels=1" \
  > "$OUT/pulseaudio.log" 2>&1 &
PA_PID=$!
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.2; done
pactl info >/dev/null
pactl set-default-source mic
pactl set-default-sink spk
python3 "$ROOT/eval/soak.py" --wyzer "$ROOT/$BUILD/wyzer" --out "$OUT" \
  --seconds "${SOAK_SECONDS:-600}" --fifo "$XDG_RUNTIME_DIR/mic.fifo" \
  --seed "${SOAK_SEED:-1}" ${SOAK_NO_FAULTS:+--no-faults}
