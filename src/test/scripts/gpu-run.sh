#!/usr/bin/env sh
# Runs the NVML checks on a GPU machine that has no Java and no Maven.
#
# Run from the repository root, after building elsewhere with
#   bin/mvn-jdk -B -Pdevice -DskipTests package     (fills target/device-lib)
#   jlink --add-modules <see below> --strip-debug --no-header-files --no-man-pages \
#         --compress zip-9 --output .jre
# and carrying .jre/, target/classes, target/test-classes and target/device-lib to the machine.
#
# It runs, printing everything:
#   1. the JUnit tests tagged "gpu" (NvmlGpuInventorySourceGpuTest) with the console launcher;
#      XML reports go to $OUT/junit when OUT is set;
#   2. the benchmark main NvmlReadHarness on the real driver;
#   3. nvidia-smi, for comparison.
# Exit status: the tests' (0 when they passed or were skipped); the later steps never hide it.
# Environment: JAVA (default .jre/bin/java), READS (steady-state reads, default 2000).
set -u

java=${JAVA:-.jre/bin/java}
lib=target/device-lib
console=$(ls "$lib"/junit-platform-console-standalone-*.jar 2>/dev/null | head -n 1)

fail() { echo "gpu-run.sh: $*" >&2; exit 2; }
[ -x "$java" ] || fail "$java is not an executable Java; carry the jlink'd runtime as .jre/ or set JAVA=/path/to/bin/java"
[ -d target/classes ] && [ -d target/test-classes ] || fail "target/classes and target/test-classes are missing; run from the repository root after the build"
[ -n "$console" ] || fail "$lib has no junit-platform-console-standalone jar; build with: bin/mvn-jdk -B -Pdevice -DskipTests package"

# The test class path: our classes and every test-scope jar, except the JUnit jars that the
# console launcher already bundles (two copies of the Jupiter engine would clash).
cp=target/test-classes:target/classes
for jar in "$lib"/*.jar; do
  case $(basename "$jar") in
    junit-*|opentest4j-*|apiguardian-*) ;;
    *) cp=$cp:$jar ;;
  esac
done
jvm_opts="--enable-native-access=ALL-UNNAMED"

echo "== machine"
uname -a
"$java" -version 2>&1
echo "java modules: $("$java" --list-modules 2>/dev/null | tr '\n' ' ')"

echo
echo "== 1. GPU tests (tag gpu)"
reports=""
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT/junit"
  reports="--reports-dir=$OUT/junit"
fi
# shellcheck disable=SC2086
"$java" $jvm_opts -cp "$console:$cp" org.junit.platform.console.ConsoleLauncher execute \
  --scan-class-path target/test-classes --include-tag gpu \
  --details=tree --disable-banner --disable-ansi-colors $reports
tests_rc=$?
echo "GPU tests exit status: $tests_rc"

echo
echo "== 2. benchmark: NvmlReadHarness (real NVML)"
# shellcheck disable=SC2086
"$java" $jvm_opts -cp "$cp" io.github.sglangpreflight.bench.NvmlReadHarness --reads "${READS:-2000}" \
  || echo "NvmlReadHarness exit status: $?"

echo
echo "== 3. nvidia-smi"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=index,uuid,pci.bus_id,name,memory.total,memory.reserved,memory.used,memory.free,compute_cap,mig.mode.current,driver_version --format=csv
  nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv
  nvidia-smi -q -d MEMORY
else
  echo "nvidia-smi is not on the PATH"
fi

exit "$tests_rc"
