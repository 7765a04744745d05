package io.github.sglangpreflight.gpu;

import java.util.Objects;

/**
 * A MIG instance of a GPU in MIG mode, as CUDA enumerates it through a {@code MIG-...} UUID.
 *
 * @param index the MIG device index within its parent GPU
 * @param uuid the instance's {@code MIG-...} UUID
 * @param name the instance's name, e.g. {@code NVIDIA A100-SXM4-80GB MIG 3g.40gb}
 * @param memory the instance's memory
 */
public record MigDevice(int index, String uuid, String name, GpuMemory memory) {
  public MigDevice {
    if (index < 0) {
      throw new IllegalArgumentException("MIG device index must not be negative, was " + index);
    }
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(memory, "memory");
  }
}
