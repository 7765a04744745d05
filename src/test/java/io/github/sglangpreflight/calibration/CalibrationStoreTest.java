package io.github.sglangpreflight.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CalibrationStore}: JSON lines, concurrent appends, corrupt lines skipped; lookup. */
class CalibrationStoreTest {
  @TempDir Path tmp;

  private static final CalibrationKey H100_LLAMA =
      new CalibrationKey(
          "NVIDIA H100 80GB HBM3",
          "580.159.04",
          "0.5.1",
          "meta-llama/Llama-3.1-8B-Instruct",
          "tp1-pp1-dp1-ep1-nnodes1");

  private static CalibrationRecord record(CalibrationKey key, String at, long weights) {
    return new CalibrationRecord(
        key,
        Instant.parse(at),
        Map.of(TermId.WEIGHTS, weights, TermId.CUDA_GRAPH_DECODE, 6_646_000_000L),
        OptionalLong.of(84_620_000_000L),
        OptionalLong.empty());
  }

  @Test
  void defaultDirectory_followsXdgStateHome() {
    Path home = Path.of("/home/u");
    assertEquals(
        Path.of("/state/sglang-preflight"),
        CalibrationStore.defaultDirectory(Map.of("XDG_STATE_HOME", "/state"), home));
    assertEquals(
        Path.of("/home/u/.local/state/sglang-preflight"),
        CalibrationStore.defaultDirectory(Map.of(), home));
    assertEquals(
        Path.of("/home/u/.local/state/sglang-preflight"),
        CalibrationStore.defaultDirectory(Map.of("XDG_STATE_HOME", "relative"), home),
        "a relative XDG_STATE_HOME is ignored, as the specification says");
  }

  @Test
  void appendThenRead_roundTrips() {
    CalibrationStore store = CalibrationStore.in(tmp.resolve("state"));
    CalibrationRecord r = record(H100_LLAMA, "2026-08-01T10:00:00Z", 16_060_000_000L);

    store.append(r);

    assertEquals(List.of(r), store.read());
    assertTrue(
        store.read().getFirst().equals(r)
            && readLines(store).getFirst().startsWith("{\"schema\":\"" + CalibrationStore.SCHEMA));
  }

  @Test
  void concurrentAppends_neverInterleave() throws Exception {
    CalibrationStore store = CalibrationStore.in(tmp);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      long weights = 1_000_000L + i;
      // a separate store object per append, as separate launches would have
      done.add(
          pool.submit(
              () ->
                  CalibrationStore.in(tmp)
                      .append(record(H100_LLAMA, "2026-08-01T10:00:00Z", weights))));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();

    List<CalibrationRecord> read = store.read();
    assertEquals(200, read.size());
    assertEquals(200, readLines(store).size(), "one whole line per append");
    assertEquals(200, read.stream().map(r -> r.termBytes().get(TermId.WEIGHTS)).distinct().count());
  }

  @Test
  void corruptLines_areSkippedAndTheRestCounts() throws Exception {
    CalibrationStore store = CalibrationStore.in(tmp);
    store.append(record(H100_LLAMA, "2026-08-01T10:00:00Z", 16_060_000_000L));
    Files.writeString(
        store.file(),
        "{\"schema\":\"sglang-preflight/calibration/v1\",\"observedAt\":\"2026-08-01T1\n"
            + "not json\n"
            + "{\"schema\":\"sglang-preflight/calibration/v9\"}\n",
        StandardOpenOption.APPEND);
    store.append(record(H100_LLAMA, "2026-08-02T10:00:00Z", 16_100_000_000L));

    List<CalibrationRecord> read = store.read();

    assertEquals(2, read.size(), read.toString());
  }

  @Test
  void lookup_newestMatchingObservationPerTerm_otherKeysIgnored() {
    CalibrationKey otherDriver =
        new CalibrationKey(
            "NVIDIA H100 80GB HBM3",
            "570.86.15",
            "0.5.1",
            "meta-llama/Llama-3.1-8B-Instruct",
            "tp1-pp1-dp1-ep1-nnodes1");
    List<CalibrationRecord> records =
        List.of(
            record(H100_LLAMA, "2026-08-02T10:00:00Z", 16_100_000_000L),
            record(H100_LLAMA, "2026-08-01T10:00:00Z", 16_060_000_000L),
            record(otherDriver, "2026-08-03T10:00:00Z", 99L));

    Calibration.Correction c = Calibration.lookup(records, H100_LLAMA).orElseThrow();

    assertEquals(OptionalLong.of(16_100_000_000L), c.bytes(TermId.WEIGHTS));
    assertEquals(2, c.launches());
    assertEquals(
        Instant.parse("2026-08-02T10:00:00Z"), c.termBytes().get(TermId.WEIGHTS).observedAt());
    assertEquals(
        List.of(
            "T (free before the weights load): 78.81 GiB observed 2026-08-02T10:00:00Z (2"
                + " launches of NVIDIA H100 80GB HBM3, driver 580.159.04, SGLang 0.5.1,"
                + " meta-llama/Llama-3.1-8B-Instruct, tp1-pp1-dp1-ep1-nnodes1)",
            "model weights: 14.99 GiB observed 2026-08-02T10:00:00Z (2 launches of NVIDIA H100"
                + " 80GB HBM3, driver 580.159.04, SGLang 0.5.1, meta-llama/Llama-3.1-8B-Instruct,"
                + " tp1-pp1-dp1-ep1-nnodes1)",
            "CUDA-graph capture: 6.19 GiB observed 2026-08-02T10:00:00Z (2 launches of NVIDIA"
                + " H100 80GB HBM3, driver 580.159.04, SGLang 0.5.1,"
                + " meta-llama/Llama-3.1-8B-Instruct, tp1-pp1-dp1-ep1-nnodes1)"),
        c.notes());
    assertTrue(Calibration.lookup(records, new CalibrationKey("x", "y", "z", "m", "p")).isEmpty());
  }

  @Test
  void clear_removesEveryRecord() {
    CalibrationStore store = CalibrationStore.in(tmp);
    store.append(record(H100_LLAMA, "2026-08-01T10:00:00Z", 1L));
    store.append(record(H100_LLAMA, "2026-08-01T10:00:01Z", 2L));

    assertEquals(2, store.clear());
    assertEquals(List.of(), store.read());
  }

  private static List<String> readLines(CalibrationStore store) {
    try {
      return Files.readAllLines(store.file());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
