#!/usr/bin/env python3
"""openmeteo_standin.py: a test stand-in for Open-Meteo's forecast and
geocoding APIs (the real ones need the internet, which tests do not have).

It replays the real response shapes of GET /v1/forecast and GET /v1/search.
The first path segment picks a behaviour, so one server covers every case:
  /ok/...         normal answers
  /error500/...   HTTP 500 with Open-Meteo's error body
  /malformed/...  HTTP 200 with truncated JSON
  /huge/...       HTTP 200 with a body larger than Wyzer's cap (1 MB)
  /slow/...       waits 20 s before answering
Every request line is appended to LOGFILE.

Usage: openmeteo_standin.py PORTFILE LOGFILE   (binds 127.0.0.1, random port)
"""
import http.server
import json
import sys
import time
import urllib.parse

PLACES = {
    "berlin": {"id": 2950159, "name": "Berlin", "latitude": 52.52437, "longitude": 13.41053,
               "elevation": 74.0, "feature_code": "PPLC", "country_code": "DE",
               "timezone": "Europe/Berlin", "population": 3426354, "country": "Germany",
               "admin1": "Land Berlin"},
    "new york": {"id": 5128581, "name": "New York", "latitude": 40.71427, "longitude": -74.00597,
                 "elevation": 10.0, "feature_code": "PPL", "country_code": "US",
                 "timezone": "America/New_York", "population": 8175133, "country": "United States",
                 "admin1": "New York"},
}


def forecast(q):
    lat = float(q["latitude"][0])
    lon = float(q["longitude"][0])
    return {
        "latitude": lat, "longitude": lon, "generationtime_ms": 0.05,
        "utc_offset_seconds": 3600, "timezone": "Europe/Berlin", "timezone_abbreviation": "CET",
        "elevation": 38.0,
        "current_units": {"time": "iso8601", "interval": "seconds",
                          "temperature_2m": "\u00b0C", "weather_code": "wmo code"},
        "current": {"time": "2026-11-27T09:00", "interval": 900,
                    "temperature_2m": 7.4, "weather_code": 3},
        "daily_units": {"time": "iso8601", "weather_code": "wmo code",
                        "temperature_2m_max": "\u00b0C", "temperature_2m_min": "\u00b0C",
                        "precipitation_probability_max": "%"},
        "daily": {"time": ["2026-11-27", "2026-11-28"], "weather_code": [3, 61],
                  "temperature_2m_max": [9.1, 8.0], "temperature_2m_min": [2.3, 4.6],
                  "precipitation_probability_max": [5, 80]},
    }


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(self.path + "\n")
        url = urllib.parse.urlparse(self.path)
        parts = url.path.split("/", 2)
        mode, rest = (parts[1], "/" + parts[2]) if len(parts) == 3 else ("ok", url.path)
        q = urllib.parse.parse_qs(url.query)
        if mode == "slow":
            time.sleep(20)
        if mode == "error500":
            return self.send(500, {"error": True, "reason": "Internal Server Error"})
        if mode == "malformed":
            return self.send(200, b'{"latitude": 52.5, "current": {"temperature_2m": 7.')
        if mode == "huge":
            return self.send(200, b'{"pad": "' + b"x" * (1100 * 1024) + b'"}')
        if rest == "/v1/search":
            place = PLACES.get(q.get("name", [""])[0].lower())
            body = {"generationtime_ms": 0.4}
            if place:
                body["results"] = [place]
            return self.send(200, body)
        if rest == "/v1/forecast":
            for need in ("latitude", "longitude", "current", "daily"):
                if need not in q:
                    return self.send(400, {"error": True, "reason": "Parameter '%s' is required" % need})
            return self.send(200, forecast(q))
        return self.send(404, {"error": True, "reason": "Not Found"})


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients that abort (the size-cap test) are expected


if __name__ == "__main__":
    PORTFILE, LOG = sys.argv[1], sys.argv[2]
    srv = Server(("127.0.0.1", 0), Handler)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()
