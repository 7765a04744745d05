package io.github.sglangpreflight.gpu.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sglangpreflight.errors.GpuQueryException;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVML fault injection: every function {@link BoundNvmlApi} binds × every return code it can give
 * (and the symbol missing from the library), read through the stub {@code libnvidia-ml.so.1}. Each
 * pair must end in a named refusal ({@link NvmlException}, {@link GpuQueryException}) or a read
 * whose loss is visible (an unreadable GPU, an empty field, a note); never in another exception.
 * The outcomes are written to {@code target/nvml-fault-matrix.md} and must equal the committed
 * {@code docs/nvml-fault-matrix.md}.
 */
class NvmlFaultMatrixTest {
  private static final String UUID_0 = "GPU-bc7a29fa-5c2a-4e6b-9d1e-3f0a8c7b6d50";
  private static final String UUID_1 = "GPU-c467eb54-1f3d-4b7a-8e2c-9a6d5f4e3b21";
  private static final String REGENERATE =
      "bin/mvn-jdk -B test -Dtest=NvmlFaultMatrixTest -Dnvml.matrix.regenerate=true";

  /**
   * The functions BoundNvmlApi binds that answer a return code, in the order a read calls them
   * ({@code nvmlErrorString} answers text, not a code, and is not injected: BoundNvmlApi uses the
   * built-in description when it is absent, NULL or blank).
   */
  private static final List<String> FUNCTIONS =
      List.of(
          "nvmlInitWithFlags",
          "nvmlInit_v2",
          "nvmlSystemGetDriverVersion",
          "nvmlSystemGetNVMLVersion",
          "nvmlSystemGetCudaDriverVersion_v2",
          "nvmlDeviceGetCount_v2",
          "nvmlDeviceGetHandleByIndex_v2",
          "nvmlDeviceGetName",
          "nvmlDeviceGetUUID",
          "nvmlDeviceGetPciInfo_v3",
          "nvmlDeviceGetMemoryInfo_v2",
          "nvmlDeviceGetMemoryInfo",
          "nvmlDeviceGetCudaComputeCapability",
          "nvmlDeviceGetMigMode",
          "nvmlDeviceGetMaxMigDeviceCount",
          "nvmlDeviceGetMigDeviceHandleByIndex",
          "nvmlDeviceGetIndex",
          "nvmlDeviceGetHandleByUUID",
          "nvmlDeviceGetComputeRunningProcesses_v3",
          "nvmlDeviceGetComputeRunningProcesses_v2",
          "nvmlDeviceGetComputeRunningProcesses",
          "nvmlDeviceGetNvLinkState",
          "nvmlDeviceGetMaxPcieLinkGeneration",
          "nvmlDeviceGetMaxPcieLinkWidth",
          "nvmlDeviceGetP2PStatus",
          "nvmlShutdown");

  /**
   * The return codes with a column: name → value (nvml.h); every code NvmlInventoryReader or
   * BoundNvmlApi tells apart, UNKNOWN for all the others, MISSING for the symbol absent.
   */
  private static final Map<String, Integer> CODES = new LinkedHashMap<>();

  static {
    CODES.put("UNINITIALIZED", 1);
    CODES.put("INVALID_ARGUMENT", 2);
    CODES.put("NOT_SUPPORTED", 3);
    CODES.put("NO_PERMISSION", 4);
    CODES.put("NOT_FOUND", 6);
    CODES.put("INSUFFICIENT_SIZE", 7);
    CODES.put("DRIVER_NOT_LOADED", 9);
    CODES.put("IRQ_ISSUE", 11);
    CODES.put("LIBRARY_NOT_FOUND", 12);
    CODES.put("FUNCTION_NOT_FOUND", 13);
    CODES.put("GPU_IS_LOST", 15);
    CODES.put("OPERATING_SYSTEM", 17);
    CODES.put("LIB_RM_VERSION_MISMATCH", 18);
    CODES.put("ARGUMENT_VERSION_MISMATCH", 25);
    CODES.put("UNKNOWN", 999);
    CODES.put("MISSING", -1);
  }

  /** An {@code nvmlReturn_t} value no driver this build knows gives. */
  private static final int UNRECOGNISED = 1234;

  /** Every other code: it must read exactly as UNKNOWN does (its name aside) in every row. */
  private static List<Integer> otherCodes() {
    List<Integer> other = new ArrayList<>();
    for (NvmlReturn r : NvmlReturn.values()) {
      if (r != NvmlReturn.SUCCESS && !CODES.containsValue(r.code())) {
        other.add(r.code());
      }
    }
    other.add(UNRECOGNISED);
    return other;
  }

  private static NvmlStub stub;
  @TempDir static Path proc;

  @BeforeAll
  static void loadTheStub() {
    stub = NvmlStub.load("current");
  }

  @AfterAll
  static void resetTheStub() {
    stub.reset();
  }

