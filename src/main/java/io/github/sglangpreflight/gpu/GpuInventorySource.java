package io.github.sglangpreflight.gpu;

import io.github.sglangpreflight.errors.GpuQueryException;

/**
 * Where a {@link GpuInventory} comes from: the seam tests mock.
 *
 * <p>Standard implementations: NVML through java.lang.foreign ({@code
 * io.github.sglangpreflight.gpu.nvml.NvmlGpuInventorySource}), a JSON snapshot file ({@code
 * Preflight.Builder.gpuSnapshot}), a built-in preset ({@code Preflight.Builder.simulatedGpus}), or
 * a fixed inventory ({@link #fixed(GpuInventory)}).
 */
public interface GpuInventorySource {

  /**
   * Reads every GPU now.
   *
   * @throws GpuQueryException when the GPUs cannot be read at all (no driver, NVML error)
   */
  GpuInventory read();

  /**
   * A short description for messages: {@code NVML (/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1)}.
   */
  String describe();

  /** A source that always returns {@code inventory}. */
  static GpuInventorySource fixed(GpuInventory inventory) {
    java.util.Objects.requireNonNull(inventory, "inventory");
    return new GpuInventorySource() {
      @Override
      public GpuInventory read() {
        return inventory;
      }

      @Override
      public String describe() {
        return inventory.source();
      }
    };
  }
}
