#!/usr/bin/env bash
# test_supervision.sh: crash, hang and shutdown handling of the three real
# processes. Times are printed for the record; assertions are about order and
# outcome, with generous timeouts only as hang guards.
. "$(dirname "$0")/lib.sh"
# 2 s of silence counts as hung: short enough to test, long enough for an
# ASan build on a loaded 2-core machine not to be killed by mistake.
HB=(--set supervisor.heartbeat_ms=200 --set supervisor.heartbeat_misses=10)

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# --- process names, SIGKILL brain, next request answered --------------------
start_session "${HB[@]}"
if wait_for "$TMP/events.jsonl" '"event":"ready"' 15; then ok "session ready"; else fail "session ready" "$(tail -5 "$TMP/stderr.log")"; fi
comms=$(ps -o comm= --ppid "$SESSION_PID" | sort | tr '\n' ' ')
main_comm=$(ps -o comm= -p "$SESSION_PID")
[ "$main_comm" = wyzer ] && [ "$comms" = "wyzer-brain wyzer-core " ] && ok "ps shows wyzer, wyzer-core, wyzer-brain" || fail "process names" "main=$main_comm children=$comms"

brain=$(pid_of_comm "$SESSION_PID" wyzer-brain)
t0=$(now_ms)
kill -9 "$brain"
if wait_for "$TMP/events.jsonl" '"event":"worker_restart".*"role":"brain"' 10; then ok "SIGKILL brain -> worker_restart"; else fail "brain restart" "no worker_restart: $(tail -5 "$TMP/stderr.log")"; fi
grep -q '"event":"worker_exit".*"role":"brain".*signal 9' "$TMP/events.jsonl" && ok "worker_exit names the signal" || fail "worker_exit" "missing"
# The new brain loads its models first: seconds, and more under ASan on a
# loaded machine, so the guard is long; the time taken is printed.
if ask "what time is it" 60; then
  ok "request after brain restart answered ($(( $(now_ms) - t0 )) ms after the kill, most of it loading models)"
else fail "request after restart" "$ASK_WHY"; fi
newbrain=$(pid_of_comm "$SESSION_PID" wyzer-brain)
[ -n "$newbrain" ] && [ "$newbrain" != "$brain" ] && ok "new brain pid $newbrain" || fail "new brain" "pid '$newbrain'"

# --- SIGKILL core: restarted, requests still work ----------------------------
core=$(pid_of_comm "$SESSION_PID" wyzer-core)
kill -9 "$core"
if wait_for "$TMP/events.jsonl" '"event":"worker_restart".*"role":"core"' 10; then ok "SIGKILL core -> restarted"; else fail "core restart" "$(tail -5 "$TMP/stderr.log")"; fi
wait_for "$TMP/events.jsonl" '"event":"ready"' 5 >/dev/null
ask "what day is it" && ok "request after core restart answered" || fail "request after core restart" "$ASK_WHY"

# --- SIGSTOP brain: detected as hung and restarted -----------------------------
brain=$(pid_of_comm "$SESSION_PID" wyzer-brain)
before=$(count "$TMP/events.jsonl" '"event":"worker_restart".*"role":"brain"')
kill -STOP "$brain"
t0=$(now_ms)
if wait_for "$TMP/events.jsonl" "\"event\":\"worker_exit\".*\"pid\":$brain" 10 && \
   wait_for "$TMP/events.jsonl" '"event":"worker_restart".*"role":"brain".*"generation":2' 10; then
  ok "SIGSTOPped brain killed and restarted ($(( $(now_ms) - t0 )) ms; limit 2000 ms of silence)"
else fail "hung brain" "$(grep -E 'worker|hung|answered' "$TMP/stderr.log" | tail -3)"; fi
ask "what time is it" && ok "request after hang restart answered" || fail "request after hang" "$ASK_WHY"

# --- SIGINT main: ordered shutdown, exit 0, nothing left -----------------------
kids=$(children_of "$SESSION_PID")
t0=$(now_ms)
kill -INT "$SESSION_PID"
wait "$SESSION_PID"; rc=$?
dt=$(( $(now_ms) - t0 ))
left=""
for k in $kids; do alive "$k" && left="$left $k"; done
[ $rc -eq 0 ] && ok "SIGINT: exit 0" || fail "SIGINT exit" "exit $rc"
[ -z "$left" ] && ok "SIGINT: no process left (${dt} ms)" || fail "SIGINT leftovers" "$left"
[ "$dt" -lt 2000 ] && ok "SIGINT: shutdown under 2 s" || fail "SIGINT shutdown time" "${dt} ms"
grep -q '"event":"shutdown"' "$TMP/events.jsonl" && ok "shutdown event" || fail "shutdown event" "missing"
# Order: core stops capture before the brain stops.
c_line=$(grep -n 'core.*stopping: capture closed' "$TMP/stderr.log" | head -1 | cut -d: -f1)
b_line=$(grep -n 'brain.*stopping: canceling work' "$TMP/stderr.log" | tail -1 | cut -d: -f1)
[ -n "$c_line" ] && [ -n "$b_line" ] && [ "$c_line" -lt "$b_line" ] && ok "core stops before brain" || fail "shutdown order" "core line $c_line, brain line $b_line"
exec 3>&-
valid_jsonl "$TMP/events.jsonl" && ok "events are valid JSON Lines" || fail "events" "invalid JSON"

# --- SIGKILL main: children die with it -----------------------------------------
rm -f "$TMP/in"
start_session
wait_for "$TMP/events.jsonl" '"event":"ready"' 15 >/dev/null
kids=$(children_of "$SESSION_PID")
kill -9 "$SESSION_PID"
wait "$SESSION_PID" 2>/dev/null
t0=$(now_ms); left="$kids"
while [ -n "$left" ] && [ $(( $(now_ms) - t0 )) -lt 3000 ]; do
  still=""; for k in $left; do alive "$k" && still="$still $k"; done; left=$still; sleep 0.02
done
[ -z "$left" ] && ok "SIGKILL main: children gone ($(( $(now_ms) - t0 )) ms)" || fail "orphans" "$left still alive"
exec 3>&-

# --- crash loop: main gives up with a clear error -----------------------------------
rm -f "$TMP/in"
start_session --set supervisor.max_restarts=2 --set supervisor.restart_window_s=60 "${HB[@]}"
wait_for "$TMP/events.jsonl" '"event":"ready"' 15 >/dev/null
for i in 1 2 3; do
  b=$(pid_of_comm "$SESSION_PID" wyzer-brain)
  [ -n "$b" ] && kill -9 "$b"
  wait_for "$TMP/events.jsonl" "\"event\":\"worker_restart\".*\"generation\":$i" 5 >/dev/null || break
done
wait "$SESSION_PID"; rc=$?
[ $rc -eq 3 ] && grep -q 'giving up' "$TMP/stderr.log" && ok "crash loop: exit 3 with a clear error" || fail "crash loop" "exit $rc; $(tail -2 "$TMP/stderr.log")"
exec 3>&-
summary
