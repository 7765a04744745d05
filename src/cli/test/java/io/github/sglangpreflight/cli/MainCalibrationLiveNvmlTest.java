package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.calibration.CalibrationRecord;
import io.github.sglangpreflight.calibration.CalibrationStore;
import io.github.sglangpreflight.gpu.nvml.NvmlGpuInventorySource;
import io.github.sglangpreflight.gpu.nvml.NvmlStub;
import io.github.sglangpreflight.units.Units;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calibration of "what the GPUs lose before T" on the live path: {@code check} and {@code exec}
 * read the GPUs through NVML (the stub libnvidia-ml.so.1 of src/test/c, real downcalls), the fake
 * {@code sglang} package prints T, {@code exec} records the free memory it read less that T, and a
 * later live {@code check} takes T as today's free memory less the recorded loss. The same launch
 * checked on a preset records no such loss: a preset's free memory was never read.
 */
class MainCalibrationLiveNvmlTest {
  private static final String UUID = "GPU-5d3a1c2e-7b4f-4e8a-9c61-0f2b3d4e5a67";

  /** The T the fake SGLang prints ("avail mem=137.50 GB" at "Load weight begin"). */
  private static final String T_GIB = "137.50";

  private static final List<String> LAUNCH =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct",
          "--mem-fraction-static",
          "0.88");

  private static NvmlStub stub;
  @TempDir Path tmp;

  @BeforeAll
  static void oneH200ThroughTheStub() {
    stub = NvmlStub.load("current");
    stub.reset();
    stub.deviceCount(1);
    stub.h200(0, UUID, 0x1a);
  }

  @AfterAll
  static void resetTheStub() {
    stub.reset();
  }

  private Map<String, String> env() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put(
        "PYTHONPATH",
        Path.of(getClass().getResource("/launch/fake-sglang-pkg/sglang/__init__.py").toURI())
            .getParent()
            .getParent()
            .toString());
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("FAKE_SGLANG_T_GIB", T_GIB);
    return env;
  }

  /** The CLI reading the GPUs live: NVML, here the stub. */
  private Main.Context live() throws Exception {
    return new Main.Context(env(), NvmlGpuInventorySource::create);
  }

  private static List<String> options(String... more) {
    List<String> o = new ArrayList<>(List.of("--sglang-version", "0.5.1"));
    o.addAll(List.of(more));
    return o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> estimate(CliRun r) throws Exception {
    Map<String, Object> report = (Map<String, Object>) JSON.std.mapFrom(r.out());
    return (Map<String, Object>) report.get("estimate");
  }

  @Test
  void execOnLiveNvml_recordsWhatTheGpusLoseBeforeT_andALaterLiveCheckUsesIt() throws Exception {
    Path dir = tmp.resolve("cal");
    String cal = dir.toString();
    CliRun before = run(live(), args("check", options("--json", "--calibration-dir", cal), LAUNCH));
    assertEquals(ExitCodes.ACCEPT, before.exitCode(), before.toString());
    long predictedT = ((Number) estimate(before).get("preLoadFreeBytes")).longValue();

    CliRun exec = run(live(), args("exec", options("--calibration-dir", cal), LAUNCH));

    assertEquals(0, exec.exitCode(), exec.toString());
    List<CalibrationRecord> records = CalibrationStore.in(dir).read();
    assertEquals(1, records.size(), records.toString());
    CalibrationRecord r = records.getFirst();
    assertEquals("NVIDIA H200", r.key().gpuModel());
    assertEquals("580.159.04", r.key().driverVersion());
    // the free memory NVML answered (the stub's H200) less the T SGLang printed
    long t = (long) (Double.parseDouble(T_GIB) * (1L << 30));
    long lost = NvmlStub.H200_FREE_BYTES - t;
    assertEquals(lost, r.preLoadOverheadBytes().orElseThrow(), 1 << 20);

    CliRun after = run(live(), args("check", options("--json", "--calibration-dir", cal), LAUNCH));

    long calibratedT = ((Number) estimate(after).get("preLoadFreeBytes")).longValue();
    assertEquals(NvmlStub.H200_FREE_BYTES - r.preLoadOverheadBytes().getAsLong(), calibratedT);
    assertEquals(t, calibratedT, 1 << 20);
    assertTrue(calibratedT != predictedT, predictedT + " -> " + calibratedT);
    assertTrue(
        after
            .out()
            .contains(
                "T from observation: the GPUs lose "
                    + Units.gib(r.preLoadOverheadBytes().getAsLong())
                    + " before SGLang reads T"),
        after.out());
  }

  @Test
  void execOnAPreset_recordsNoLossBeforeT() throws Exception {
    Path dir = tmp.resolve("preset");
    CliRun exec =
        run(
            live(),
            args(
                "exec",
                options("--simulate", "1xH200", "--calibration-dir", dir.toString()),
                LAUNCH));

    assertEquals(0, exec.exitCode(), exec.toString());
    List<CalibrationRecord> records = CalibrationStore.in(dir).read();
    assertEquals(1, records.size(), records.toString());
    assertTrue(records.getFirst().preLoadOverheadBytes().isEmpty(), records.toString());
  }
}
