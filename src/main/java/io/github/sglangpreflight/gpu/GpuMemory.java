package io.github.sglangpreflight.gpu;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One GPU's memory as NVML reports it, in bytes.
 *
 * <p>With {@link Version#V2} ({@code nvmlDeviceGetMemoryInfo_v2}) the driver's reservation is split
 * out: {@code total = reserved + free + used}, and {@code used} is what processes allocated (what
 * {@code nvidia-smi} shows). With the {@link Version#V1} fallback the reservation is unknown and
 * {@code used} includes it (about 615 MiB on an idle H200). {@code free} is the same in both and is
 * what a launch can budget on.
 *
 * @param totalBytes the whole memory ({@code nvidia-smi memory.total} is this in MiB)
 * @param reservedBytes the driver/firmware reservation; empty with the v1 fallback
 * @param freeBytes memory nobody holds
 * @param usedBytes memory processes hold (v2), or processes plus the reservation (v1)
 * @param version which NVML call produced the numbers
 */
public record GpuMemory(
    long totalBytes, OptionalLong reservedBytes, long freeBytes, long usedBytes, Version version) {

  /** Which NVML call the numbers come from. */
  public enum Version {
    /** {@code nvmlDeviceGetMemoryInfo_v2}: reserved split out of used. */
    V2,
    /** {@code nvmlDeviceGetMemoryInfo}: used includes the driver reservation. */
    V1
  }

  public GpuMemory {
    Objects.requireNonNull(reservedBytes, "reservedBytes");
    Objects.requireNonNull(version, "version");
    requireBytes("totalBytes", totalBytes, Long.MAX_VALUE);
    requireBytes("freeBytes", freeBytes, totalBytes);
    requireBytes("usedBytes", usedBytes, totalBytes);
    if (version == Version.V2 && reservedBytes.isEmpty()) {
      throw new IllegalArgumentException("reservedBytes is required with NVML v2 memory info");
    }
    if (version == Version.V1 && reservedBytes.isPresent()) {
      throw new IllegalArgumentException(
          "reservedBytes must be empty with NVML v1 memory info (v1 counts it in usedBytes), was "
              + reservedBytes.getAsLong());
    }
    if (reservedBytes.isPresent()) {
      requireBytes("reservedBytes", reservedBytes.getAsLong(), totalBytes);
    }
  }

  /** Numbers from {@code nvmlDeviceGetMemoryInfo_v2}. */
  public static GpuMemory v2(long totalBytes, long reservedBytes, long freeBytes, long usedBytes) {
    return new GpuMemory(
        totalBytes, OptionalLong.of(reservedBytes), freeBytes, usedBytes, Version.V2);
  }

  /** Numbers from the v1 fallback {@code nvmlDeviceGetMemoryInfo}. */
  public static GpuMemory v1(long totalBytes, long freeBytes, long usedBytes) {
    return new GpuMemory(totalBytes, OptionalLong.empty(), freeBytes, usedBytes, Version.V1);
  }

  /** {@code nvidia-smi --query-gpu=memory.total} in MiB: what SGLang's default fraction reads. */
  public long totalMib() {
    return totalBytes >> 20;
  }

  /**
   * The total the CUDA runtime (and so torch and SGLang) reports: NVML total minus the reservation.
   * Empty with the v1 fallback, where the reservation is unknown.
   */
  public OptionalLong cudaTotalBytes() {
    return reservedBytes.isPresent()
        ? OptionalLong.of(totalBytes - reservedBytes.getAsLong())
        : OptionalLong.empty();
  }

  private static void requireBytes(String name, long value, long max) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
    if (value > max) {
      throw new IllegalArgumentException(
          name + " must not exceed totalBytes " + max + ", was " + value);
    }
  }
}
