#!/usr/bin/env sh
# Counts the public and the exported public types of the compiled library (after a compile):
#   tools/public-types.sh [CLASSES_DIR] [-v]      default target/classes; -v lists the exported ones
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
java_home=$("$root/bin/find-jdk")
exec "$java_home/bin/java" "$root/tools/PublicTypes.java" "${1:-$root/target/classes}" ${2:-}
