package io.github.sglangpreflight.gpu.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.GpuProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On a real GPU: the inventory against {@code nvidia-smi}, field by field, and proof that reading
 * creates no compute process. Skipped (by assumption) where NVML cannot be loaded; excluded from
 * the default Maven run (tag {@code gpu}); src/test/scripts/gpu-run.sh runs it on the GPU machine.
 * It prints what it compared, prefixed {@code [gpu-test]}.
 */
@Tag("gpu")
class NvmlGpuInventorySourceGpuTest {
  private static final String QUERY =
      "index,uuid,pci.bus_id,name,memory.total,memory.reserved,memory.used,memory.free,"
          + "compute_cap,mig.mode.current,driver_version";
  private static final double MIB = 1024.0 * 1024.0;

  /** Why these tests cannot run here; null where a real NVML is loaded. */
  private static String skipReason;

  @BeforeAll
  static void realNvml() {
    NvmlLibrary.Loaded library;
    try {
      library = NvmlLibrary.load();
    } catch (GpuQueryException e) {
      skipReason = "no NVML here: " + e.getMessage();
      return;
    }
    String stubDir = System.getProperty("nvml.stub.dir", "nvml-stub");
    if (library.path().toString().contains("nvml-stub") || library.path().startsWith(stubDir)) {
      skipReason = "this JVM's NVML is the test stub " + library.path();
      return;
    }
    print(
        "NVML library "
            + library.path()
            + " -> "
            + library.realPath()
            + " ("
            + library.how()
            + ")");
  }

  @BeforeEach
  void skipWithoutARealGpu() {
    assumeTrue(skipReason == null, skipReason);
  }

  @Test
  void read_matchesNvidiaSmiFieldByField() throws Exception {
    List<String> smi = nvidiaSmi("--query-gpu=" + QUERY, "--format=csv,noheader,nounits");
    GpuInventory inventory = NvmlGpuInventorySource.create().read();
    print("nvidia-smi --query-gpu=" + QUERY + ":");
    smi.forEach(line -> print("  " + line));
    print(
        "inventory: driver "
            + inventory.driverVersion().orElse("?")
            + ", NVML "
            + inventory.nvmlVersion().orElse("?")
            + ", CUDA driver "
            + (inventory.cudaDriverVersion().isPresent()
                ? inventory.cudaDriverVersion().getAsInt()
                : "?")
            + ", notes "
            + inventory.notes()
            + ", unreadable "
            + inventory.unreadable());

    assertEquals(smi.size(), inventory.gpus().size() + inventory.unreadable().size(), "GPU count");
    for (String line : smi) {
      String[] f = line.split(",\\s*", -1);
      int index = Integer.parseInt(f[0].strip());
      Gpu gpu = inventory.gpus().stream().filter(g -> g.index() == index).findFirst().orElseThrow();
      GpuMemory m = gpu.memory();
      print(
          String.format(
              Locale.ROOT,
              "GPU %d: uuid %s | bus %s | name %s | total %d B (smi %s MiB) | reserved %s B (smi %s"
                  + " MiB) | used %d B (smi %s MiB) | free %d B (smi %s MiB) | cc %s (smi %s) | MIG"
                  + " %s (smi %s) | %s",
              index,
              gpu.uuid(),
              gpu.pciBusId(),
              gpu.name(),
              m.totalBytes(),
              f[4].strip(),
              m.reservedBytes().isPresent() ? Long.toString(m.reservedBytes().getAsLong()) : "?",
              f[5].strip(),
              m.usedBytes(),
              f[6].strip(),
              m.freeBytes(),
              f[7].strip(),
              gpu.computeCapability().map(Object::toString).orElse("?"),
              f[8].strip(),
              gpu.migMode().map(Object::toString).orElse("not supported"),
              f[9].strip(),
              m.version()));
      assertEquals(f[1].strip(), gpu.uuid(), "uuid of GPU " + index);
      assertEquals(f[2].strip(), gpu.pciBusId(), "PCI bus id of GPU " + index);
      assertEquals(f[3].strip(), gpu.name(), "name of GPU " + index);
      assertMib(f[4], m.totalBytes(), "memory.total of GPU " + index);
      if (m.version() == GpuMemory.Version.V2) {
        assertMib(f[5], m.reservedBytes().getAsLong(), "memory.reserved of GPU " + index);
        assertMib(f[6], m.usedBytes(), "memory.used of GPU " + index);
      }
      assertMib(f[7], m.freeBytes(), "memory.free of GPU " + index);
      assertEquals(
          f[8].strip(),
          gpu.computeCapability().map(Object::toString).orElse("[N/A]"),
          "compute_cap of GPU " + index);
      String mig = f[9].strip();
      if (mig.equals("[N/A]") || mig.equals("N/A")) {
        assertTrue(gpu.migMode().isEmpty(), "MIG mode of GPU " + index);
      } else {
        assertEquals(mig.equals("Enabled"), gpu.migEnabled(), "MIG mode of GPU " + index);
      }
      assertEquals(f[10].strip(), inventory.driverVersion().orElseThrow(), "driver_version");
    }
  }

