#!/usr/bin/env sh
# Builds the stub NVML libraries the FFM tests load instead of the NVIDIA driver's.
#   $1 = output directory (the pom passes target/nvml-stub)
# Produces:
#   $1/current/libnvidia-ml.so.1   every bound symbol, like driver 580
#   $1/legacy/libnvidia-ml.so.1    no *_v2 memory info and no *_v3 process list, like driver 470
set -eu
out=${1:?usage: build-stub.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)/nvml_stub.c
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "build-stub.sh: $cc not found; the FFM stub tests need a C compiler (install gcc or set CC)" >&2
  exit 1
fi
mkdir -p "$out/current" "$out/legacy"
"$cc" -std=c11 -O1 -Wall -Wextra -Werror -shared -fPIC -o "$out/current/libnvidia-ml.so.1" "$src"
"$cc" -std=c11 -O1 -Wall -Wextra -Werror -shared -fPIC -DSTUB_LEGACY_DRIVER -o "$out/legacy/libnvidia-ml.so.1" "$src"
