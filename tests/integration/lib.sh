# lib.sh: helpers for integration tests (sourced). Tests run build/wyzer as a
# user would, and inspect its JSON Lines events and /proc.
set -u
: "${WYZER:=${WZ_BUILD_DIR:-build}/wyzer}"
TMP=$(mktemp -d /tmp/wz-it.XXXXXX)
# Timers and facts of test runs stay in the test's folder.
export XDG_STATE_HOME=$TMP/state XDG_DATA_HOME=$TMP/data XDG_CONFIG_HOME=$TMP/config
PASSED=0
FAILED=0
CLEANUP_PIDS=()

cleanup() {
  for p in "${CLEANUP_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

ok()   { echo "ok   $1"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $1: $2"; FAILED=$((FAILED + 1)); }
summary() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }

# wait_for FILE PATTERN TIMEOUT_S: waits until a line of FILE matches the
# extended regex PATTERN; returns 1 on timeout.
wait_for() {
  local file=$1 pat=$2 t=${3:-10} end
  end=$(( $(date +%s%N) + t * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    grep -Eq "$pat" "$file" 2>/dev/null && return 0
    sleep 0.02
  done
  return 1
}

# first_ev FILE EVENT FIELD: FIELD of the first EVENT in the JSON Lines FILE
# (empty if there is none)
first_ev() {
  python3 -c 'import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("event") == sys.argv[2]:
        print(e.get(sys.argv[3], "")); break' "$1" "$2" "$3"
}

# count FILE PATTERN
count() { grep -Ec "$2" "$1" 2>/dev/null || true; }

# children_of PID: direct children pids
children_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '; }
# pid_of_comm PARENT COMM
pid_of_comm() { ps -o pid=,comm= --ppid "$1" 2>/dev/null | awk -v c="$2" '$2==c{print $1}'; }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# valid_jsonl FILE: every line is a JSON object with "event" and "t_ms"
valid_jsonl() {
  python3 - "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert isinstance(o, dict) and "event" in o and isinstance(o["t_ms"], int), line
    n += 1
assert n > 0, "no events"
PY
}

# Starts a session reading requests from a FIFO: sets SESSION_PID, writes
# events to $TMP/events.jsonl and logs to $TMP/stderr.log. Extra args pass on.
start_session() {
  mkfifo "$TMP/in"
  "$WYZER" --events --text - "$@" < "$TMP/in" > "$TMP/events.jsonl" 2> "$TMP/stderr.log" &
  SESSION_PID=$!
  CLEANUP_PIDS+=("$SESSION_PID")
  exec 3> "$TMP/in"
}
say() { echo "$1" >&3; }

# ask TEXT [TIMEOUT_S]: sends a request to the session and waits for the
# next `response` event; succeeds if it is ok. Sets ASK_MS to the wait, and on
# failure ASK_WHY to what happened instead (for the FAIL line).
ask() {
  local before t0
  before=$(count "$TMP/events.jsonl" '"event":"response"')
  t0=$(date +%s%N)
  ASK_WHY=""
  say "$1"
  local end=$(( t0 + ${2:-20} * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    if [ "$(count "$TMP/events.jsonl" '"event":"response"')" -gt "$before" ]; then
      ASK_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
      grep '"event":"response"' "$TMP/events.jsonl" | tail -1 | grep -q '"ok":true' && return 0
      ASK_WHY="failed response after ${ASK_MS} ms: $(ask_context)"
      return 1
    fi
    sleep 0.02
  done
  ASK_WHY="no response in ${2:-20} s: $(ask_context)"
  return 1
}

# The last error events and log lines, for a failed ask.
ask_context() {
  echo "events: $(grep -E '"event":"(error|worker_[a-z]+|ready|request)"' "$TMP/events.jsonl" | tail -4 | tr '\n' ' ')"
  echo "log: $(tail -6 "$TMP/stderr.log" | tr '\n' '|')"
}
