#!/usr/bin/env sh
# Regenerates nvml-bindings/src/main/java from NVIDIA's nvml.h with jextract.
#
# Usage: nvml-bindings/regenerate.sh /path/to/nvml.h
#   nvml.h: CUDA 13.0's (cuda_nvml_dev package, or /usr/local/cuda/include/nvml.h). It is NVIDIA's
#   file: pass it in, never commit it.
# Needs: jextract on the PATH (or JEXTRACT=/path/to/bin/jextract). Its output must compile with
#   --release 22: use a jextract built from the jdk22 branch (jdk.java.net/jextract "22" builds);
#   newer ones emit SymbolLookup::findOrThrow, which is JDK 23+.
# Writes: nvml-bindings/src/main/java/io/github/sglangpreflight/nvml/bindings/*.java (replaced
#   whole) and nvml-bindings/JEXTRACT_VERSION (jextract --version and the header's checksum).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
header=${1:-}
jextract=${JEXTRACT:-jextract}

if [ -z "$header" ]; then
  echo "regenerate.sh: give the path of nvml.h (CUDA 13.0), e.g. nvml-bindings/regenerate.sh /usr/local/cuda/include/nvml.h" >&2
  exit 2
fi
if [ ! -f "$header" ]; then
  echo "regenerate.sh: $header is not a file; give the path of nvml.h (CUDA 13.0)" >&2
  exit 2
fi
if ! command -v "$jextract" >/dev/null 2>&1; then
  echo "regenerate.sh: jextract not found ($jextract is not on the PATH); nothing was changed." >&2
  echo "  Get a jextract for JDK 22 from https://jdk.java.net/jextract/ (or build the jdk22 branch of" >&2
  echo "  https://github.com/openjdk/jextract), then put its bin/ on the PATH or set JEXTRACT=/path/to/bin/jextract." >&2
  exit 1
fi

out=$here/src/main/java
package_dir=$out/io/github/sglangpreflight/nvml/bindings
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -D NVML_NO_UNVERSIONED_FUNC_DEFS declares the legacy nvmlDeviceGetComputeRunningProcesses and _v2
# (needed for old drivers and the 535.43-535.103 _v3 ABI break); includes.txt keeps only the
# versioned names we call. No --library: the header class resolves symbols through
# SymbolLookup.loaderLookup() after NvmlLibrary has System.load-ed libnvidia-ml.so.1, so it
# loads on a machine without NVML.
"$jextract" @"$here/includes.txt" \
  -D NVML_NO_UNVERSIONED_FUNC_DEFS \
  --output "$tmp" \
  --target-package io.github.sglangpreflight.nvml.bindings \
  --header-class-name nvml_h \
  "$header"

rm -rf "$package_dir"
mkdir -p "$(dirname "$package_dir")"
mv "$tmp/io/github/sglangpreflight/nvml/bindings" "$package_dir"
{
  "$jextract" --version 2>&1
  echo "nvml.h: $(head -c 200 "$header" | tr -d '\r' | head -n 1)"
  echo "nvml.h sha256: $(sha256sum "$header" | cut -d ' ' -f 1)"
} > "$here/JEXTRACT_VERSION"
echo "regenerate.sh: wrote $(ls "$package_dir" | wc -l) files to $package_dir; review with git diff, then build with bin/mvn-jdk -B verify"
