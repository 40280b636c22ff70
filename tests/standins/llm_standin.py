#!/usr/bin/env python3
"""llm_standin.py: a STAND-IN for an Ollama server and an OpenAI-compatible
chat server (llama.cpp server, LM Studio, vLLM, LocalAI), for tests and
benchmarks only. Neither server can be installed on the build machine, so
this speaks their streaming wire formats exactly:

  POST /api/chat             Ollama: chunked application/x-ndjson, one JSON
                             object per line, last one has "done": true.
                             Tool calls arrive whole with object arguments.
  POST /v1/chat/completions  OpenAI: chunked text/event-stream, "data: {chunk}"
                             events separated by blank lines, then
                             "data: [DONE]". Tool-call arguments are sent as
                             string fragments spread over many deltas.

Python 3 standard library only. What it answers is scripted:

  --scenario FILE  JSON: {"models": [...], "responses": [STEP, ...]}
                   Request k gets STEP k (the last step repeats).
  or flags         --text, --ttft-ms, --chunk-delay-ms, --models (one step)

A STEP is an object with any of:
  text                  reply text, streamed as word tokens (or chunk_chars)
  chunk_chars           split text into pieces of this many characters
  tool_calls            [{"name": ..., "arguments": {...}}] or
                        [{"name": ..., "arguments_raw": "not json"}]
  arg_fragment_chars    OpenAI argument fragment size (default 3)
  ttft_ms               delay before the first token (time to first token)
  chunk_delay_ms        delay between chunks
  drop_after_chunks     close the socket abruptly after N chunks
  malformed_after_chunks  send a line that is not JSON after N chunks
  status, error         answer with this HTTP status and error message

A request whose "model" is not in "models" (when given) gets the server's
404 "model '...' not found" answer. Every request is appended as one JSON
line to --record FILE: {"path", "authorization", "body"}; a client that
hangs up mid-stream adds {"event": "client_gone", "chunks_sent": N}.
The chosen port is written to --port-file (atomically) once listening.
"""
import argparse
import json
import os
import re
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"scenario": {}, "record": None, "count": 0}
LOCK = threading.Lock()


def record(obj):
    path = STATE["record"]
    if not path:
        return
    with LOCK:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(obj) + "\n")


def next_step():
    with LOCK:
        steps = STATE["scenario"].get("responses") or [{"text": "Hello."}]
        i = min(STATE["count"], len(steps) - 1)
        STATE["count"] += 1
        return steps[i]


def tokens(step):
    text = step.get("text", "")
    n = step.get("chunk_chars")
    if n:
        return [text[i:i + n] for i in range(0, len(text), n)]
    return re.findall(r"\s*\S+", text) or ([text] if text else [])


