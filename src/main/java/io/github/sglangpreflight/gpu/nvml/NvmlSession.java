package io.github.sglangpreflight.gpu.nvml;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds one NVML initialisation open (see {@link NvmlGpuInventorySource#openSession()}). Closing it
 * ends that initialisation; a second close does nothing. Thread-safe.
 */
public final class NvmlSession implements AutoCloseable {
  private final NvmlApi api;
  private final AtomicBoolean open = new AtomicBoolean(true);

  NvmlSession(NvmlApi api) {
    this.api = api;
  }

  /** Ends the initialisation this session holds, once. */
  @Override
  public void close() {
    if (open.compareAndSet(true, false)) {
      NvmlInventoryReader.shutdown(api);
    }
  }
}