  /** GPU 0: an H200 with one process, MIG on with one MIG device; GPU 1: a plain H200. */
  private static void twoH200s() {
    stub.reset();
    stub.deviceCount(2);
    stub.h200(0, UUID_0, 6);
    stub.h200(1, UUID_1, 7);
    stub.process(1, 4242, 1L << 30);
    stub.migMode(0, true, 1, 1);
    stub.migDevice(
        0,
        0,
        "NVIDIA H200 MIG 3g.71gb",
        "MIG-aaaa",
        74_625_056_768L,
        0,
        74_000_000_000L,
        625_056_768L);
  }

  /** The bound API with {@code hidden} absent, as a library without those exports. */
  private static NvmlApi without(List<String> hidden) {
    NvmlApi real = BoundNvmlApi.instance();
    return (NvmlApi)
        Proxy.newProxyInstance(
            NvmlApi.class.getClassLoader(),
            new Class<?>[] {NvmlApi.class},
            (p, m, args) -> {
              if (m.getName().equals("hasFunction") && hidden.contains(args[0])) {
                return false;
              }
              try {
                return m.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static GpuInventory read(NvmlApi api) {
    return new NvmlInventoryReader(api, proc).read();
  }

  @Test
  void everyFunctionTimesEveryCode_endsInANamedErrorOrAVisibleLoss() throws IOException {
    twoH200s();
    GpuInventory baseline = read(BoundNvmlApi.instance());
    assertEquals(2, baseline.gpus().size(), baseline.toString());

    StringBuilder md = new StringBuilder();
    md.append("# NVML fault matrix\n\n")
        .append("Generated by `NvmlFaultMatrixTest` (src/test/java/io/github/sglangpreflight/gpu/")
        .append("nvml): each bound NVML function answers one return code for every GPU and the")
        .append(" system, through the stub library\n(src/test/c/nvml_stub.c) and the real")
        .append(" downcalls; MISSING is the symbol absent from the library (`hasFunction` false,")
        .append(" every call\nanswering FUNCTION_NOT_FOUND, as BoundNvmlApi does). The read is of")
        .append(
            " two H200s: GPU 0 with MIG on and one MIG device, GPU 1 with one process; both with 18 active")
        .append(
            " NVLink links, NVLink to each other\n(nvmlDeviceGetP2PStatus) and PCIe 5.0 x16, so both")
        .append(
            " read as interconnect nvlink. \"interconnect unknown\": the budget takes the NVLink")
        .append(
            " side\n(custom all-reduce counted, the NCCL figures as measured) and a multi-GPU report")
        .append(
            " says so. `nvmlInit_v2` is read with `nvmlInitWithFlags` absent, the only case that")
        .append(" calls it.\n\n")
        .append("Outcomes: **refused** = the read throws the named exception (CLI exit 1 or the")
        .append(" unreadable-GPU policy); **degraded** = the read succeeds and the loss shows as")
        .append(" listed; **unchanged** = the read does not depend on that call here (not called,")
        .append(" or a fallback gives the same inventory).\nRegenerate: `")
        .append(REGENERATE)
        .append("`.\n\n| function |");
    for (String c : CODES.keySet()) {
      md.append(' ').append(c).append(" |");
    }
    md.append("\n|---|");
    md.append("---|".repeat(CODES.size())).append('\n');

    List<String> crashes = new ArrayList<>();
    List<String> unlike = new ArrayList<>();
    Map<String, Integer> tally = new LinkedHashMap<>();
    for (String function : FUNCTIONS) {
      md.append("| `").append(function).append("` |");
      for (Map.Entry<String, Integer> code : CODES.entrySet()) {
        String outcome = outcome(baseline, function, code.getValue(), crashes);
        tally.merge(outcome.replaceFirst(":.*", ""), 1, Integer::sum);
        md.append(' ').append(outcome.replace("|", "\\|")).append(" |");
      }
      md.append('\n');
      String unknown = outcome(baseline, function, 999, crashes).replace("NVML_ERROR_UNKNOWN", "?");
      for (int other : otherCodes()) {
        String got =
            outcome(baseline, function, other, crashes).replace(NvmlReturn.cNameOf(other), "?");
        if (!got.equals(unknown)) {
          unlike.add(function + " × " + NvmlReturn.cNameOf(other) + ": " + got);
        }
      }
    }
    md.append("\nTotals: ");
    List<String> totals = new ArrayList<>();
    tally.forEach((k, v) -> totals.add(k + " " + v));
    md.append(String.join(", ", totals))
        .append(" (of ")
        .append(FUNCTIONS.size() * CODES.size())
        .append(" pairs).\n")
        .append(
            "\nEvery other code reads exactly as UNKNOWN does in every row, its name aside (the")
        .append(" test asserts it):");
    for (int other : otherCodes()) {
      md.append(' ').append(NvmlReturn.cNameOf(other).replace("NVML_ERROR_", ""));
    }
    md.append(" (")
        .append(otherCodes().size())
        .append(" codes).\n")
        .append("\n`nvmlErrorString` answers text, not a code, and is not injected here: where it")
        .append(" is absent, NULL or blank, BoundNvmlApi.errorString gives the code's built-in")
        .append(" description (NvmlReturn) instead.\n");
    stub.reset();

    assertTrue(crashes.isEmpty(), "uncaught exceptions: " + String.join("\n", crashes));
    assertTrue(unlike.isEmpty(), "codes that read unlike UNKNOWN: " + String.join("\n", unlike));

    Path generated = Path.of(System.getProperty("project.basedir", "."), "target");
    Files.createDirectories(generated);
    Files.writeString(generated.resolve("nvml-fault-matrix.md"), md.toString());
    Path committed =
        Path.of(System.getProperty("project.basedir", "."), "docs", "nvml-fault-matrix.md");
    if (Boolean.getBoolean("nvml.matrix.regenerate")) {
      Files.writeString(committed, md.toString());
    }
    String expected = Files.exists(committed) ? Files.readString(committed) : "";
    if (!expected.equals(md.toString())) {
      fail(
          "docs/nvml-fault-matrix.md differs from target/nvml-fault-matrix.md (diff them); if the"
              + " new outcomes are right, regenerate with: "
              + REGENERATE
              + "\n"
              + firstDifference(expected, md.toString()));
    }
  }

  /** The read with {@code function} answering {@code rc} (negative: the symbol absent). */
  private static String outcome(
      GpuInventory baseline, String function, int rc, List<String> crashes) {
    twoH200s();
    boolean missing = rc < 0;
    stub.rc(function, -1, missing ? 13 : rc);
    // nvmlInit_v2 is called only where nvmlInitWithFlags is absent
    List<String> hidden = new ArrayList<>();
    if (function.equals("nvmlInit_v2")) {
      hidden.add("nvmlInitWithFlags");
    }
    if (missing) {
      hidden.add(function);
    }
    try {
      return describe(baseline, read(hidden.isEmpty() ? BoundNvmlApi.instance() : without(hidden)));
    } catch (NvmlException e) {
      return "refused: NvmlException " + e.function() + " " + e.returnCodeName();
    } catch (GpuQueryException e) {
      return "refused: GpuQueryException";
    } catch (RuntimeException | Error e) {
      crashes.add(function + " × " + NvmlReturn.cNameOf(rc) + ": " + e);
      return "CRASH " + e.getClass().getSimpleName();
    }
  }

  private static String firstDifference(String a, String b) {
    String[] x = a.split("\n", -1);
    String[] y = b.split("\n", -1);
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      String l = i < x.length ? x[i] : "<none>";
      String r = i < y.length ? y[i] : "<none>";
      if (!l.equals(r)) {
        return "line " + (i + 1) + ":\n- " + l + "\n+ " + r;
      }
    }
    return "";
  }

  /** What a successful read lost against the baseline, in a few stable words. */
  private static String describe(GpuInventory base, GpuInventory got) {
    List<String> lost = new ArrayList<>();
    if (got.driverVersion().isEmpty() && base.driverVersion().isPresent()) {
      lost.add("no driver version");
    }
    if (got.nvmlVersion().isEmpty() && base.nvmlVersion().isPresent()) {
      lost.add("no NVML version");
    }
    if (got.cudaDriverVersion().isEmpty() && base.cudaDriverVersion().isPresent()) {
      lost.add("no CUDA version");
    }
    for (var u : got.unreadable()) {
      lost.add("GPU " + u.index() + " unreadable");
    }
    for (Gpu g : got.gpus()) {
      Gpu b = base.gpus().stream().filter(x -> x.index() == g.index()).findFirst().orElseThrow();
      if (g.computeCapability().isEmpty() && b.computeCapability().isPresent()) {
        lost.add("GPU " + g.index() + " no compute capability");
      }
      if (g.migMode().isEmpty() && b.migMode().isPresent()) {
        lost.add("GPU " + g.index() + " no MIG mode");
      }
      if (g.migDevices().size() != b.migDevices().size()) {
        lost.add("GPU " + g.index() + " " + g.migDevices().size() + " MIG devices");
      }
      if (!g.processes().equals(b.processes())) {
        lost.add("GPU " + g.index() + " processes differ");
      }
      if (!g.memory().equals(b.memory())) {
        lost.add("GPU " + g.index() + " memory from v1");
      }
      if (g.interconnect().kind() != b.interconnect().kind()) {
        lost.add("GPU " + g.index() + " interconnect " + g.interconnect().kind().label());
      }
      if (g.interconnect().activeNvLinks().isEmpty()
          && b.interconnect().activeNvLinks().isPresent()) {
        lost.add("GPU " + g.index() + " no NVLink count");
      }
      if (!g.interconnect().pcieGeneration().equals(b.interconnect().pcieGeneration())
          || !g.interconnect().pcieWidth().equals(b.interconnect().pcieWidth())) {
        lost.add("GPU " + g.index() + " no PCIe link");
      }
      if (!g.name().equals(b.name())
          || !g.uuid().equals(b.uuid())
          || !g.pciBusId().equals(b.pciBusId())) {
        lost.add("GPU " + g.index() + " identity differs");
      }
    }
    int notes = got.notes().size() - base.notes().size();
    if (notes > 0) {
      lost.add("+" + notes + " note" + (notes == 1 ? "" : "s"));
    }
    return lost.isEmpty() ? "unchanged" : "degraded: " + String.join("; ", lost);
  }
}
