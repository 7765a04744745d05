package io.github.sglangpreflight.bench;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.nvml.NvmlGpuInventorySource;
import io.github.sglangpreflight.gpu.nvml.NvmlSession;
import io.github.sglangpreflight.gpu.nvml.NvmlStub;
import java.util.Locale;

/**
 * A plain main (no JMH needed at run time) that times reading the inventory: library load plus NVML
 * init, the first read, then steady-state reads with NVML kept initialised by a session and reads
 * that each initialise and shut NVML down. Usable on the GPU machine (real NVML) and here (the
 * stub).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp "target/test-classes:target/classes:target/device-lib/*" \
 *   io.github.sglangpreflight.bench.NvmlReadHarness [--stub GPUS] [--reads N] [--cold-reads N]
 * </pre>
 *
 * {@code --stub 8} loads target/nvml-stub/current (or -Dnvml.stub.dir) with 8 H200s instead of the
 * real driver. Wall-clock numbers, printed for people; nothing here asserts them.
 */
public final class NvmlReadHarness {
  private NvmlReadHarness() {}

  public static void main(String[] args) {
    int stubGpus = 0;
    int reads = 2000;
    int coldReads = 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--stub" -> stubGpus = Integer.parseInt(args[++i]);
        case "--reads" -> reads = Integer.parseInt(args[++i]);
        case "--cold-reads" -> coldReads = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: NvmlReadHarness [--stub GPUS] [--reads N] [--cold-reads N]; unknown "
                  + args[i]);
          System.exit(2);
        }
      }
    }
    if (stubGpus > 0) {
      NvmlStub stub = NvmlStub.load("current");
      stub.reset();
      stub.deviceCount(stubGpus);
      for (int i = 0; i < stubGpus; i++) {
        stub.h200(i, String.format(Locale.ROOT, "GPU-bc7a29fa-0000-4000-8000-%012d", i), 6 + i);
        stub.process(i, 1000 + i, 650_969_088L);
        stub.process(i, 2000 + i, 1L << 30);
      }
    }

    NvmlGpuInventorySource source = NvmlGpuInventorySource.create();
    long t0 = System.nanoTime();
    NvmlSession session;
    try {
      session = source.openSession();
    } catch (GpuQueryException e) {
      System.out.println("NvmlReadHarness: " + e.getMessage());
      System.exit(3);
      return;
    }
    long t1 = System.nanoTime();
    GpuInventory first = source.read();
    long t2 = System.nanoTime();
    int gpus = Math.max(1, first.gpus().size());
    System.out.printf(
        Locale.ROOT,
        "NVML: %s, driver %s, NVML %s, %d GPU(s) readable, %d unreadable%n",
        source.describe(),
        first.driverVersion().orElse("?"),
        first.nvmlVersion().orElse("?"),
        first.gpus().size(),
        first.unreadable().size());
    first.notes().forEach(n -> System.out.println("note: " + n));
    System.out.printf(Locale.ROOT, "load library + first init: %10.1f us%n", micros(t1 - t0));
    System.out.printf(
        Locale.ROOT,
        "first read:                %10.1f us (%.1f us per GPU)%n",
        micros(t2 - t1),
        micros(t2 - t1) / gpus);

    int warm = Math.max(1, reads / 4);
    for (int i = 0; i < warm; i++) {
      source.read();
    }
    long cpu0 = cpuNanos();
    long s0 = System.nanoTime();
    for (int i = 0; i < reads; i++) {
      source.read();
    }
    long s1 = System.nanoTime();
    long cpu1 = cpuNanos();
    double steady = micros(s1 - s0) / reads;
    double steadyCpu = micros(cpu1 - cpu0) / reads;
    System.out.printf(
        Locale.ROOT,
        "steady read, NVML held:    %10.1f us (%.1f us per GPU), mean of %d reads after %d warm-up;"
            + " process CPU %.1f us per read (%.1f per GPU)%n",
        steady,
        steady / gpus,
        reads,
        warm,
        steadyCpu,
        steadyCpu / gpus);
    session.close();

    long c0 = System.nanoTime();
    for (int i = 0; i < coldReads; i++) {
      source.read();
    }
    long c1 = System.nanoTime();
    double cold = micros(c1 - c0) / Math.max(1, coldReads);
    System.out.printf(
        Locale.ROOT,
        "read with its own init:    %10.1f us (%.1f us per GPU), mean of %d reads%n",
        cold,
        cold / gpus,
        coldReads);
  }

  /** CPU time of the whole process so far (all threads), from the OS; -1 where unknown. */
  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
  }

  private static double micros(long nanos) {
    return nanos / 1_000.0;
  }
}
