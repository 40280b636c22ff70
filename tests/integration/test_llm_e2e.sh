#!/usr/bin/env bash
# test_llm_e2e.sh: requests the router does not handle go to the LLM through
# the real processes, against the stand-in Ollama/OpenAI server
# (tests/standins/llm_standin.py; real servers cannot be installed here).
. "$(dirname "$0")/lib.sh"
STANDIN="$WZ_SOURCE_DIR/tests/standins/llm_standin.py"

start_standin() {
  rm -f "$TMP/port"
  python3 "$STANDIN" --port 0 --port-file "$TMP/port" --record "$TMP/record.jsonl" "$@" 2>"$TMP/standin.log" &
  CLEANUP_PIDS+=($!)
  STANDIN_PID=$!
  for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
  PORT=$(cat "$TMP/port")
}

start_standin --models llama3.2 --text "The sky looks blue because air scatters blue light most. Sunsets are red for the same reason."
for backend in ollama openai; do
  out=$TMP/$backend.jsonl
  "$WYZER" --events --set llm.backend=$backend --set llm.url=http://127.0.0.1:$PORT --text "why is the sky blue" > "$out" 2>"$TMP/err"
  rc=$?
  last=$(tail -1 "$out")
  if [ $rc -eq 0 ] && [[ "$last" == *'"event":"response"'*'scatters blue light most. Sunsets are red'*'"ok":true'* ]]; then
    ok "$backend: streamed answer becomes the response"
  else fail "$backend answer" "exit $rc, last: $last, $(tail -2 "$TMP/err")"; fi
done
grep -q '"path": *"/api/chat"' "$TMP/record.jsonl" && grep -q '"path": *"/v1/chat/completions"' "$TMP/record.jsonl" \
  && ok "requests reached /api/chat and /v1/chat/completions" || fail "request paths" "$(cut -c1-200 "$TMP/record.jsonl")"

# A missing model: a clear error event, a spoken apology, exit 1.
"$WYZER" --events --set llm.backend=ollama --set llm.url=http://127.0.0.1:$PORT --set llm.model=nosuch --text "hi there" > "$TMP/miss.jsonl" 2>/dev/null
rc=$?
[ $rc -eq 1 ] && grep -q '"event":"error".*"component":"llm".*not found' "$TMP/miss.jsonl" && grep -q '"event":"response".*"ok":false' "$TMP/miss.jsonl" \
  && ok "missing model: error event, apology, exit 1" || fail "missing model" "exit $rc: $(cat "$TMP/miss.jsonl")"
kill "$STANDIN_PID"

# Unreachable server: same, naming the URL.
"$WYZER" --events --set llm.backend=openai --set llm.url=http://127.0.0.1:9 --text "hi there" > "$TMP/down.jsonl" 2>/dev/null
rc=$?
[ $rc -eq 1 ] && grep -q '"event":"error".*127.0.0.1:9' "$TMP/down.jsonl" && ok "server down: error names the URL, exit 1" || fail "server down" "exit $rc: $(cat "$TMP/down.jsonl")"
summary
