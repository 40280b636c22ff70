#!/bin/bash
# test_route: `wyzer route` (the router's dry run) and `route --grammar`, as a
# user runs them; and wyzer.conf.example matches the config table.
. "$(dirname "$0")/lib.sh"
SRC=${WZ_SOURCE_DIR:-.}

out=$("$WYZER" route "set a timer for two minutes and thirty seconds" "tell me a joke" "never mind")
rc=$?
line1=$(sed -n 1p <<<"$out"); line2=$(sed -n 2p <<<"$out"); line3=$(sed -n 3p <<<"$out")
if [ $rc -eq 0 ] && grep -q '"kind":"tools"' <<<"$line1" && grep -q '"tool":"timer_start","args":{"seconds":150}' <<<"$line1"; then
  ok "timer request routes to timer_start with 150 s"
else
  fail "timer route" "rc=$rc $line1"
fi
if grep -q '"kind":"none","calls":\[\]' <<<"$line2"; then ok "a question routes to nothing (the LLM)"; else fail "none route" "$line2"; fi
if grep -q '"kind":"control"' <<<"$line3"; then ok "never mind is a control phrase"; else fail "control route" "$line3"; fi

# whether more words could change a command (the endpointer's closed wait)
out=$("$WYZER" route "what time is it" "what's the weather" "pause the music and turn it up")
if grep -q '"closed":true' <<<"$(sed -n 1p <<<"$out")" && grep -q '"closed":false' <<<"$(sed -n 2p <<<"$out")" \
   && ! grep -q '"closed"' <<<"$(sed -n 3p <<<"$out")"; then
  ok "closed: what time is it yes, what's the weather no, a chain not given"
else fail "closed field" "$out"; fi

# stdin, one request per line, two chained commands in one
out=$(printf 'pause the music and turn it up\nwhat time is it\n' | "$WYZER" route -)
if [ "$(grep -c . <<<"$out")" -eq 2 ] && grep -q '"tool":"media".*"tool":"volume"' <<<"$(sed -n 1p <<<"$out")"; then
  ok "stdin: one JSON line per request, chains in order"
else
  fail "stdin route" "$out"
fi

"$WYZER" route >/dev/null 2>"$TMP/err"; rc=$?
if [ $rc -eq 2 ] && grep -q usage "$TMP/err"; then ok "no text: usage, exit 2"; else fail "usage" "rc=$rc"; fi

"$WYZER" route --grammar >"$TMP/g.jsgf"; rc=$?
if [ $rc -eq 0 ] && head -1 "$TMP/g.jsgf" | grep -q '^#JSGF V1.0;' && grep -q '^public <command>' "$TMP/g.jsgf"; then
  ok "--grammar prints the JSGF command grammar"
else
  fail "--grammar" "rc=$rc"
fi

if python3 "$SRC/scripts/gen-conf-example.py" | diff -u "$SRC/wyzer.conf.example" - >"$TMP/diff"; then
  ok "wyzer.conf.example matches the config table"
else
  fail "wyzer.conf.example is stale (run scripts/gen-conf-example.py > wyzer.conf.example)" "$(head -20 "$TMP/diff")"
fi
summary