class ClientGone(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    # ---- plumbing ----
    def send_json(self, status, obj):
        data = json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.sent = 0

    def chunk(self, data):
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.client_gone()
        self.sent += 1

    def client_gone(self):
        record({"event": "client_gone", "chunks_sent": self.sent})
        raise ClientGone()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop(self):
        """Hang up mid-stream without the terminating chunk."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def pace(self, step, first):
        """Waits before the next chunk, noticing a client that hangs up in the
        meantime (as a real server does) instead of at the next write."""
        ms = step.get("ttft_ms", 0) if first else step.get("chunk_delay_ms", 0)
        if not ms:
            return
        end = time.monotonic() + ms / 1000.0
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.connection], [], [], left)
            if ready:
                try:
                    gone = self.connection.recv(1, socket.MSG_PEEK) == b""
                except (ConnectionResetError, OSError):
                    gone = True
                if gone:
                    self.client_gone()
                time.sleep(min(left, 0.02))  # pipelined bytes: not a hangup

    def disrupt(self, step, n, malformed_line):
        """Returns True when the stream must stop here (dropped)."""
        if step.get("malformed_after_chunks") == n:
            self.chunk(malformed_line)
        if step.get("drop_after_chunks") == n:
            self.drop()
            return True
        return False

    # ---- request ----
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        record({"path": self.path, "authorization": self.headers.get("Authorization"),
                "body": body})
        if self.path not in ("/api/chat", "/v1/chat/completions"):
            self.send_json(404, {"error": "404 page not found"})
            return
        ollama = self.path == "/api/chat"
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self.send_json(400, {"error": "invalid request body"} if ollama else
                           {"error": {"message": "invalid request body", "type": "invalid_request_error"}})
            return
        model = body.get("model", "")
        models = STATE["scenario"].get("models")
        if models and model not in models:
            msg = "model '%s' not found" % model
            self.send_json(404, {"error": msg} if ollama else
                           {"error": {"message": msg, "type": "not_found_error", "code": 404}})
            return
        step = next_step()
        if "status" in step:
            msg = step.get("error", "error")
            self.send_json(step["status"], {"error": msg} if ollama else
                           {"error": {"message": msg, "type": "server_error"}})
            return
        try:
            if ollama:
                self.stream_ollama(step, model)
            else:
                self.stream_openai(step, model)
        except ClientGone:
            self.close_connection = True

    # ---- Ollama NDJSON ----
    def ollama_line(self, obj):
        self.chunk((json.dumps(obj, separators=(",", ":")) + "\n").encode())

    def stream_ollama(self, step, model):
        self.start_stream("application/x-ndjson")
        t0 = time.time_ns()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime())
        n = 0
        for tok in tokens(step):
            self.pace(step, n == 0)
            if self.disrupt(step, n, b"{\"model\": \"broken\n"):
                return
            self.ollama_line({"model": model, "created_at": stamp,
                              "message": {"role": "assistant", "content": tok}, "done": False})
            n += 1
        calls = step.get("tool_calls") or []
        if calls:
            self.pace(step, n == 0)
            if self.disrupt(step, n, b"not json at all\n"):
                return
            out = []
            for c in calls:
                args = c.get("arguments", {})
                if "arguments_raw" in c:  # invalid on purpose
                    args = c["arguments_raw"]
                out.append({"function": {"name": c["name"], "arguments": args}})
            self.ollama_line({"model": model, "created_at": stamp,
                              "message": {"role": "assistant", "content": "", "tool_calls": out},
                              "done": False})
            n += 1
        if n == 0:
            self.pace(step, True)
        if self.disrupt(step, n, b"{]\n"):
            return
        dur = time.time_ns() - t0
        self.ollama_line({"model": model, "created_at": stamp,
                          "message": {"role": "assistant", "content": ""},
                          "done_reason": "stop", "done": True, "total_duration": dur,
                          "load_duration": 1000, "prompt_eval_count": 10,
                          "prompt_eval_duration": 1000, "eval_count": n, "eval_duration": dur})
        self.end_stream()

    # ---- OpenAI SSE ----
    def sse(self, obj):
        self.chunk(b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n")

    def openai_chunk(self, model, delta, finish=None):
        return {"id": "chatcmpl-standin", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": model, "system_fingerprint": "fp_standin",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    def stream_openai(self, step, model):
        self.start_stream("text/event-stream")
        n = 0
        role_sent = False
        for tok in tokens(step):
            self.pace(step, n == 0)
            if self.disrupt(step, n, b"data: {\"choices\": [\n\n"):
                return
            delta = {"content": tok}
            if not role_sent:
                delta["role"] = "assistant"
                role_sent = True
            self.sse(self.openai_chunk(model, delta))
            n += 1
        calls = step.get("tool_calls") or []
        frag = max(1, step.get("arg_fragment_chars", 3))
        for i, c in enumerate(calls):
            self.pace(step, n == 0)
            if self.disrupt(step, n, b"data: nonsense\n\n"):
                return
            head = {"index": i, "id": "call_%d_%s" % (i, c["name"]), "type": "function",
                    "function": {"name": c["name"], "arguments": ""}}
            self.sse(self.openai_chunk(model, {"role": "assistant", "content": None,
                                               "tool_calls": [head]}))
            n += 1
            args = c["arguments_raw"] if "arguments_raw" in c else json.dumps(c.get("arguments", {}))
            for k in range(0, len(args), frag):
                self.sse(self.openai_chunk(model, {"tool_calls": [
                    {"index": i, "function": {"arguments": args[k:k + frag]}}]}))
                n += 1
        if n == 0:
            self.pace(step, True)
        if self.disrupt(step, n, b"data: {oops\n\n"):
            return
        self.sse(self.openai_chunk(model, {}, "tool_calls" if calls else "stop"))
        self.chunk(b"data: [DONE]\n\n")
        self.end_stream()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients hanging up (interrupt tests, dropped keep-alive sockets) are
        # expected; anything else is printed as usual.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="Stand-in Ollama/OpenAI chat server for tests")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    ap.add_argument("--scenario", help="JSON scenario file")
    ap.add_argument("--record", help="append each request as a JSON line here")
    ap.add_argument("--text", default="Hello there. How can I help?")
    ap.add_argument("--ttft-ms", type=int, default=0)
    ap.add_argument("--chunk-delay-ms", type=int, default=0)
    ap.add_argument("--models", default="", help="comma separated; others get 404")
    a = ap.parse_args()
    if a.scenario:
        with open(a.scenario, encoding="utf-8") as f:
            STATE["scenario"] = json.load(f)
    else:
        STATE["scenario"] = {"responses": [{"text": a.text, "ttft_ms": a.ttft_ms,
                                            "chunk_delay_ms": a.chunk_delay_ms}]}
        if a.models:
            STATE["scenario"]["models"] = a.models.split(",")
    STATE["record"] = a.record
    srv = Server(("127.0.0.1", a.port), Handler)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, a.port_file)
    else:
        print(port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
