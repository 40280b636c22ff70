#!/usr/bin/env python3
"""whisper_standin.py: a STAND-IN for Whisper transcription servers (whisper.cpp's
whisper-server and OpenAI-compatible /v1/audio/transcriptions), which are not
installable on Debian 12. Used only by tests/unit/test_stt_whisper.c.

It speaks the real wire format: POST .../inference (multipart: file, response_format)
and POST .../v1/audio/transcriptions (multipart: file, model), answering {"text": ...}.
The first path segment picks a behaviour so one server covers every case:
  /ok/...       validate the multipart request; answer {"text": " <what was received> "}
  /e500/...     HTTP 500
  /garbage/...  HTTP 200 with an HTML body
  /big/...      HTTP 200 with a 2 MiB body
  /slow/...     wait 3 s, then answer
  /drop/...     send headers promising 1000 bytes, 10 bytes of body, then close
Prints the port it listens on as the first line of stdout.
"""
import email.parser
import http.server
import json
import socketserver
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        mode = self.path.strip("/").split("/")[0]
        if mode == "e500":
            return self.reply(500, b'{"error":"model crashed"}')
        if mode == "garbage":
            return self.reply(200, b"<html>Bad gateway</html>", "text/html")
        if mode == "big":
            return self.reply(200, b'{"text":"' + b"a" * (2 << 20) + b'"}')
        if mode == "slow":
            time.sleep(3)
            return self.reply(200, b'{"text":"late"}')
        if mode == "drop":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"text":"h')
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        # ok: parse the multipart body with the stdlib MIME parser.
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("multipart/form-data"):
            return self.reply(400, b'{"error":{"message":"not multipart"}}')
        msg = email.parser.BytesParser().parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        fields = {}
        for part in msg.get_payload():
            name = part.get_param("name", header="content-disposition")
            fields[name] = part.get_payload(decode=True)
        wav = fields.get("file", b"")
        if not wav.startswith(b"RIFF") or wav[8:12] != b"WAVE":
            return self.reply(400, b'{"error":{"message":"file is not a WAV"}}')
        if self.path.endswith("/inference"):
            kind = "inference"
            if fields.get("response_format") != b"json":
                return self.reply(400, b'{"error":"response_format must be json"}')
        elif self.path.endswith("/v1/audio/transcriptions"):
            kind = "openai"
            if not fields.get("model"):
                return self.reply(400, b'{"error":{"message":"model is required"}}')
        else:
            return self.reply(404, b'{"error":"no such endpoint"}')
        text = " %s fields=%s bytes=%d model=%s auth=%s " % (
            kind, ",".join(sorted(fields)), len(wav),
            fields.get("model", b"-").decode(), self.headers.get("Authorization", "-"))
        self.reply(200, json.dumps({"text": text}).encode())


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
