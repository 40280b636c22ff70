#!/bin/bash
# barge_live.sh: live barge-in latency through a real (private, headless)
# PulseAudio server and PortAudio, the way a user meets it: the microphone
# hears the loudspeaker.
#
#   bash eval/barge_live.sh [BUILD_DIR] [-- barge_live.py options]   (= make eval-barge-live)
#
# One stereo null sink "room" is the room: Wyzer plays its reply into it
# (both channels) and the user's voice is played into its left channel only
# (pacat --channel-map=front-left). Wyzer's microphone is the room's monitor,
# downmixed to mono, so it hears its own reply 6 dB louder than the user, with
# no delay. A recording of the monitor holds both on one sample-exact
# timeline: the right channel is the reply alone, left minus right the user
# alone. eval/barge_live.py does the sessions and the measuring.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-build}" && pwd)
shift || true
[ "${1:-}" = "--" ] && shift
export WZ_BUILD_DIR="$BUILD" WZ_SOURCE_DIR="$HERE/.."
source "$HERE/../tests/pulse_env.sh"
pulse_env_start
pactl load-module module-null-sink sink_name=room rate=16000 channels=2 > /dev/null ||
    { echo "barge_live: cannot create the room sink" >&2; exit 1; }
pulse_sink_anchor room 2
pactl set-default-sink room
pactl set-default-source room.monitor
python3 "$HERE/barge_live.py" --wyzer "$BUILD/wyzer" "$@"
