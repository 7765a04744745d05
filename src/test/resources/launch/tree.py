#!/usr/bin/env python3
"""A process tree for ChildProcessTest. Standard library only.

python3 tree.py [--children N] [--ignore-term] [--exit-on-signal CODE] [--linger SECONDS]
Starts N children (same script; they inherit --ignore-term), prints "pid <pid>" on stdout once its signal handlers are
set, prints "got SIGTERM in pid <pid>" / "got SIGINT in pid <pid>" on those signals and exits with CODE (default
128 + the signal number, the shell convention), after SECONDS (default 0) during which a second signal is reported
too. With --ignore-term SIGTERM is ignored.
"""
import argparse
import os
import signal
import subprocess
import sys
import time


def say(text):
    # one write(2) per line: several processes of the tree share the pipe, and print() may split
    # a line into two writes that another process's line can come between
    os.write(1, (text + "\n").encode())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--children", type=int, default=0)
    p.add_argument("--ignore-term", action="store_true")
    p.add_argument("--exit-on-signal", type=int, default=None)
    p.add_argument("--linger", type=float, default=0)
    args = p.parse_args()
    first = []

    def on_signal(signum, frame):
        say(f"got {signal.Signals(signum).name} in pid {os.getpid()}")
        if first:
            return
        first.append(signum)
        time.sleep(args.linger)
        os._exit(args.exit_on_signal if args.exit_on_signal is not None else 128 + signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, signal.SIG_IGN if args.ignore_term else on_signal)
    for _ in range(args.children):
        subprocess.Popen([sys.executable, os.path.abspath(__file__)] + (["--ignore-term"] if args.ignore_term else []))
    say(f"pid {os.getpid()}")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