  @Test
  void read_v2Memory_totalIsReservedPlusFreePlusUsed() {
    GpuInventory inventory = NvmlGpuInventorySource.create().read();
    assumeTrue(!inventory.gpus().isEmpty(), "no readable GPU");
    for (Gpu gpu : inventory.gpus()) {
      GpuMemory m = gpu.memory();
      assumeTrue(m.version() == GpuMemory.Version.V2, "driver without nvmlDeviceGetMemoryInfo_v2");
      print(
          "GPU "
              + gpu.index()
              + ": total "
              + m.totalBytes()
              + " = reserved "
              + m.reservedBytes().getAsLong()
              + " + free "
              + m.freeBytes()
              + " + used "
              + m.usedBytes()
              + " -> "
              + (m.reservedBytes().getAsLong() + m.freeBytes() + m.usedBytes()));
      assertEquals(
          m.totalBytes(),
          m.reservedBytes().getAsLong() + m.freeBytes() + m.usedBytes(),
          "v2 identity of GPU " + gpu.index());
    }
  }

  @Test
  void read100Times_createsNoComputeProcessAndLeavesUsedUnchanged() throws Exception {
    long self = ProcessHandle.current().pid();
    NvmlGpuInventorySource source = NvmlGpuInventorySource.create();
    Set<String> smiBefore =
        new TreeSet<>(nvidiaSmi("--query-compute-apps=pid", "--format=csv,noheader"));
    GpuInventory before = source.read();
    Set<Long> nvmlPids = new TreeSet<>(pids(before));
    for (int i = 0; i < 100; i++) {
      GpuInventory during = source.read();
      nvmlPids.addAll(pids(during));
      assertFalse(pids(during).contains(self), "this JVM (pid " + self + ") on a GPU, read " + i);
    }
    GpuInventory after = source.read();
    Set<String> smiAfter =
        new TreeSet<>(nvidiaSmi("--query-compute-apps=pid", "--format=csv,noheader"));
    print("this JVM: pid " + self);
    print("nvidia-smi compute pids before " + smiBefore + ", after " + smiAfter);
    print("NVML compute pids before " + pids(before) + ", during/after " + nvmlPids);
    List<String> used = new ArrayList<>();
    for (int g = 0; g < before.gpus().size(); g++) {
      used.add(
          "GPU "
              + g
              + " used "
              + before.gpus().get(g).memory().usedBytes()
              + " -> "
              + after.gpus().get(g).memory().usedBytes()
              + " B");
    }
    print("NVML used before -> after 100 reads: " + used);

    assertFalse(smiAfter.contains(Long.toString(self)), "nvidia-smi lists this JVM");
    assertTrue(smiBefore.containsAll(smiAfter), "new compute processes: " + smiAfter);
    assertFalse(nvmlPids.contains(self), "NVML lists this JVM");
    assertEquals(pids(before), pids(after), "NVML compute pids");
    for (int g = 0; g < before.gpus().size(); g++) {
      assertEquals(
          before.gpus().get(g).memory().usedBytes(),
          after.gpus().get(g).memory().usedBytes(),
          "used bytes of GPU " + g);
    }
  }

  private static List<Long> pids(GpuInventory inventory) {
    List<Long> pids = new ArrayList<>();
    for (Gpu gpu : inventory.gpus()) {
      for (GpuProcess p : gpu.processes()) {
        pids.add(p.pid());
      }
    }
    return pids;
  }

  private static void assertMib(String smiField, long bytes, String what) {
    double smiMib = Double.parseDouble(smiField.strip());
    double mib = bytes / MIB;
    assertTrue(
        Math.abs(smiMib - mib) < 1.0,
        String.format(
            Locale.ROOT,
            "%s: nvidia-smi %s MiB, NVML %d B = %.2f MiB",
            what,
            smiField.strip(),
            bytes,
            mib));
  }

  private static List<String> nvidiaSmi(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("nvidia-smi");
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "nvidia-smi cannot run here: " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "nvidia-smi finished");
    assertEquals(0, p.exitValue(), "nvidia-smi " + String.join(" ", args) + ": " + out);
    return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static void print(String line) {
    System.out.println("[gpu-test] " + line);
  }
}
