# pulse_env.sh: a private, headless PulseAudio server for live audio tests.
# Source it from a test script (bash):
#
#   source "$WZ_SOURCE_DIR/tests/pulse_env.sh"
#   pulse_env_start                       # exits 77 (skip) if PulseAudio cannot start
#   pulse_mic_feed speech.wav 1000 3000   # the microphone: file + lead/tail silence, real time
#   pulse_spk_record_start played.raw     # the loudspeaker: s16le 16 kHz mono from spk.monitor
#   ... run wyzer or a probe through PortAudio ...
#   pulse_spk_record_stop
#   (cleanup runs on EXIT)
#
# The server has a null sink "spk" (16 kHz mono) and a pipe source "mic"
# (16 kHz mono s16le, fed through $PULSE_MIC_FIFO). It works as root with no
# sound card. PortAudio reaches it through ALSA's pulse plugin
# (libasound2-plugins): the harness points ALSA's default PCM at the pulse
# plugin with its own config file (ALSA_CONFIG_PATH), so it does not depend on
# /etc/alsa/conf.d/99-pulse.conf detecting the server.
#
# Gotchas handled here: module-pipe-source produces no samples while nothing
# writes the FIFO, so pulse_mic_feed pads with silence and paces in real time
# (tests/tools/wz_fifo_feed); the monitor only produces audio while
# something plays, so record lengths vary: measure content, not length.
# Audio written before any client records from "mic" is not dropped but
# delivered in a burst when one connects (measured: a 1 s lead-in arrived
# whole), which shifts the capture timeline against the wall clock. When
# timing matters, start the client first and wait until it is capturing
# (pulse_wait_for_file on a readiness file it writes) before pulse_mic_feed.

PULSE_TOOLS="${WZ_BUILD_DIR:-build}/tests/tools"
PULSE_FEED_PID=""
PULSE_REC_PID=""
PULSE_DAEMON_PID=""
PULSE_ANCHOR_PID=""

pulse_env_cleanup() {
    [ -n "$PULSE_FEED_PID" ] && kill "$PULSE_FEED_PID" 2>/dev/null
    [ -n "$PULSE_REC_PID" ] && kill "$PULSE_REC_PID" 2>/dev/null
    [ -n "$PULSE_ANCHOR_PID" ] && kill $PULSE_ANCHOR_PID 2>/dev/null
    if [ -n "$PULSE_DAEMON_PID" ]; then
        kill "$PULSE_DAEMON_PID" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$PULSE_DAEMON_PID" 2>/dev/null || break
            sleep 0.1
        done
    fi
    [ -n "${PULSE_DIR:-}" ] && rm -rf "$PULSE_DIR"
}

pulse_skip() {
    echo "SKIP: $*" >&2
    exit 77
}

pulse_env_start() {
    command -v pulseaudio >/dev/null || pulse_skip "PulseAudio cannot start: pulseaudio is not installed (scripts/install-deps.sh)"
    command -v pactl >/dev/null || pulse_skip "PulseAudio cannot start: pactl is not installed (pulseaudio-utils)"
    PULSE_DIR=$(mktemp -d /tmp/wz_pulse.XXXXXX)
    chmod 700 "$PULSE_DIR"
    trap pulse_env_cleanup EXIT
    export XDG_RUNTIME_DIR="$PULSE_DIR"
    export PULSE_SERVER="unix:$PULSE_DIR/pulse/native"
    PULSE_MIC_FIFO="$PULSE_DIR/mic.fifo"
    # No client autospawn, no user config: only this private server.
    export PULSE_CLIENTCONFIG="$PULSE_DIR/client.conf"
    echo "autospawn = no" > "$PULSE_CLIENTCONFIG"
    if ! pulseaudio -D --exit-idle-time=-1 -n --log-target=file:"$PULSE_DIR/pulse.log" \
        --load=module-native-protocol-unix \
        --load="module-null-sink sink_name=spk rate=16000 channels=1" \
        --load="module-pipe-source source_name=mic file=$PULSE_MIC_FIFO format=s16le rate=16000 channels=1"; then
        pulse_skip "PulseAudio cannot start: $(tail -n 3 "$PULSE_DIR/pulse.log" 2>/dev/null | tr '\n' ' ')"
    fi
    local i
    for i in $(seq 50); do
        pactl info >/dev/null 2>&1 && break
        sleep 0.2
    done
    pactl info >/dev/null 2>&1 || pulse_skip "PulseAudio started but does not answer within 10 s"
    PULSE_DAEMON_PID=$(cat "$PULSE_DIR/pulse/pid" 2>/dev/null)
    pulse_sink_anchor
    # ALSA: top-level config, then ours, making "default" the pulse plugin.
    cat > "$PULSE_DIR/asound.conf" <<'ALSA'
pcm.!default { type pulse hint.description "PulseAudio (Wyzer test server)" }
ctl.!default { type pulse }
ALSA
    export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$PULSE_DIR/asound.conf"
    echo "pulse_env: server $PULSE_SERVER (pid ${PULSE_DAEMON_PID:-?}), mic FIFO $PULSE_MIC_FIFO" >&2
}

