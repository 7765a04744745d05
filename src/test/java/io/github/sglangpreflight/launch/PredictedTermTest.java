package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.report.PreflightReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Predicted vs actual, end to end: the guard's prediction for the launch of a public log
 * (xorbitsai/inference#3481, Qwen3-14B on one 48 GB-class GPU at --mem-fraction-static 0.88, SGLang
 * main of 2025-05-19) against what that log shows.
 */
class PredictedTermTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  @Test
  void predictedTerms_qwen3_14b_matchesThePublicLog() throws IOException {
    // T in the log: avail_after_load 19.67 + weights 27.57 = 47.24 GiB; the guard subtracts a CUDA
    // context (621 MiB, its estimate for a GPU model it has no reading of) from NVML free, so an
    // idle GPU with free = T + 621 MiB reproduces the log's T.
    long free = (long) (47.24 * GIB) + 621 * MIB;
    long reserved = 500 * MIB;
    Gpu gpu =
        new Gpu(
            0,
            "GPU-00000000-0000-0000-0000-000000003481",
            "00000000:01:00.0",
            "NVIDIA RTX A6000",
            Optional.of(new ComputeCapability(8, 6)),
            Optional.empty(),
            GpuMemory.v2(free + reserved, reserved, free, 0),
            List.of(),
            List.of());
    GpuInventory inventory =
        new GpuInventory(
            "test",
            Optional.empty(),
            Optional.empty(),
            OptionalInt.empty(),
            List.of(gpu),
            List.of(),
            List.of());
    PreflightReport report =
        Preflight.newBuilder()
            .gpuSource(GpuInventorySource.fixed(inventory))
            .sglangVersion("0.4.6.post4")
            .policy(Policy.WARN)
            .build()
            .check(
                List.of(
                    "python3",
                    "-m",
                    "sglang.launch_server",
                    "--model-path",
                    "Qwen/Qwen3-14B",
                    "--mem-fraction-static",
                    "0.88"),
                Map.of());

    Map<MemoryTerm, Long> predicted = new EnumMap<>(MemoryTerm.class);
    for (PredictedTerm t : report.predictedTerms()) {
      predicted.put(t.term(), t.value());
    }
    StartupObservation observed =
        StartupObservation.of(events("xinference3481-qwen3-14b-2025-05.log"));
    MemoryComparison table = observed.compare(report.predictedTerms());
    Map<MemoryTerm, Long> actual = new EnumMap<>(MemoryTerm.class);
    for (MemoryComparison.Row row : table.rows()) {
      actual.put(row.term(), row.actual());
    }

    // weights: 29,536,614,400 B checkpoint = 27.51 GiB vs the logged 27.57 GiB
    assertWithin(predicted.get(MemoryTerm.WEIGHTS), actual.get(MemoryTerm.WEIGHTS), 0.05);
    // KV tokens: the pool formula with the logged T and A: 91,758 vs 91,749
    assertWithin(predicted.get(MemoryTerm.KV_TOKENS), actual.get(MemoryTerm.KV_TOKENS), 0.03);
    assertWithin(predicted.get(MemoryTerm.KV_POOL), actual.get(MemoryTerm.KV_POOL), 0.03);
    // flashinfer's 512 MiB workspace for Qwen3 + 8 MiB + cuBLAS 64 MiB = 0.57 GiB vs 0.63 GiB
    assertWithin(
        predicted.get(MemoryTerm.BETWEEN_POOL_AND_GRAPHS),
        actual.get(MemoryTerm.BETWEEN_POOL_AND_GRAPHS),
        0.15);
    // request table 2049 x 40964 x 4 B = 0.31 GiB vs 0.40 GiB logged (the log's gap also holds
    // small buffers the model does not name): within 0.15 GiB
    long req = predicted.get(MemoryTerm.REQ_TO_TOKEN_AND_OTHER);
    long reqActual = actual.get(MemoryTerm.REQ_TO_TOKEN_AND_OTHER);
    assertTrue(
        Math.abs(req - reqActual) < 0.15 * GIB,
        "request table predicted " + req + " vs " + reqActual + "\n" + table.toText());
    // every term the log shows has a prediction next to it
    for (MemoryComparison.Row row : table.rows()) {
      assertTrue(row.predicted().isPresent(), row.term() + " has no prediction\n" + table.toText());
    }
    // the log shows weights, KV pool, KV tokens, the request table and the gap before capture
    assertEquals(5, table.rows().size(), table.toText());
  }

  private static void assertWithin(Long predicted, Long actual, double tolerance) {
    assertTrue(
        predicted != null && actual != null, "predicted " + predicted + ", actual " + actual);
    double error = Math.abs(predicted - actual) / (double) actual;
    assertTrue(
        error <= tolerance,
        "predicted "
            + predicted
            + " vs actual "
            + actual
            + ": off by "
            + Math.round(error * 1000) / 10.0
            + "%");
  }

  private static List<StartupEvent> events(String resource) throws IOException {
    try (InputStream in = PredictedTermTest.class.getResourceAsStream("/launch/" + resource)) {
      List<StartupEvent> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.startsWith("#")) {
          StartupLogParser.parse(line).ifPresent(out::add);
        }
      }
      return out;
    }
  }
}
