package io.github.sglangpreflight.gpu;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One physical GPU as NVML sees it. NVML's index is not the CUDA device ordinal: identify GPUs by
 * {@link #uuid()} or {@link #pciBusId()}.
 *
 * @param index the NVML index
 * @param uuid {@code GPU-...}
 * @param pciBusId {@code 00000000:00:06.0}
 * @param name e.g. {@code NVIDIA H200}
 * @param computeCapability empty where the driver does not say
 * @param migMode empty where the GPU does not support MIG (NVML NOT_SUPPORTED)
 * @param memory the memory reading
 * @param processes compute processes on it (advisory: host PIDs)
 * @param migDevices MIG instances when MIG is on, else empty
 * @param interconnect how it reaches its peers (NVLink, PCIe), {@link Interconnect#unknown()} where
 *     not read
 */
public record Gpu(
    int index,
    String uuid,
    String pciBusId,
    String name,
    Optional<ComputeCapability> computeCapability,
    Optional<MigMode> migMode,
    GpuMemory memory,
    List<GpuProcess> processes,
    List<MigDevice> migDevices,
    Interconnect interconnect) {

  /** A GPU whose interconnect was not read. */
  public Gpu(
      int index,
      String uuid,
      String pciBusId,
      String name,
      Optional<ComputeCapability> computeCapability,
      Optional<MigMode> migMode,
      GpuMemory memory,
      List<GpuProcess> processes,
      List<MigDevice> migDevices) {
    this(
        index,
        uuid,
        pciBusId,
        name,
        computeCapability,
        migMode,
        memory,
        processes,
        migDevices,
        Interconnect.unknown());
  }

  /** The same GPU with {@code link} as its interconnect. */
  public Gpu withInterconnect(Interconnect link) {
    return new Gpu(
        index,
        uuid,
        pciBusId,
        name,
        computeCapability,
        migMode,
        memory,
        processes,
        migDevices,
        link);
  }

  public Gpu {
    if (index < 0) {
      throw new IllegalArgumentException("GPU index must not be negative, was " + index);
    }
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(pciBusId, "pciBusId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(computeCapability, "computeCapability");
    Objects.requireNonNull(migMode, "migMode");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(interconnect, "interconnect");
    processes = List.copyOf(processes);
    migDevices = List.copyOf(migDevices);
  }

  /** True when MIG is enabled now. */
  public boolean migEnabled() {
    return migMode.map(MigMode::currentEnabled).orElse(false);
  }
}
