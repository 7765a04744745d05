package io.github.sglangpreflight.gpu.nvml;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuProcess;

/**
 * Test-only main that {@link NvmlChildJvmTest} runs in a fresh JVM, because a JVM can load only one
 * NVML: reads the inventory the way a user would and prints it, one fact per line, on stdout.
 *
 * <p>Modes: {@code read} (whatever NVML the JVM finds) and {@code legacy-stub} (loads the legacy
 * stub and gives it one H200 with two processes first). Exit 0 after a read, 3 after a
 * GpuQueryException (its message on stdout after {@code ERROR: }).
 */
public final class NvmlProbeMain {
  private NvmlProbeMain() {}

  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "read";
    try {
      if (mode.equals("legacy-stub")) {
        NvmlStub stub = NvmlStub.load("legacy");
        stub.driverVersion("470.256.02");
        stub.deviceCount(1);
        stub.h200(0, "GPU-0a1b2c3d-0000-4000-8000-000000000470", 6);
        stub.process(0, 4242, 1L << 30);
        stub.process(0, 4343, 2L << 30);
      }
      NvmlGpuInventorySource source = NvmlGpuInventorySource.create();
      GpuInventory inventory = source.read();
      System.out.println("describe=" + source.describe());
      System.out.println("driver=" + inventory.driverVersion().orElse("unknown"));
      for (Gpu gpu : inventory.gpus()) {
        System.out.println(
            "gpu "
                + gpu.index()
                + " "
                + gpu.name()
                + " memory="
                + gpu.memory().version()
                + " total="
                + gpu.memory().totalBytes()
                + " reserved="
                + (gpu.memory().reservedBytes().isPresent()
                    ? Long.toString(gpu.memory().reservedBytes().getAsLong())
                    : "unknown")
                + " free="
                + gpu.memory().freeBytes()
                + " used="
                + gpu.memory().usedBytes());
        for (GpuProcess p : gpu.processes()) {
          System.out.println(
              "gpu " + gpu.index() + " process " + p.pid() + " used=" + p.usedBytes().orElse(-1));
        }
      }
      for (String note : inventory.notes()) {
        System.out.println("note=" + note);
      }
      System.exit(0);
    } catch (GpuQueryException e) {
      System.out.println("ERROR: " + e.getMessage());
      System.exit(3);
    }
  }
}
