package io.github.sglangpreflight.gpu.nvml;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Reads every GPU through NVIDIA's NVML ({@code libnvidia-ml.so.1}) with java.lang.foreign: no CUDA
 * context, no GPU memory used, about as fast as {@code nvidia-smi}.
 *
 * <p>Each {@link #read()} initialises NVML, reads, and shuts NVML down again (NVML counts
 * initialisations, so this composes with other NVML users in the process). Memory comes from {@code
 * nvmlDeviceGetMemoryInfo_v2} (the driver's reservation split out, as {@code nvidia-smi} shows it),
 * falling back to v1 on drivers without it; every such degraded path is named in {@link
 * GpuInventory#notes()} and logged at WARN. A GPU NVML counts but cannot read (no permission,
 * fallen off the bus) is listed in {@link GpuInventory#unreadable()} with the reason, and the
 * others are still read.
 *
 * <p>The library is looked up on the first read: system property {@code
 * sglang.preflight.nvml.library} or environment variable {@code SGLANG_PREFLIGHT_NVML_LIBRARY} (the
 * path of the file), else {@code libnvidia-ml.so.1} through the dynamic linker, else the usual
 * driver directories. The JVM needs {@code --enable-native-access=ALL-UNNAMED} (or the module's
 * name) to call it without a warning.
 *
 * <p>Instances are immutable and thread-safe; concurrent reads are safe.
 */
public final class NvmlGpuInventorySource implements GpuInventorySource {
  private static final Path PROC = Path.of("/proc");

  private final Supplier<NvmlApi> apiSupplier;
  private final Path procRoot;
  private volatile NvmlApi api;

  private NvmlGpuInventorySource(Supplier<NvmlApi> apiSupplier, Path procRoot) {
    this.apiSupplier = Objects.requireNonNull(apiSupplier, "apiSupplier");
    this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
  }

  /** For tests: reads through {@code api}, process names from {@code procRoot} (normally /proc). */
  NvmlGpuInventorySource(NvmlApi api, Path procRoot) {
    this(() -> api, procRoot);
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * The NVML source of this machine. Nothing is loaded yet: the first {@link #read()} loads the
   * library and reports there when it cannot.
   */
  public static NvmlGpuInventorySource create() {
    return new NvmlGpuInventorySource(BoundNvmlApi::instance, PROC);
  }

  /**
   * Reads every GPU now.
   *
   * @throws GpuQueryException when NVML is not available (the message lists every place tried and
   *     why each failed)
   * @throws NvmlException when NVML refuses to start or to count the GPUs (the message names the
   *     function, the code, NVML's text and the fix)
   */
  @Override
  public GpuInventory read() {
    return new NvmlInventoryReader(api(), procRoot).read();
  }

  /**
   * Keeps NVML initialised until the returned session is closed, so that repeated {@link #read()}
   * calls skip the driver's set-up and tear-down (milliseconds per read on real GPUs). Reads still
   * pair their own init and shutdown inside. Close it exactly once; closing again does nothing.
   *
   * @throws GpuQueryException when NVML is not available
   * @throws NvmlException when NVML refuses to start
   */
  public NvmlSession openSession() {
    NvmlApi current = api();
    NvmlInventoryReader.initialise(current, procRoot);
    return new NvmlSession(current);
  }

  /** {@code NVML (/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.580.159.04)} once loaded. */
  @Override
  public String describe() {
    NvmlApi current = api;
    return current == null
        ? "NVML (" + NvmlLibrary.SONAME + ", not loaded yet)"
        : "NVML (" + current.libraryPath() + ")";
  }

  private NvmlApi api() {
    NvmlApi current = api;
    if (current == null) {
      synchronized (this) {
        if (api == null) {
          api = apiSupplier.get();
        }
        current = api;
      }
    }
    return current;
  }
}
