#!/usr/bin/env bash
# test_timer_persist.sh: a running timer survives a SIGKILL of the brain
# (state written atomically under $XDG_STATE_HOME/wyzer) and is announced at
# the right time by the restarted brain.
. "$(dirname "$0")/lib.sh"

start_session
wait_for "$TMP/events.jsonl" '"event":"ready"' 30 || { fail "ready" "$(tail -3 "$TMP/stderr.log")"; summary; exit 1; }
set_at=$(date +%s%N)
ask "set a timer for six seconds" && ok "timer set" || fail "timer" "$(grep -E 'tool_result|response' "$TMP/events.jsonl")"
grep -q '"name":"timer_start","args":{"seconds":6}' "$TMP/events.jsonl" && ok "timer_start {\"seconds\":6}" || fail "args" "$(grep tool_call "$TMP/events.jsonl")"
[ -s "$XDG_STATE_HOME/wyzer/timers.json" ] && ok "timers.json written" || fail "state file" "missing"

brain=$(pid_of_comm "$SESSION_PID" wyzer-brain)
kill -9 "$brain"
wait_for "$TMP/events.jsonl" '"event":"worker_restart".*"role":"brain"' 10 && ok "brain restarted" || fail "restart" "none"
if wait_for "$TMP/events.jsonl" '"event":"announce".*timer is done' 20; then
  dt=$(( ($(date +%s%N) - set_at) / 1000000 ))
  # Seen by this polling script: the deadline is 6000 ms after the request.
  [ "$dt" -ge 5000 ] && [ "$dt" -le 8000 ] && ok "announced after the restart at ${dt} ms (due at ~6000 ms)" \
    || fail "announce time" "${dt} ms"
else fail "announce" "$(tail -5 "$TMP/events.jsonl")"; fi
grep -q '"event":"announce".*timer is done' "$TMP/events.jsonl" && [ "$(count "$TMP/events.jsonl" '"event":"announce".*timer is done')" = 1 ] \
  && ok "announced exactly once" || fail "announce count" "$(grep announce "$TMP/events.jsonl")"
# announcements are numbered 1, 2, ... in events (not the internal top-bit id)
grep -q '"event":"announce".*"req_id":[1-9][0-9]\{0,5\}[,}]' "$TMP/events.jsonl" \
  && ok "announce req_id is a small positive number" || fail "announce req_id" "$(grep announce "$TMP/events.jsonl")"
kill -INT "$SESSION_PID"; wait "$SESSION_PID"
exec 3>&-
summary
