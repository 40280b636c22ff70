#!/bin/bash
# test_echo_live.sh: the live echo reference against a real (private,
# headless) PulseAudio server. The microphone is the loudspeaker's monitor
# (PULSE_SOURCE=spk.monitor), so what the capture hears is exactly what
# played, at the time it played: a spoken reply (Flite) is queued through
# audio_io_play, and the reference the echo canceller gets with each frame
# must line up with the echo in the capture, and the canceller must remove
# it. Checks (tests/tools/wz_audio_probe echo):
#   - the 500 ms windows with reply audio: at least 3 in 4 correlate >= 0.9
#     with their reference (a window that straddles an output underrun's gap
#     may not; the machine these run on has them under load), and in those
#     the echo lags its reference by 0..25 ms. The reference is taken 10 ms
#     early on purpose (refalign lead_ms) and the monitor adds no delay of
#     its own, so 10 ms is ideal; negative would mean the echo comes before
#     its reference, which no canceller can model.
#   - ERLE of the default canceller (core/aec.h) on the live pair >= 12 dB,
#     and at least 8 dB more than with the reference moved 300 ms late (the
#     negative control: what a misaligned reference gives, about 6 dB).
# Before time-stamp alignment the same probe measured window lags of
# 1.7-39.8 ms and ERLE 6.6-11.0 dB (control 4.6-5.7 dB): these checks fail.
# Measured figures and the command: docs/benchmarks.md, "Live echo
# reference". Skips (77) only if PulseAudio cannot start.
set -u
: "${WZ_SOURCE_DIR:?}" "${WZ_BUILD_DIR:?}"
# Opt-in (WZ_LIVE_ECHO=1) until it is reliable: in the last 10 runs on the
# loaded 2-core test machine 4 passed, 5 had an output underrun (skipped)
# and 1 failed without one (ERLE 7 dB); see docs/audio.md, Known problems.
if [ "${WZ_LIVE_ECHO:-0}" != 1 ]; then
    echo "SKIP: opt-in (WZ_LIVE_ECHO=1): not yet reliable on a loaded machine, see docs/audio.md" >&2
    exit 77
fi
source "$WZ_SOURCE_DIR/tests/pulse_env.sh"
T="$WZ_BUILD_DIR/tests/tools"
command -v flite >/dev/null || pulse_skip "flite is not installed"
command -v bc >/dev/null || pulse_skip "bc is not installed"
pulse_env_start
# ALSA's pulse plugin leaks a little on unload (see test_audio_live.sh).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
W="$PULSE_DIR/work"
mkdir -p "$W"
fail=0
check() { # check NAME VALUE MIN MAX (integers)
    if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
        echo "ok   $1 = $2 (expected $3..$4)"
    else
        echo "FAIL $1 = $2 (expected $3..$4)"
        fail=1
    fi
}
get() { grep "^$1=" "$2" | head -n1 | cut -d= -f2; }
int() { printf '%.0f' "$1"; }

# The reply: 6.8 s of Flite speech at -6 dBFS peak.
pulse_echo_reply "$W"

# The microphone is the loudspeaker's monitor. Capture 10 s, queue the reply
# at 0.5 s: even an output stall of 2 s (see docs/audio.md) leaves it inside.
export PULSE_SOURCE=spk.monitor
"$T/wz_audio_probe" echo "$W/reply.wav" 10000 500 "$W" > "$W/echo.txt" 2> "$W/echo.err"
rc=$?
cat "$W/echo.txt"
[ $rc -eq 0 ] || { echo "FAIL: wz_audio_probe echo exited $rc:"; tail -5 "$W/echo.err"; exit 1; }

# Known problem (docs/audio.md): after an output underrun the reference can
# stay 20-30 ms late (measured in 2 of 20 runs on the loaded test machine;
# in the other underrun runs it was aligned). Such a run does not measure
# what this test is for, so it is reported as skipped, not passed.
ur=$(get underruns "$W/echo.txt")
if [ "${ur:-0}" -gt 0 ]; then
    echo "SKIP: $ur output underrun(s) during the measurement (machine load $(cut -d' ' -f1 /proc/loadavg)); see docs/audio.md, Known problems" >&2
    exit 77
fi
check frames "$(get frames "$W/echo.txt")" 500 500
check timeouts "$(get timeouts "$W/echo.txt")" 0 0
nwin=$(get windows "$W/echo.txt")
check windows "$nwin" 8 20
check windows_corr90 "$(get windows_corr90 "$W/echo.txt")" $(( (nwin * 3 + 3) / 4 )) "$nwin"
check win_lag_min_ms "$(int "$(get win_lag_min_ms "$W/echo.txt")")" 0 25
check win_lag_max_ms "$(int "$(get win_lag_max_ms "$W/echo.txt")")" 0 25
erle=$(get erle_db "$W/echo.txt"); ctrl=$(get erle_control_db "$W/echo.txt")
check erle_db "$(int "$erle")" 12 100
check erle_over_control_db "$(int "$(echo "$erle - $ctrl" | bc -l)")" 8 100
echo "info underruns=$(get underruns "$W/echo.txt") ref_resyncs=$(get ref_resyncs "$W/echo.txt") ref_late_ms=$(get ref_late_ms "$W/echo.txt")"
exit $fail
