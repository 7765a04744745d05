#!/usr/bin/env sh
# Runs the JMH benchmarks of src/test/java (never run by the tests).
# Usage: tools/bench.sh [JMH arguments...]
#   tools/bench.sh                               every benchmark
#   tools/bench.sh PreflightCheckBenchmark       one class (a regular expression over names)
#   tools/bench.sh -rf json -rff target/jmh.json PreflightCheckBenchmark
# Builds the test classes and the stub libnvidia-ml.so.1 first (the NVML benchmark reads it).
set -eu
cd "$(dirname "$0")/.."
# The library module only: its test class path holds JMH (the classes land in the repository's
# target/, the module's build directory).
bin/mvn-jdk -q -B -DskipTests -pl src/library process-test-classes dependency:build-classpath \
  -Dmdep.outputFile="$PWD/target/bench.classpath" -Dmdep.includeScope=test
JAVA_HOME=$(bin/find-jdk)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dnvml.stub.dir=target/nvml-stub \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main "$@"
