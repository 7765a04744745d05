package io.github.sglangpreflight.gpu;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A compute process NVML lists on a GPU. NVML reports host PIDs; inside a container without the
 * host PID namespace the PID may not resolve, so the name is then empty.
 *
 * @param pid the host process id
 * @param usedBytes GPU memory the process holds; empty where the driver cannot say (Windows WDDM)
 * @param name the process name from {@code /proc/<pid>/comm} (or its command line) where visible
 */
public record GpuProcess(long pid, OptionalLong usedBytes, Optional<String> name) {
  public GpuProcess {
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive, was " + pid);
    }
    Objects.requireNonNull(usedBytes, "usedBytes");
    Objects.requireNonNull(name, "name");
    if (usedBytes.isPresent() && usedBytes.getAsLong() < 0) {
      throw new IllegalArgumentException(
          "usedBytes must not be negative, was " + usedBytes.getAsLong());
    }
  }
}
