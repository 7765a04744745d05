package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.calibration.CalibrationKey;
import io.github.sglangpreflight.calibration.CalibrationRecord;
import io.github.sglangpreflight.calibration.CalibrationStore;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.term.TermId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A term observed by an earlier launch of the same key changes a later check; no other key does.
 */
class PreflightCalibrationTest {

  private static final List<String> LAUNCH =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct",
          "--tp",
          "2");
  private static final Instant AT = Instant.parse("2026-08-01T10:00:00Z");

  @TempDir Path dir;

  private static Preflight.Builder guard() {
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource("8xH100"))
        .sglangVersion("0.5.1");
  }

  private static PreflightReport.Item item(PreflightReport r, TermId id) {
    PreflightReport.Estimate e = r.estimate().orElseThrow();
    return java.util.stream.Stream.of(e.prePool(), e.items())
        .flatMap(List::stream)
        .filter(i -> i.id() == id)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no item " + id));
  }

  @Test
  void anObservedCaptureThreeGibLargerLowersTheMaxSafeFraction() {
    PreflightReport predicted = guard().build().check(LAUNCH, Map.of());
    CalibrationKey key = predicted.inputs().calibrationKey().orElseThrow();
    assertEquals(
        new CalibrationKey(
            "NVIDIA H100 80GB HBM3",
            key.driverVersion(),
            "0.5.1",
            "meta-llama/Llama-3.1-8B-Instruct",
            "tp2-pp1-dp1-ep1-nnodes1/ctx131072-kv:auto-attn:fa3-graphs:bs160-run:auto-q:none"
                + "-dtype:auto"),
        key);
    long graphs = item(predicted, TermId.CUDA_GRAPH_DECODE).bytes();
    long observed = graphs + (3L << 30);
    CalibrationStore store = CalibrationStore.in(dir);
    store.append(
        new CalibrationRecord(
            key,
            AT,
            Map.of(TermId.CUDA_GRAPH_DECODE, observed),
            OptionalLong.empty(),
            OptionalLong.empty()));

    PreflightReport calibrated = guard().calibration(store).build().check(LAUNCH, Map.of());

    PreflightReport.Item g = item(calibrated, TermId.CUDA_GRAPH_DECODE);
    assertEquals(observed, g.bytes());
    assertEquals("observed on 2026-08-01 by sglang-preflight exec", g.source());
    assertTrue(g.formula().startsWith("observed "), g.formula());
    double before = predicted.maxSafeFraction().getAsDouble();
    double after = calibrated.maxSafeFraction().getAsDouble();
    assertTrue(after < before, "max safe fraction " + before + " -> " + after);
    // 3 GiB more outside the pool: the fraction falls by about 3 GiB / T
    long t = calibrated.estimate().orElseThrow().preLoadFreeBytes();
    assertEquals((3L << 30) / (double) t, before - after, 0.002);
    assertTrue(
        calibrated.notes().stream()
            .anyMatch(
                n ->
                    n.startsWith(
                            "CUDA-graph capture from observation: "
                                + io.github.sglangpreflight.units.Units.gib(observed)
                                + ", observed on 2026-08-01 by sglang-preflight exec")
                        && n.endsWith(
                            ", 1 launch of "
                                + key.describe()
                                + "; it covers every capture of the launch, so the other graph"
                                + " terms count 0")),
        calibrated.notes().toString());
    assertTrue(
        predicted.notes().stream().noneMatch(n -> n.contains("from observation")),
        predicted.notes().toString());
  }

  @Test
  void observedWeightsReplaceThePredictionAndShrinkThePool() {
    PreflightReport predicted = guard().build().check(LAUNCH, Map.of());
    CalibrationKey key = predicted.inputs().calibrationKey().orElseThrow();
    long weights = item(predicted, TermId.WEIGHTS).bytes();
    CalibrationStore store = CalibrationStore.in(dir);
    store.append(
        new CalibrationRecord(
            key,
            AT,
            Map.of(TermId.WEIGHTS, weights + (1L << 30)),
            OptionalLong.empty(),
            OptionalLong.empty()));

    PreflightReport calibrated = guard().calibration(store).build().check(LAUNCH, Map.of());

    assertEquals(weights + (1L << 30), item(calibrated, TermId.WEIGHTS).bytes());
    assertEquals(weights + (1L << 30), calibrated.estimate().orElseThrow().weightsBytesPerGpu());
    assertTrue(
        calibrated.estimate().orElseThrow().kvPoolBytes()
            < predicted.estimate().orElseThrow().kvPoolBytes());
  }

  @Test
  void anObservedOverheadBeforeT_lowersTWithTheFreeMemoryOfNow_andSurvivesTheStore() {
    PreflightReport predicted = guard().build().check(LAUNCH, Map.of());
    CalibrationKey key = predicted.inputs().calibrationKey().orElseThrow();
    PreflightReport.Estimate e = predicted.estimate().orElseThrow();
    long overheads = e.overheads().stream().mapToLong(PreflightReport.Item::bytes).sum();
    long observed = overheads + (2L << 30);
    CalibrationStore store = CalibrationStore.in(dir);
    store.append(
        new CalibrationRecord(
            key,
            AT,
            Map.of(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.of(observed)));

    PreflightReport calibrated = guard().calibration(store).build().check(LAUNCH, Map.of());

    PreflightReport.Estimate c = calibrated.estimate().orElseThrow();
    assertEquals(e.preLoadFreeBytes() - (2L << 30), c.preLoadFreeBytes());
    assertEquals(observed, c.overheads().getFirst().bytes());
    assertEquals("CUDA context, NCCL and the rest before T", c.overheads().getFirst().name());
    assertEquals(
        "observed on 2026-08-01 by sglang-preflight exec", c.overheads().getFirst().source());
    assertEquals(observed, c.overheads().stream().mapToLong(PreflightReport.Item::bytes).sum());
    assertTrue(
        calibrated.notes().stream()
            .anyMatch(
                n ->
                    n.startsWith(
                            "T from observation: the GPUs lose "
                                + io.github.sglangpreflight.units.Units.gib(observed)
                                + " before SGLang reads T")
                        && n.endsWith("; T is the free memory now less that")),
        calibrated.notes().toString());
  }

  @Test
  void theKeyFollowsTheSettingsTheMeasuredTermsDependOn() {
    CalibrationKey base =
        guard().build().check(LAUNCH, Map.of()).inputs().calibrationKey().orElseThrow();
    for (List<String> more :
        List.of(
            List.of("--cuda-graph-max-bs", "8"),
            List.of("--disable-cuda-graph"),
            List.of("--context-length", "8192"),
            List.of("--quantization", "fp8"),
            List.of("--kv-cache-dtype", "fp8_e5m2"),
            List.of("--max-running-requests", "64"))) {
      List<String> argv = new java.util.ArrayList<>(LAUNCH);
      argv.addAll(more);
      CalibrationKey k =
          guard().build().check(argv, Map.of()).inputs().calibrationKey().orElseThrow();
      assertTrue(
          !k.parallelism().equals(base.parallelism())
              && k.parallelism().startsWith("tp2-pp1-dp1-ep1-nnodes1/"),
          more + ": " + k.parallelism());
    }
    List<String> port = new java.util.ArrayList<>(LAUNCH);
    port.addAll(List.of("--port", "31000", "--mem-fraction-static", "0.8"));
    assertEquals(
        base, guard().build().check(port, Map.of()).inputs().calibrationKey().orElseThrow());
  }

  @Test
  void aRecordOfAnyOtherKeyDoesNotApply() {
    PreflightReport predicted = guard().build().check(LAUNCH, Map.of());
    CalibrationKey k = predicted.inputs().calibrationKey().orElseThrow();
    long graphs = item(predicted, TermId.CUDA_GRAPH_DECODE).bytes();
    CalibrationStore store = CalibrationStore.in(dir);
    List<CalibrationKey> others =
        List.of(
            new CalibrationKey(
                "NVIDIA H200", k.driverVersion(), k.sglangVersion(), k.model(), k.parallelism()),
            new CalibrationKey(
                k.gpuModel(), "999.1", k.sglangVersion(), k.model(), k.parallelism()),
            new CalibrationKey(
                k.gpuModel(), k.driverVersion(), "0.4.5", k.model(), k.parallelism()),
            new CalibrationKey(
                k.gpuModel(),
                k.driverVersion(),
                k.sglangVersion(),
                "Qwen/Qwen3-8B",
                k.parallelism()),
            new CalibrationKey(
                k.gpuModel(),
                k.driverVersion(),
                k.sglangVersion(),
                k.model(),
                "tp1-pp1-dp1-ep1-nnodes1"),
            new CalibrationKey(
                k.gpuModel(),
                k.driverVersion(),
                k.sglangVersion(),
                k.model(),
                k.parallelism().replace("bs160", "bs8")));
    for (CalibrationKey other : others) {
      store.append(
          new CalibrationRecord(
              other,
              AT,
              Map.of(TermId.CUDA_GRAPH_DECODE, graphs + (3L << 30), TermId.WEIGHTS, 1L << 30),
              OptionalLong.empty(),
              OptionalLong.empty()));
    }

    PreflightReport r = guard().calibration(store).build().check(LAUNCH, Map.of());

    assertEquals(graphs, item(r, TermId.CUDA_GRAPH_DECODE).bytes());
    assertEquals(predicted.maxSafeFraction(), r.maxSafeFraction());
    assertEquals(predicted.notes(), r.notes());
  }
}
