package io.github.sglangpreflight.launch;

import static io.github.sglangpreflight.launch.StartupLogParserTest.gib;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StartupObservationTest {

  @Test
  void with_docsRun2025_givesTheTermsTheDatasetDerives() {
    RankObservation tp0 =
        observe("docs-llama-3.1-8b-2025-01.log").rank(Rank.parse("TP0")).orElseThrow();
    // docs/sglang-startup-logs.md: weights 78.81 - 63.72 = 15.09 by difference (no mem usage
    // printed in that version), request table 63.72 - 54.26 - 8.34 = 1.12 GB, #tokens from the
    // scheduler line
    assertEquals("15.09 GiB", Units.gib(tp0.actual(MemoryTerm.WEIGHTS).orElseThrow()));
    assertEquals(
        "1.12 GiB", Units.gib(tp0.actual(MemoryTerm.REQ_TO_TOKEN_AND_OTHER).orElseThrow()));
    assertEquals(OptionalLong.of(444500), tp0.actual(MemoryTerm.KV_TOKENS));
    assertEquals(OptionalLong.empty(), tp0.actual(MemoryTerm.CUDA_GRAPH));
    assertEquals(1, tp0.graphCaptures());
  }

  @Test
  void with_fourRankLog_keepsOneObservationPerRank() {
    StartupObservation o = observe("pr15909-qwen3-omni-tp4-2025-12.log");
    assertEquals(
        List.of("TP0", "TP1", "TP2", "TP3"),
        o.ranks().stream().map(r -> r.rank().label()).toList());
    // docs/sglang-startup-logs.md pattern 3: 0.53-0.58 GB between the pool and the capture for
    // Qwen-Omni
    assertEquals(
        "0.58 GiB",
        Units.gib(
            o.rank(Rank.parse("TP1"))
                .orElseThrow()
                .actual(MemoryTerm.BETWEEN_POOL_AND_GRAPHS)
                .orElseThrow()));
    assertEquals(
        "0.57 GiB",
        Units.gib(
            o.rank(Rank.parse("TP3"))
                .orElseThrow()
                .actual(MemoryTerm.BETWEEN_POOL_AND_GRAPHS)
                .orElseThrow()));
  }

  @Test
  void with_draftModelAfterTargetPool_keepsTheTargetFigures() {
    StartupObservation o =
        of(
            "[2025-04-21 10:00:00 TP0] Load weight begin. avail mem=80.00 GB",
            "[2025-04-21 10:00:01 TP0] Load weight end. type=LlamaForCausalLM,"
                + " dtype=torch.bfloat16, avail mem=60.00 GB, mem usage=20.00 GB.",
            "[2025-04-21 10:00:02 TP0] KV Cache is allocated. #tokens: 1000, K size: 20.00 GB, V"
                + " size: 20.00 GB",
            "[2025-04-21 10:00:03 TP0] Memory pool end. avail mem=15.00 GB",
            "[2025-04-21 10:00:04 TP0] Load weight begin. avail mem=15.00 GB",
            "[2025-04-21 10:00:05 TP0] Load weight end. type=LlamaForCausalLMEagle,"
                + " dtype=torch.bfloat16, avail mem=14.00 GB, mem usage=1.00 GB.",
            "[2025-04-21 10:00:06 TP0] KV Cache is allocated. #tokens: 1000, K size: 1.00 GB, V"
                + " size: 1.00 GB",
            "[2025-04-21 10:00:07 TP0] Memory pool end. avail mem=11.50 GB");
    RankObservation tp0 = o.ranks().get(0);
    assertEquals(OptionalLong.of(gib("80.00")), tp0.actual(MemoryTerm.PRE_LOAD_FREE));
    assertEquals(OptionalLong.of(gib("20.00")), tp0.actual(MemoryTerm.WEIGHTS));
    assertEquals(OptionalLong.of(gib("40.00")), tp0.actual(MemoryTerm.KV_POOL));
    assertEquals(OptionalLong.of(gib("5.00")), tp0.actual(MemoryTerm.REQ_TO_TOKEN_AND_OTHER));
  }

  @Test
  void with_splitPoolsBeforePoolEnd_sumsThemAndKeepsTheFirstTokens() {
    RankObservation r =
        of(
                "[2026-08-10 10:00:00] Full KV Cache is allocated. dtype: torch.bfloat16, #tokens:"
                    + " 500000, K size: 10.00 GB, V size: 10.00 GB",
                "[2026-08-10 10:00:00] SWA KV Cache is allocated. dtype: torch.bfloat16, #tokens:"
                    + " 65536, K size: 1.50 GB, V size: 1.50 GB",
                "[2026-08-10 10:00:01] Memory pool end. avail mem=9.00 GB")
            .ranks()
            .get(0);
    assertEquals(OptionalLong.of(gib("23.00")), r.actual(MemoryTerm.KV_POOL));
    assertEquals(OptionalLong.of(500000), r.actual(MemoryTerm.KV_TOKENS));
  }

  @Test
  void with_severalGraphCaptures_sumsUsageAndKeepsTheLastAvail() {
    RankObservation r =
        of(
                "[2026-08-10 10:00:00 TP0] Capture target prefill CUDA graph begin. backend=x,"
                    + " num_tokens=[4], avail mem=30.00 GB",
                "[2026-08-10 10:00:01 TP0] Capture target prefill CUDA graph end. elapsed=1.00 s,"
                    + " mem usage=0.50 GB, avail mem=29.50 GB.",
                "[2026-08-10 10:00:02 TP0] Capture target decode CUDA graph begin. backend=x,"
                    + " num_tokens_per_req=1, bs=[1], avail mem=29.50 GB",
                "[2026-08-10 10:00:03 TP0] Capture target decode CUDA graph end. elapsed=1.00 s,"
                    + " mem usage=1.25 GB, avail mem=28.25 GB.")
            .ranks()
            .get(0);
    assertEquals(OptionalLong.of(gib("1.75")), r.actual(MemoryTerm.CUDA_GRAPH));
    assertEquals(OptionalLong.of(gib("28.25")), r.actual(MemoryTerm.HEADROOM_AFTER_GRAPHS));
    assertEquals(OptionalLong.of(gib("30.00")), r.availBeforeGraphsBytes());
    assertEquals(2, r.graphCaptures());
  }

  @Test
  void with_postCaptureKvSizing_replacesKvAndHeadroom() {
    RankObservation r =
        of(
                "[2026-08-10 10:00:00 TP0] Load weight end. elapsed=1.00 s, type=X, avail"
                    + " mem=60.00 GB, mem usage=20.00 GB.",
                "[2026-08-10 10:00:00 TP0] Memory pool end. avail mem=59.00 GB",
                "[2026-08-10 10:00:01 TP0] Capture target decode CUDA graph end. elapsed=1.00 s,"
                    + " mem usage=1.00 GB, avail mem=58.00 GB.",
                "[2026-08-10 10:00:02 TP0] Post-capture KV sizing: KV cache allocated. dtype:"
                    + " torch.bfloat16, #tokens: 349377, KV size: 50.00 GB, avail mem=8.00 GB")
            .ranks()
            .get(0);
    assertTrue(r.kvAllocatedAfterGraphs());
    assertEquals(OptionalLong.of(gib("50.00")), r.actual(MemoryTerm.KV_POOL));
    assertEquals(OptionalLong.of(gib("1.00")), r.actual(MemoryTerm.REQ_TO_TOKEN_AND_OTHER));
    assertEquals(OptionalLong.of(gib("8.00")), r.actual(MemoryTerm.HEADROOM_AFTER_GRAPHS));
  }

  @Test
  void with_oomWhileLoading_recordsTheStageBeforeAnyPool() {
    StartupObservation o =
        of(
            "[2025-04-21 10:00:00] Load weight begin. avail mem=23.00 GB",
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 32.00 MiB. GPU 0 has a"
                + " total capacity of 23.52 GiB");
    StartupObservation.ObservedFailure f = o.firstFatalFailure().orElseThrow();
    assertEquals(StartupStage.LOADING_WEIGHTS, f.stage());
    assertFalse(f.afterMemoryPool());
    assertEquals(StartupStage.LOADING_WEIGHTS, o.stage());
  }

  @Test
  void with_unbalancedWarningThenReady_hasNoFatalFailure() {
    StartupObservation o =
        of(
            "[2026-08-10 10:00:00 TP0] The memory capacity is unbalanced. Some GPUs may be"
                + " occupied by other processes. pre_model_load_memory=60.5",
            "[2026-08-10 10:01:00] INFO:     Uvicorn running on http://127.0.0.1:30000 (Press"
                + " CTRL+C to quit)",
            "[2026-08-10 10:01:02] The server is fired up and ready to roll!");
    assertEquals(1, o.failures().size());
    assertEquals(Optional.empty(), o.firstFatalFailure());
    assertEquals(Optional.of("http://127.0.0.1:30000"), o.listeningUrl());
    assertTrue(o.ready());
    assertEquals(StartupStage.READY, o.stage());
  }

  @Test
  void compare_predictions_rendersAlignedTable() {
    StartupObservation o =
        of(
            "[2025-04-21 10:00:01 TP0] Load weight begin. avail mem=78.81 GB",
            "[2025-04-21 10:00:08 TP0] Load weight end. type=LlamaForCausalLM,"
                + " dtype=torch.bfloat16, avail mem=63.48 GB, mem usage=15.11 GB.",
            "[2025-04-21 10:00:08 TP0] KV Cache is allocated. #tokens: 442750, K size: 27.02 GB,"
                + " V size: 27.02 GB");
    MemoryComparison c =
        o.compare(
            List.of(
                new PredictedTerm(MemoryTerm.WEIGHTS, gib("15.00")),
                new PredictedTerm(MemoryTerm.KV_TOKENS, 440000),
                new PredictedTerm(MemoryTerm.KV_POOL, gib("54.50"))));
    assertEquals(
        String.join(
            "\n",
            "rank  term              predicted     actual  difference",
            "TP0   free before load          -  78.81 GiB  -",
            "TP0   weights           15.00 GiB  15.11 GiB  +0.11 GiB (+0.7%)",
            "TP0   KV pool           54.50 GiB  54.04 GiB  -0.46 GiB (-0.8%)",
            "TP0   KV tokens            440000     442750  +2750 (+0.6%)"),
        c.toText());
  }

  @Test
  void compare_nothingObserved_saysSo() {
    assertEquals("no memory term observed", StartupObservation.empty().compare(List.of()).toText());
  }

  @Test
  void compare_zeroPrediction_hasDifferenceButNoPercent() {
    MemoryComparison.Row row =
        of("[2025-04-21 10:00:01] Load weight begin. avail mem=1.00 GB")
            .compare(List.of(new PredictedTerm(MemoryTerm.PRE_LOAD_FREE, 0)))
            .rows()
            .get(0);
    assertEquals(OptionalLong.of(1L << 30), row.difference());
    assertTrue(row.differencePercent().isEmpty());
  }

  @Test
  void compare_termPredictedTwice_throws() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                StartupObservation.empty()
                    .compare(
                        List.of(
                            new PredictedTerm(MemoryTerm.WEIGHTS, 1),
                            new PredictedTerm(MemoryTerm.WEIGHTS, 2))));
    assertEquals("each term may be predicted once, WEIGHTS was predicted twice", e.getMessage());
  }

  @Test
  void toJsonValue_writtenWithJacksonJr_keepsEveryFieldAndOmitsAbsentOnes() throws Exception {
    MemoryComparison c =
        of(
                "[2025-06-19 12:00:21] Load weight end. type=Qwen3ForCausalLM,"
                    + " dtype=torch.bfloat16, avail mem=21.96 GB, mem usage=8.81 GB.",
                "[2025-06-19 12:00:21] KV Cache is allocated. #tokens: 132681, K size: 9.11 GB, V"
                    + " size: 9.11 GB")
            .compare(List.of(new PredictedTerm(MemoryTerm.WEIGHTS, gib("8.00"))));
    String json = JSON.std.asString(c.toJsonValue());
    List<Object> back = JSON.std.listFrom(json);
    assertEquals(3, back.size());
    @SuppressWarnings("unchecked")
    Map<String, Object> weights = (Map<String, Object>) back.get(0);
    assertEquals("WEIGHTS", weights.get("term"));
    assertEquals("bytes", weights.get("unit"));
    assertFalse(weights.containsKey("rank"));
    assertEquals(gib("8.00"), ((Number) weights.get("predicted")).longValue());
    assertEquals(gib("8.81"), ((Number) weights.get("actual")).longValue());
    assertEquals(gib("8.81") - gib("8.00"), ((Number) weights.get("difference")).longValue());
    assertTrue(weights.containsKey("differencePercent"));
    @SuppressWarnings("unchecked")
    Map<String, Object> tokens = (Map<String, Object>) back.get(2);
    assertEquals("tokens", tokens.get("unit"));
    assertFalse(tokens.containsKey("predicted"));
  }

  private static StartupObservation of(String... lines) {
    List<StartupEvent> events = new ArrayList<>();
    for (String line : lines) {
      events.add(
          StartupLogParser.parse(line).orElseThrow(() -> new AssertionError("no event: " + line)));
    }
    return StartupObservation.of(events);
  }

  private static StartupObservation observe(String file) {
    return of(LaunchResources.logLines(file).toArray(String[]::new));
  }
}
