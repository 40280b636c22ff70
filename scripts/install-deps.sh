#!/usr/bin/env bash
# install-deps.sh: install every Debian 12 package Wyzer needs to build, run and test.
#
# Idempotent and non-interactive: packages already installed are skipped, and
# apt-get runs only when something is missing. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config clang llvm libclang-rt-14-dev git
  # audio I/O, echo cancellation, resampling
  portaudio19-dev libasound2-plugins libspeexdsp-dev
  # WebRTC VAD, loaded at run time by bench/bench_vad.c for comparison only
  libwebrtc-audio-processing1
  # wake word, speech-to-text and its models and real test recordings
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us pocketsphinx-testdata
  # text-to-speech (library and CLI) and a second synthesiser for test clips
  flite1-dev flite espeak-ng
  # HTTP, JSON, INI
  libcurl4-openssl-dev libjansson-dev libinih-dev
  # desktop tools: PulseAudio volume, MPRIS over D-Bus
  libpulse-dev libsystemd-dev dbus
  # the test audio server and audio tooling
  pulseaudio pulseaudio-utils alsa-utils sox
  # a real MPRIS player for the media tool tests
  mpv mpv-mpris
  # test stand-in servers, plots, process inspection
  python3 gnuplot-nox procps psmisc
  # eval/train_wake.py: trains the wake word's stage-3 network (make train-wake)
  python3-numpy
  # open and web_search hand URLs, files and folders to the desktop's opener
  xdg-utils
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
