#!/usr/bin/env bash
# test_text.sh: --text round trips through the real processes and queues, in
# both process modes; CLI and configuration errors.
. "$(dirname "$0")/lib.sh"

for mode in "" "--single-process"; do
  label=${mode:-processes}
  out=$TMP/text$label.jsonl
  "$WYZER" $mode --events --text "hello" > "$out" 2> "$TMP/err"
  rc=$?
  if [ $rc -ne 0 ]; then fail "text round trip ($label)" "exit $rc: $(tail -3 "$TMP/err")"; continue; fi
  if ! valid_jsonl "$out" 2> "$TMP/jerr"; then fail "text round trip ($label)" "invalid JSON Lines: $(cat "$TMP/jerr")"; continue; fi
  last=$(tail -1 "$out")
  case "$last" in
    *'"event":"response"'*'"ok":true'*) ok "text round trip ends in a response ($label)" ;;
    *) fail "text round trip ($label)" "last event: $last" ;;
  esac
  grep -q '"event":"ready"' "$out" && ok "ready event ($label)" || fail "ready event ($label)" "missing"
done

# Without --events the reply is plain text on stdout.
reply=$("$WYZER" -q --text "good morning")
[ -n "$reply" ] && ok "plain reply on stdout: $reply" || fail "plain reply" "empty"

# Several requests from stdin, answered in order.
printf 'first\nsecond\nthird\n' | "$WYZER" --events --text - > "$TMP/multi.jsonl" 2>/dev/null
n=$(count "$TMP/multi.jsonl" '"event":"response"')
[ "$n" = 3 ] && ok "three stdin requests, three responses" || fail "stdin requests" "got $n responses"

# Configuration errors exit 2 and name file, line and key.
printf '[ipc]\nqueue_capacity = 10\nbogus = 1\n' > "$TMP/bad.conf"
"$WYZER" --config "$TMP/bad.conf" --text hi > /dev/null 2> "$TMP/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "bad.conf:3: unknown key 'ipc.bogus'" "$TMP/err"; then ok "bad config: exit 2 with file:line:key"
else fail "bad config" "exit $rc: $(cat "$TMP/err")"; fi

WYZER_IPC_QUEUE_CAPACITY=abc "$WYZER" --text hi > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 2 ] && grep -q WYZER_IPC_QUEUE_CAPACITY "$TMP/err" && ok "bad env value: exit 2 naming the variable" || fail "bad env" "exit $rc: $(cat "$TMP/err")"

"$WYZER" --bogus-flag > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "unknown flag: exit 2" || fail "unknown flag" "exit $rc"

# --print-config shows where each value came from.
printf '[llm]\nmodel = m-file\n' > "$TMP/good.conf"
WYZER_TTS_VOICE=kal16 "$WYZER" --config "$TMP/good.conf" --set ipc.queue_capacity=9 --print-config > "$TMP/pc"
grep -q "^model = m-file .*file $TMP/good.conf:2" "$TMP/pc" && grep -q '^voice = kal16 .*env WYZER_TTS_VOICE' "$TMP/pc" \
  && grep -q '^queue_capacity = 9 .*command line' "$TMP/pc" && grep -q '^engine = pocketsphinx .*default' "$TMP/pc" \
  && ok "--print-config shows origins" || fail "--print-config" "$(head -20 "$TMP/pc")"

"$WYZER" --version | grep -q '^wyzer ' && ok "--version" || fail "--version" "no version"
"$WYZER" --help | grep -q -- '--single-process' && ok "--help" || fail "--help" "incomplete"
summary