# pulse_sink_anchor: keeps the null sink at low latency, as a sound card's
# sink behaves. module-null-sink renders ahead of real time by the latency
# its clients request, and by 2 s when none requests one (idle, or for the
# moment a client's stream is re-created). A stream that joins then can
# rewind only its own requested latency (10 ms for PortAudio's) and waits for
# the rest: measured with the output callbacks' time stamps, 0.5-1.8 s of no
# callbacks at start-up, depending on when it joined, and again after every
# output underrun, since ALSA's pulse plugin reports an underrun as an xrun
# and PortAudio's recovery re-creates the stream (docs/audio.md, Known
# problems). A sink on real hardware rewinds its whole buffer instead. So a
# client playing silence at 10 ms latency stays connected for the whole
# session, and the harness waits until the sink's lead has drained.
pulse_sink_anchor() { # [SINK [CHANNELS]]: default spk, 1
    local sink="${1:-spk}" ch="${2:-1}"
    # Not on the test's stdout/stderr: ctest waits for every holder of those.
    pacat -p -d "$sink" --latency-msec=10 --rate=16000 --channels="$ch" --format=s16le /dev/zero \
        < /dev/null > /dev/null 2>&1 &
    PULSE_ANCHOR_PID="${PULSE_ANCHOR_PID:+$PULSE_ANCHOR_PID }$!"
    local i lat
    for i in $(seq 40); do
        lat=$(pactl list sinks | awk -v s="$sink" '$1 == "Name:" {n = $2} n == s && $1 == "Latency:" {print $2; exit}')
        [ -n "$lat" ] && [ "$lat" -lt 50000 ] && return 0
        sleep 0.1
    done
    echo "pulse_env: the null sink $sink's lead did not drain (latency ${lat:-?} usec)" >&2
}

# pulse_echo_reply DIR: writes DIR/reply.wav, the reply the live echo
# measurements play (test_echo_live.sh, bench/echo_live_runs.sh): 6.8 s of
# Flite slt at -6 dBFS peak, 16 kHz mono. Needs flite and sox.
pulse_echo_reply() {
    flite -voice slt -t "It's eight eleven AM. The weather today is mostly sunny with a light breeze from the west, and temperatures will reach twenty two degrees." -o "$1/raw.wav" &&
        sox -q "$1/raw.wav" -r 16000 -c 1 -b 16 "$1/reply.wav" norm -6
}

# pulse_mic_feed FILE [LEAD_MS [TAIL_MS]]: feeds FILE (WAV, or .raw s16le
# 16 kHz mono) into the mic in the background; PULSE_FEED_PID is its pid.
pulse_mic_feed() {
    "$PULSE_TOOLS/wz_fifo_feed" "$PULSE_MIC_FIFO" "$1" "${2:-0}" "${3:-0}" &
    PULSE_FEED_PID=$!
}

# pulse_mic_wait_for_client [TIMEOUT_S]: waits until a client has a record
# stream on the mic source (returns 1 on timeout, default 10 s). Note that
# PortAudio opens the stream before it starts capturing; audio fed in between
# is lost, so a client that can should signal readiness itself (see
# pulse_wait_for_file and the probe's WZ_PROBE_READY_FILE).
pulse_mic_wait_for_client() {
    local mic_idx i
    mic_idx=$(pactl list short sources | awk '$2 == "mic" {print $1}')
    for i in $(seq $((${1:-10} * 20))); do
        pactl list short source-outputs | awk -v m="$mic_idx" '$2 == m {f=1} END {exit !f}' && return 0
        sleep 0.05
    done
    return 1
}

# pulse_wait_for_file FILE [TIMEOUT_S]: waits until FILE exists.
pulse_wait_for_file() {
    local i
    for i in $(seq $((${2:-10} * 20))); do
        [ -e "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# pulse_mic_wait [TIMEOUT_S]: waits until the feeder has written everything,
# at most TIMEOUT_S (default 60). Without a client recording, PulseAudio
# suspends the pipe source and stops reading the FIFO, so a feeder whose
# client died (a crash) would block for ever; it is stopped instead and the
# call returns 1.
pulse_mic_wait() {
    [ -n "$PULSE_FEED_PID" ] || return 0
    local i rc=0
    for i in $(seq $((${1:-60} * 10))); do
        kill -0 "$PULSE_FEED_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$PULSE_FEED_PID" 2>/dev/null; then
        echo "pulse_env: the microphone feed did not finish in ${1:-60} s (nobody recording?); stopped it" >&2
        kill "$PULSE_FEED_PID" 2>/dev/null
        rc=1
    fi
    wait "$PULSE_FEED_PID" 2>/dev/null
    PULSE_FEED_PID=""
    return $rc
}

# pulse_spk_record_start OUT.raw: records spk.monitor (s16le 16 kHz mono).
pulse_spk_record_start() {
    parec -d spk.monitor --format=s16le --rate=16000 --channels=1 --raw > "$1" &
    PULSE_REC_PID=$!
}

pulse_spk_record_stop() {
    if [ -n "$PULSE_REC_PID" ]; then
        kill "$PULSE_REC_PID" 2>/dev/null
        wait "$PULSE_REC_PID" 2>/dev/null
    fi
    PULSE_REC_PID=""
}
