#!/usr/bin/env python3
"""A stand-in for `python3 -m sglang.launch_server` in the tests of io.github.sglangpreflight.launch.

Standard library only. Takes SGLang-like arguments (--model-path, --port, --host, anything else is ignored)
plus --scenario of its own:
  ok                  prints fake-ok.log, then /health answers 200; exits 0 on SIGTERM
  oom-at-graph        prints fake-oom-at-graph.log (ends in a CUDA out-of-memory), then hangs
  not-enough-memory   prints fake-not-enough-memory.log, then exits with code 1
  hang                prints fake-hang.log, then hangs
  ignore-sigterm      as ok, but the server and its scheduler process ignore SIGTERM
Like SGLang it starts a "scheduler" child process first, and logs on stderr. /health answers 503 until the
start-up lines are printed (main's behaviour while starting; before 2026 the port is closed instead).
Lines are printed with --line-delay seconds between them (default 0.05), a scaled-down start-up.
The lines starting with "fake-sglang:" are this script's own, not SGLang's.
"""
import argparse
import http.server
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOGS = {
    "ok": "fake-ok.log",
    "oom-at-graph": "fake-oom-at-graph.log",
    "not-enough-memory": "fake-not-enough-memory.log",
    "hang": "fake-hang.log",
    "ignore-sigterm": "fake-ok.log",
}
ready = threading.Event()


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200 if (self.path == "/health" and ready.is_set()) else 503
        if self.path != "/health":
            status = 404
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def scheduler_child(scenario):
    if scenario == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(3600)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model-path", default="fake-model")
    p.add_argument("--port", type=int, default=30000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--api-key", default=None)
    p.add_argument("--mem-fraction-static", type=float, default=None)
    p.add_argument("--scenario", choices=sorted(LOGS), default="ok")
    p.add_argument("--line-delay", type=float, default=0.05)
    p.add_argument("--scheduler-child", action="store_true")
    args, _ = p.parse_known_args()
    if args.scheduler_child:
        scheduler_child(args.scenario)
        return

    child = None

    def on_sigterm(signum, frame):
        print("fake-sglang: SIGTERM received, shutting down", file=sys.stderr, flush=True)
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait()
        os._exit(0)

    if args.scenario == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, on_sigterm)

    # SGLang prints its arguments, API key included (entrypoints/engine.py:245@8761b971)
    print(
        f"[2025-04-21 10:00:00] server_args=ServerArgs(model_path={args.model_path!r}, host={args.host!r},"
        f" port={args.port}, mem_fraction_static={args.mem_fraction_static!r}, api_key={args.api_key!r})",
        file=sys.stderr,
        flush=True,
    )
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--scheduler-child", "--scenario", args.scenario])
    print(f"fake-sglang: scheduler process pid {child.pid}", file=sys.stderr, flush=True)

    host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    server = http.server.ThreadingHTTPServer((host, args.port), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    with open(os.path.join(HERE, LOGS[args.scenario]), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            time.sleep(args.line_delay)
            print(line.rstrip("\n").replace("{PORT}", str(args.port)), file=sys.stderr, flush=True)

    if args.scenario == "not-enough-memory":
        child.terminate()
        child.wait()
        sys.exit(1)
    if args.scenario in ("ok", "ignore-sigterm"):
        ready.set()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
