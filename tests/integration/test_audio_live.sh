#!/bin/bash
# test_audio_live.sh: the PortAudio backend against a real (private, headless)
# PulseAudio server: speech fed into the pipe source must arrive through
# audio_io_read_frame with its energy and timing, a tone queued with
# audio_io_play (at 22.05 kHz, so playback resampling runs) must reach the
# null sink's monitor, and the echo reference must carry it.
set -u
: "${WZ_SOURCE_DIR:?}" "${WZ_BUILD_DIR:?}"
source "$WZ_SOURCE_DIR/tests/pulse_env.sh"
T="$WZ_BUILD_DIR/tests/tools"
SPEECH=/usr/share/pocketsphinx/test/data/goforward.raw
[ -r "$SPEECH" ] || pulse_skip "$SPEECH missing (pocketsphinx-testdata)"
pulse_env_start
# Under ASan: ALSA's dlopen'ed pulse plugin leaks ~12 KB that LeakSanitizer
# can only attribute to "<unknown module>" once PortAudio has unloaded it, so
# no suppression can name it. Leak checking of our own code is covered by the
# unit tests; here only memory errors are checked.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
W="$PULSE_DIR/work"
mkdir -p "$W"
fail=0
check() { # check NAME VALUE MIN MAX
    if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
        echo "ok   $1 = $2 (expected $3..$4)"
    else
        echo "FAIL $1 = $2 (expected $3..$4)"
        fail=1
    fi
}
get() { grep "^$1=" "$2" | head -n1 | cut -d= -f2 | cut -d. -f1; }

# 1. The device table lists the pulse-backed default device.
"$T/wz_audio_probe" list > "$W/list.txt"
cat "$W/list.txt"
grep -q "default in" "$W/list.txt" || { echo "FAIL: no default input device listed"; fail=1; }

# 2. Reference measurements of the speech itself.
sox -q -t raw -r 16000 -e signed-integer -b 16 -c 1 "$SPEECH" "$W/speech.wav"
"$T/wz_audio_probe" analyze "$W/speech.wav" > "$W/src.txt"

# 3. Live run: 1 s silence, the speech (2.8 s), 3 s silence into the mic;
#    capture 5 s; at 0.5 s queue a 1 s 1 kHz tone generated at 22050 Hz.
#    The feed starts once the probe is capturing, so the capture timeline
#    starts with the feed.
pulse_spk_record_start "$W/played.raw"
WZ_PROBE_READY_FILE="$W/ready" "$T/wz_audio_probe" live 5000 "$W/cap.wav" 500 1000 1000 22050 \
    > "$W/live.txt" 2> "$W/live.err" &
probe=$!
pulse_wait_for_file "$W/ready" 10 || { echo "FAIL: the probe never started capturing"; cat "$W/live.err"; exit 1; }
pulse_mic_feed "$W/speech.wav" 1000 3000
if ! wait $probe; then
    echo "FAIL: wz_audio_probe live failed:"; cat "$W/live.err"; exit 1
fi
sleep 0.3
pulse_spk_record_stop
pulse_mic_wait
cat "$W/live.txt"
sox -q -t raw -r 16000 -e signed-integer -b 16 -c 1 "$W/played.raw" "$W/played.wav"
"$T/wz_audio_probe" analyze "$W/played.wav" > "$W/spk.txt"

src_e=$(get energy "$W/src.txt"); src_a=$(get active_ms "$W/src.txt")
check frames "$(get frames "$W/live.txt")" 250 250
check timeouts "$(get timeouts "$W/live.txt")" 0 0
check overruns "$(get overruns "$W/live.txt")" 0 0
# Capture is the fed speech: same energy (the path is bit-exact at 16 kHz,
# allow 10% for a frame lost at start-up) and the same active duration.
check capture_energy "$(get energy "$W/live.txt")" $((src_e * 90 / 100)) $((src_e * 105 / 100))
check capture_active_ms "$(get active_ms "$W/live.txt")" $((src_a - 100)) $((src_a + 100))
# Speech starts after the 1 s lead-in (the capture stalls until the feeder
# writes, so its timeline starts with the feed; allow 100 ms of slack).
src_first=$(get first_active_ms "$W/src.txt")
check capture_onset_ms "$(get first_active_ms "$W/live.txt")" $((src_first + 900)) $((src_first + 1100))
# The tone reached the loudspeaker: ~1 s of 1 kHz at the queued level.
check speaker_active_ms "$(get active_ms "$W/spk.txt")" 900 1100
check speaker_freq_hz "$(get freq_hz "$W/spk.txt")" 950 1050
check speaker_peak "$(get peak "$W/spk.txt")" 11000 12500
# The echo reference carried the same tone. Alignment: in most runs it
# starts 0-20 ms after the frame in which it was queued, but in about 1 run
# of 6 the output path stalls once and it starts 1.4-1.9 s late; its waveform
# is also sometimes chopped (zero-crossing rate 890-998 instead of 1000). Both
# are reported, and only arrival within the capture is asserted; see
# docs/audio.md "Known problems".
check ref_active_ms "$(get ref_active_ms "$W/live.txt")" 900 1100
check ref_onset_ms "$(get ref_first_active_ms "$W/live.txt")" 500 3000
echo "info ref_lag_ms = $(( $(get ref_first_active_ms "$W/live.txt") - 500 )), ref_freq_hz = $(get ref_freq_hz "$W/live.txt") (ideal 0 and 1000)"

# 4. A device that does not exist: exit 2 and a message naming the way out.
if WZ_AUDIO_DEVICE=no-such-device "$T/wz_audio_probe" live 100 "$W/x.wav" > /dev/null 2> "$W/nodev.err"; then
    echo "FAIL: a missing device was accepted"; fail=1
else
    rc=$?
    check nodev_exit "$rc" 2 2
    grep -q -- "--input" "$W/nodev.err" && grep -q "make demo" "$W/nodev.err" ||
        { echo "FAIL: message lacks --input / make demo:"; cat "$W/nodev.err"; fail=1; }
fi
exit $fail
