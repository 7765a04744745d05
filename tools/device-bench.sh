#!/usr/bin/env sh
# Start-up of `sglang-preflight check` against the real GPU, beside a bare `java -version` of the
# same runtime, nvidia-smi's memory query and the nvidia-ml-py one-liner (issue 11, item 2), on a
# GPU host. Needs only sh and python3 (and, for two of the four rows, nvidia-smi and nvidia-ml-py);
# no network, no JDK besides RUNTIME_DIR. Nothing on the host is changed; it only reads NVML.
#
# Usage: tools/device-bench.sh RUNTIME_DIR CLI_JAR
#   RUNTIME_DIR  a JDK 22+ or a jlink runtime (RUNTIME_DIR/bin/java)
#   CLI_JAR      target/sglang-preflight-cli.jar (bin/mvn-jdk -B -o package)
# Environment:
#   N              counted runs of each command (default 15), after one warm-up run of each
#   MODEL          the model of the checked launch (default meta-llama/Llama-3.1-8B-Instruct, a
#                  catalog entry, so that no download is needed)
#   CHECK_OPTIONS  more options for check, e.g. '--sglang-version 0.5.1' (default none)
#   OUT            the output folder (default ./device-bench, created)
#   TRAIN_CMD      the sglang-preflight arguments the AOT cache (or CDS archive) is trained on
#                  (default: the launcher's simulated DeepSeek-V3 check; 'real' trains on the timed
#                  check itself, against the real GPU, so that the NVML downcalls are in the cache)
# Writes:
#   OUT/aot.txt            how the AOT cache (JDK 25+, JEP 483/514/515) or the CDS archive was made
#   OUT/bench.tsv          one row per run: run, command, wall_ms, exit
#   OUT/bench-summary.txt  per command min / median / max ms, and the median of the run-by-run
#                          ratios to `java -version` (each run of a command is paired with the
#                          `java -version` run of the same round)
#   OUT/check-output.txt   what the last check printed (its decision)
# Exit status: 0 when every command ran (a command's own exit code is recorded, not acted on; check
# exits 0, 3 or 4 by its decision), 2 on bad arguments.
set -u
runtime=${1:-}
jar=${2:-}
if [ -z "$runtime" ] || [ -z "$jar" ]; then
  echo "usage: tools/device-bench.sh RUNTIME_DIR CLI_JAR" >&2
  exit 2
fi
if [ ! -x "$runtime/bin/java" ]; then
  echo "device-bench.sh: $runtime/bin/java is missing; give a JDK 22+ or a jlink runtime" >&2
  exit 2
fi
if [ ! -f "$jar" ]; then
  echo "device-bench.sh: $jar is not a file; build it with bin/mvn-jdk -B -o package" >&2
  exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "device-bench.sh: python3 is needed to time the runs" >&2
  exit 2
fi
N=${N:-15}
MODEL=${MODEL:-meta-llama/Llama-3.1-8B-Instruct}
CHECK_OPTIONS=${CHECK_OPTIONS:-}
OUT=${OUT:-device-bench}
mkdir -p "$OUT" || exit 2
runtime=$(cd "$runtime" && pwd)
jar_dir=$(cd "$(dirname "$jar")" && pwd)
jar="$jar_dir/$(basename "$jar")"
java="$runtime/bin/java"

# The JVM options of bin/sglang-preflight: C1 only, the serial GC, no perf data file.
base="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
release=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$runtime/release" 2>/dev/null | head -n 1)
if [ -z "$release" ]; then
  release=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
fi
cache_dir="$OUT/cache"
mkdir -p "$cache_dir"
cache_dir=$(cd "$cache_dir" && pwd)
default_train="check --simulate 8xH200 --sglang-version main -- python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8 --enable-dp-attention --dp-size 8"
case "${TRAIN_CMD:-}" in
  "") train_cmd=$default_train ;;
  real) train_cmd="check $CHECK_OPTIONS -- python3 -m sglang.launch_server --model-path $MODEL" ;;
  *) train_cmd=$TRAIN_CMD ;;
esac
if [ -n "$release" ] && [ "$release" -ge 25 ]; then
  aot="$cache_dir/sglang-preflight.aot"
  rm -f "$aot"
  # shellcheck disable=SC2086
  "$java" $base -XX:AOTCacheOutput="$aot" -Xlog:aot=off -Xlog:cds=off -jar "$jar" $train_cmd \
    >/dev/null 2>&1
  if [ -f "$aot" ]; then
    cache="-XX:AOTCache=$aot -Xlog:aot=off -Xlog:cds=off"
    echo "AOT cache (JDK $release, JEP 483/514/515) trained on: $train_cmd" >"$OUT/aot.txt"
  else
    cache=""
    echo "JDK $release: training the AOT cache failed; runs without a cache" >"$OUT/aot.txt"
  fi
