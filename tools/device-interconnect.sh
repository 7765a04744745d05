#!/usr/bin/env sh
# Compares sglang-preflight's interconnect reading (NVML through java.lang.foreign, issue 10) with
# what nvidia-smi says, on a real GPU host. Nothing is changed on the host; it only reads.
#
# Usage: tools/device-interconnect.sh CLI_JAR RUNTIME_DIR [OUT_DIR]
#   CLI_JAR      target/sglang-preflight-cli.jar (bin/mvn-jdk -B -o package)
#   RUNTIME_DIR  a JDK 22+ or a jlink runtime holding java.base (RUNTIME_DIR/bin/java)
#   OUT_DIR      where the captures go (default: ./interconnect-capture, created)
#
# Writes to OUT_DIR (and prints a summary):
#   preflight-gpus.txt / preflight-gpus.json   sglang-preflight gpus [--json]
#   smi-nvlink-s.txt       nvidia-smi nvlink -s        (per link: "Link N: <speed> GB/s" or inactive)
#   smi-topo-m.txt         nvidia-smi topo -m          (NV# between a pair = NVLink, PIX/PXB/PHB/NODE/SYS = PCIe)
#   smi-q-link.txt         nvidia-smi -q | grep -A3 -i link   (PCIe generation and width, Max/Current)
#   compare.txt            per GPU: preflight's kind, active links, PCIe gen/width
#                          beside nvidia-smi's active-link count and the topo row
# Exit status: 0 when every GPU's active-link count and PCIe max generation/width agree (or
# nvidia-smi gave nothing to compare), 1 on a mismatch, 2 on bad arguments or a missing tool.
# What to look for by hand: preflight "nvlink" where topo -m shows NV# to every other GPU,
# "nvlink-pairs" where NV# reaches some GPUs only, "pcie" where no pair shows NV#.
set -u
jar=${1:-}
runtime=${2:-}
out=${3:-interconnect-capture}
if [ -z "$jar" ] || [ -z "$runtime" ]; then
  echo "usage: tools/device-interconnect.sh CLI_JAR RUNTIME_DIR [OUT_DIR]" >&2
  exit 2
fi
if [ ! -f "$jar" ]; then
  echo "device-interconnect.sh: $jar is not a file; build it with bin/mvn-jdk -B -o package" >&2
  exit 2
fi
java="$runtime/bin/java"
if [ ! -x "$java" ]; then
  echo "device-interconnect.sh: $java is missing or not executable; give a JDK 22+ or jlink runtime" >&2
  exit 2
fi
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "device-interconnect.sh: nvidia-smi is not on the PATH; run this on the GPU host" >&2
  exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "device-interconnect.sh: python3 is needed for the comparison (the captures need only sh)" >&2
  exit 2
fi
mkdir -p "$out"

"$java" -jar "$jar" gpus > "$out/preflight-gpus.txt" 2>&1
"$java" -jar "$jar" gpus --json > "$out/preflight-gpus.json" 2> "$out/preflight-gpus.err"
nvidia-smi nvlink -s > "$out/smi-nvlink-s.txt" 2>&1
nvidia-smi topo -m > "$out/smi-topo-m.txt" 2>&1
nvidia-smi -q | grep -A3 -i 'link' > "$out/smi-q-link.txt" 2>&1
nvidia-smi --query-gpu=index,pcie.link.gen.max,pcie.link.width.max --format=csv,noheader \
  > "$out/smi-pcie-max.csv" 2>&1

python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
try:
    snap = json.load(open(f"{out}/preflight-gpus.json"))
except Exception as e:
    print(f"preflight-gpus.json is not JSON ({e}); see preflight-gpus.err")
    sys.exit(1)

# nvidia-smi nvlink -s: "GPU 0: NVIDIA H100 ..." then "\t Link 0: 26.562 GB/s" or "Link 0: <inactive>"
active, gpu = {}, None
for line in open(f"{out}/smi-nvlink-s.txt"):
    m = re.match(r"GPU (\d+):", line)
    if m:
        gpu = int(m.group(1))
        active.setdefault(gpu, 0)
        continue
    if gpu is not None and re.search(r"Link \d+:\s*[\d.]+\s*GB/s", line):
        active[gpu] += 1

pcie = {}
for line in open(f"{out}/smi-pcie-max.csv"):
    parts = [p.strip() for p in line.split(",")]
    if len(parts) == 3 and parts[0].isdigit():
        pcie[int(parts[0])] = (parts[1], parts[2])

topo = {}
for line in open(f"{out}/smi-topo-m.txt"):
    m = re.match(r"\s*GPU(\d+)\s+(.*)", line)
    if m:
        topo[int(m.group(1))] = " ".join(m.group(2).split())

rows, bad = [], 0
for g in snap.get("gpus", []):
    i = g["index"]
    link = g.get("interconnect") or {}
    mine = link.get("activeNvLinks")
    smi = active.get(i)
    gen, width = link.get("pcieGeneration"), link.get("pcieWidth")
    smi_gen, smi_width = pcie.get(i, (None, None))
    agree_links = smi is None or mine is None and smi == 0 or mine == smi
    agree_pcie = smi_gen is None or (str(gen) == smi_gen and str(width) == smi_width)
    bad += (not agree_links) + (not agree_pcie)
    rows.append(
        f"GPU {i} {g['name']}: preflight {link.get('kind', 'not read')}, "
        f"{mine} active links, PCIe gen {gen} x{width} | nvidia-smi {smi} active links, "
        f"PCIe max gen {smi_gen} x{smi_width} | {'ok' if agree_links and agree_pcie else 'MISMATCH'}\n"
        f"  source: {link.get('source', '-')}\n  topo -m: {topo.get(i, '-')}")
text = "\n".join(rows) + f"\n{len(rows)} GPU(s), {bad} mismatch(es)\n"
open(f"{out}/compare.txt", "w").write(text)
print(text, end="")
sys.exit(1 if bad else 0)
PY
