package io.github.sglangpreflight.gpu;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Every GPU of this host at one moment, immutable.
 *
 * @param source where it came from: {@code nvml}, {@code snapshot:<path>} or {@code preset:<name>}
 * @param driverVersion e.g. {@code 580.159.04}
 * @param nvmlVersion e.g. {@code 13.580.159.04}
 * @param cudaDriverVersion e.g. 13000 for CUDA 13.0; empty where libcuda is absent
 * @param gpus the readable GPUs, in NVML index order
 * @param unreadable GPUs NVML counts but could not read
 * @param notes degraded paths taken while reading (v1 fallback, a skipped process list), one
 *     sentence each
 */
public record GpuInventory(
    String source,
    Optional<String> driverVersion,
    Optional<String> nvmlVersion,
    OptionalInt cudaDriverVersion,
    List<Gpu> gpus,
    List<UnreadableGpu> unreadable,
    List<String> notes) {

  public GpuInventory {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(driverVersion, "driverVersion");
    Objects.requireNonNull(nvmlVersion, "nvmlVersion");
    Objects.requireNonNull(cudaDriverVersion, "cudaDriverVersion");
    gpus = List.copyOf(gpus);
    unreadable = List.copyOf(unreadable);
    notes = List.copyOf(notes);
  }

  /** The GPU with this UUID (case-insensitive, with or without the {@code GPU-} prefix). */
  public Optional<Gpu> byUuid(String uuid) {
    String wanted = stripGpuPrefix(uuid);
    return gpus.stream().filter(g -> stripGpuPrefix(g.uuid()).equalsIgnoreCase(wanted)).findFirst();
  }

  /**
   * The smallest {@code memory.total} in MiB over every readable GPU of the host, ignoring {@code
   * CUDA_VISIBLE_DEVICES}: the {@code gpu_mem} SGLang's default fraction is computed from. Empty
   * when no GPU is readable.
   */
  public OptionalLong minTotalMib() {
    return gpus.stream().mapToLong(g -> g.memory().totalMib()).min();
  }

  private static String stripGpuPrefix(String uuid) {
    String u = uuid.trim();
    return u.regionMatches(true, 0, "GPU-", 0, 4) ? u.substring(4) : u;
  }
}