else
  jsa="$cache_dir/sglang-preflight.jsa"
  rm -f "$jsa"
  # shellcheck disable=SC2086
  "$java" $base -XX:ArchiveClassesAtExit="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" \
    $train_cmd >/dev/null 2>&1
  if [ -f "$jsa" ]; then
    cache="-XX:SharedArchiveFile=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
    echo "JDK ${release:-unknown} has no AOT cache: CDS archive trained on: $train_cmd" >"$OUT/aot.txt"
  else
    cache=""
    echo "JDK ${release:-unknown}: no AOT cache, and the CDS archive failed; runs without one" \
      >"$OUT/aot.txt"
  fi
fi
cat "$OUT/aot.txt"

export DB_JAVA="$java" DB_BASE="$base" DB_CACHE="$cache" DB_JAR="$jar" DB_N="$N" \
  DB_MODEL="$MODEL" DB_CHECK_OPTIONS="$CHECK_OPTIONS" DB_OUT="$OUT"
python3 - <<'PY'
import os, shlex, statistics, subprocess, time

java = os.environ["DB_JAVA"]
jvm = shlex.split(os.environ["DB_BASE"]) + shlex.split(os.environ["DB_CACHE"])
n = int(os.environ["DB_N"])
out = os.environ["DB_OUT"]
check = (
    [java] + jvm + ["-jar", os.environ["DB_JAR"], "check"]
    + shlex.split(os.environ["DB_CHECK_OPTIONS"])
    + ["--", "python3", "-m", "sglang.launch_server", "--model-path", os.environ["DB_MODEL"]]
)
nvml = (
    "import pynvml as n; n.nvmlInit(); h = n.nvmlDeviceGetHandleByIndex(0); "
    "n.nvmlDeviceGetMemoryInfo(h); n.nvmlShutdown()"
)
commands = [
    ("java -version", [java, "-version"]),
    ("nvidia-smi", ["nvidia-smi", "--query-gpu=memory.used,memory.total", "--format=csv"]),
    ("nvidia-ml-py", ["python3", "-c", nvml]),
    ("check", check),
]


def run(argv):
    """Wall milliseconds and exit code of one run; 127 when the program is missing."""
    start = time.perf_counter()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        code, output = p.returncode, p.stdout
    except OSError as e:
        code, output = 127, str(e).encode()
    return (time.perf_counter() - start) * 1000.0, code, output


for _, argv in commands:  # one warm-up run of each, not counted
    run(argv)
rows = []
last_check = b""
for i in range(1, n + 1):
    for name, argv in commands:
        ms, code, output = run(argv)
        rows.append((i, name, ms, code))
        if name == "check":
            last_check = output
with open(os.path.join(out, "bench.tsv"), "w") as f:
    f.write("run\tcommand\twall_ms\texit\n")
    for i, name, ms, code in rows:
        f.write(f"{i}\t{name}\t{ms:.2f}\t{code}\n")
with open(os.path.join(out, "check-output.txt"), "wb") as f:
    f.write(last_check)

base = {i: ms for i, name, ms, _ in rows if name == "java -version"}
lines = [
    f"runs: {n} of each after one warm-up, in turn; wall ms from time.perf_counter around each"
    " process",
    "check: " + " ".join(shlex.quote(a) for a in check),
    "",
    f"{'command':<14} {'min ms':>9} {'median ms':>10} {'max ms':>9}"
    f" {'ratio to java -version (median of pairs)':>42}  exit codes",
]
for name, _ in commands:
    ms = [m for _, c, m, _ in rows if c == name]
    codes = sorted({code for _, c, _, code in rows if c == name})
    ratios = [m / base[i] for i, c, m, _ in rows if c == name and base.get(i)]
    ratio = f"{statistics.median(ratios):.2f}x" if ratios else "-"
    lines.append(
        f"{name:<14} {min(ms):>9.1f} {statistics.median(ms):>10.1f} {max(ms):>9.1f}"
        f" {ratio:>42}  {','.join(str(c) for c in codes)}"
    )
lines.append("")
lines.append("exit codes: check 0 ACCEPT, 3 ADJUST, 4 REJECT, 1 GPUs unreadable; 127 not found")
text = "\n".join(lines) + "\n"
with open(os.path.join(out, "bench-summary.txt"), "w") as f:
    f.write(text)
print(text, end="")
PY
