#!/usr/bin/env python3
"""A stand-in for `python3 -m sglang.launch_server` (put the directory above on PYTHONPATH) that
simulates SGLang's static-pool arithmetic and prints its start-up lines in the v0.4.5.post3-0.5.x
shapes (see ../../README.md, "SGLang's start-up wordings"), so that a memory failure depends on
--mem-fraction-static the way it does in SGLang:

  T        free memory at "Load weight begin"          FAKE_SGLANG_T_GIB        (default 78.81)
  weights  taken by the load                            FAKE_SGLANG_WEIGHTS_GIB  (default 15.11)
  KV pool  = (T - weights) - T x (1 - fraction); below FAKE_SGLANG_MIN_KV_GIB (default 1.0) the
           start-up fails with "Not enough memory. Please try to increase --mem-fraction-static."
  graphs   the CUDA-graph capture needs FAKE_SGLANG_GRAPH_GIB (default 6.19) of what is left
           after the pool (T x (1 - fraction) - 0.30 GiB of request tables); more than is left
           and it fails with torch's "CUDA out of memory. Tried to allocate S. GPU 0 has a total
           capacity of C of which F is free." (F left out with FAKE_SGLANG_PRINT_FREE=0), the
           request S being what the capture still lacked plus F, so that S - F is the shortfall
           (or only FAKE_SGLANG_REQUEST_SHARE of it, default 1: a capture that would have asked
           for more after the failed allocation).

Every start appends its --mem-fraction-static to the file FAKE_SGLANG_ATTEMPTS, when set. A failed
start exits with code 1 (after stopping its "scheduler" child, as SGLang's launcher kills its
tree); a ready one prints "The server is fired up and ready to roll!" and exits 0 at once
(FAKE_SGLANG_SERVE_SECONDS to keep serving). Standard library only; the lines starting with
"fake-sglang:" are this script's own, not SGLang's.
"""
import argparse
import os
import subprocess
import sys
import time

GIB = 1 << 30
REQUEST_TABLES_GIB = 0.30
KV_BYTES_PER_TOKEN = 131072  # Llama-3.1-8B, bf16: 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes


def env(name, default):
    return float(os.environ.get(name, default))


def size(nbytes):
    """A size the way torch's OOM message writes it (format_size in CUDACachingAllocator.cpp)."""
    if nbytes < 1024:
        return f"{nbytes:d} bytes"
    if nbytes < 1024 * 1024:
        return f"{nbytes / 1024:.2f} KiB"
    if nbytes < GIB:
        return f"{nbytes / (1024 * 1024):.2f} MiB"
    return f"{nbytes / GIB:.2f} GiB"


def log(msg, rank=" TP0"):
    print(f"[2025-04-21 10:00:00{rank}] {msg}", file=sys.stderr, flush=True)


def fail(child, lines):
    for line in lines:
        print(line, file=sys.stderr, flush=True)
    child.terminate()
    child.wait()
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model-path", default="fake-model")
    p.add_argument("--mem-fraction-static", type=float, default=0.88)
    p.add_argument("--scheduler-child", action="store_true")
    args, _ = p.parse_known_args()
    if args.scheduler_child:
        time.sleep(3600)
        return
    f = args.mem_fraction_static
    attempts = os.environ.get("FAKE_SGLANG_ATTEMPTS")
    if attempts:
        with open(attempts, "a", encoding="utf-8") as out:
            out.write(f"{f}\n")
    t = env("FAKE_SGLANG_T_GIB", 78.81)
    weights = env("FAKE_SGLANG_WEIGHTS_GIB", 15.11)
    min_kv = env("FAKE_SGLANG_MIN_KV_GIB", 1.0)
    graphs = env("FAKE_SGLANG_GRAPH_GIB", 6.19)
    total = t + 0.30

    print(f"[2025-04-21 10:00:00] server_args=ServerArgs(model_path={args.model_path!r},"
          f" mem_fraction_static={f!r})", file=sys.stderr, flush=True)
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--scheduler-child"])
    print(f"fake-sglang: scheduler process pid {child.pid}", file=sys.stderr, flush=True)

    log(f"Load weight begin. avail mem={t:.2f} GB")
    after_load = t - weights
    log(f"Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16, avail mem={after_load:.2f} GB,"
        f" mem usage={weights:.2f} GB.")
    kv = after_load - t * (1 - f)
    if kv < min_kv:
        log("Scheduler hit an exception: Traceback (most recent call last):")
        fail(child, [
            '  File "/usr/local/lib/python3.10/dist-packages/sglang/srt/model_executor/model_runner.py",'
            ' line 796, in init_memory_pool',
            "    raise RuntimeError(",
            "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.",
        ])
    tokens = int(kv * GIB) // KV_BYTES_PER_TOKEN
    log(f"KV Cache is allocated. #tokens: {tokens}, K size: {kv / 2:.2f} GB, V size: {kv / 2:.2f} GB")
    free = t * (1 - f) - REQUEST_TABLES_GIB
    log(f"Memory pool end. avail mem={free:.2f} GB")
    log(f"Capture cuda graph begin. This can take up to several minutes. avail mem={free:.2f} GB")
    if graphs > free:
        left = min(free, 0.25)
        request = ((graphs - free) * env("FAKE_SGLANG_REQUEST_SHARE", 1.0) + left) * GIB
        which = f" of which {size(int(left * GIB))} is free" if os.environ.get("FAKE_SGLANG_PRINT_FREE", "1") != "0" else ""
        log("Scheduler hit an exception: Traceback (most recent call last):")
        fail(child, [
            '  File "/usr/local/lib/python3.10/dist-packages/sglang/srt/model_executor/cuda_graph_runner.py",'
            " line 275, in __init__",
            "    self.capture()",
            f"Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate {size(int(request))}."
            f" GPU 0 has a total capacity of {total:.2f} GiB{which}.",
        ])
    log(f"Capture cuda graph end. Time elapsed: 1.00 s. mem usage={graphs:.2f} GB. avail mem={free - graphs:.2f} GB.")
    log(f"max_total_num_tokens={tokens}, chunked_prefill_size=8192, max_prefill_tokens=16384,"
        f" max_running_requests=2049, context_len=131072")
    print("[2025-04-21 10:00:30] INFO:     Uvicorn running on http://127.0.0.1:30000 (Press CTRL+C to quit)",
          file=sys.stderr, flush=True)
    print("[2025-04-21 10:00:32] The server is fired up and ready to roll!", file=sys.stderr, flush=True)
    time.sleep(env("FAKE_SGLANG_SERVE_SECONDS", 0))
    child.terminate()
    child.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
