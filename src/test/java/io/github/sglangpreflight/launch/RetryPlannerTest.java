package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link RetryPlanner} on start-up logs in SGLang's own wordings (README.md of the resources). */
class RetryPlannerTest {
  private static final long GIB = 1L << 30;

  /** The check's figures for Llama-3.1-8B on one H100: floor 0.394, ceiling 0.943, 1 GiB margin. */
  private static final RetryPlanner.Limits LIMITS =
      new RetryPlanner.Limits(
          0.394, 0.943, GIB, OptionalLong.of(gib(78.81)), OptionalLong.of(16 * GIB));

  private static long gib(double g) {
    return Math.round(g * GIB);
  }

  private static StartupObservation log(String... lines) {
    StartupObservation o = StartupObservation.empty();
    for (String line : lines) {
      var e = StartupLogParser.parse(line);
      if (e.isPresent()) {
        o = o.with(e.get());
      }
    }
    return o;
  }

  private static final String LOAD_BEGIN =
      "[2025-04-21 10:00:01 TP0] Load weight begin. avail mem=78.81 GB";
  private static final String LOAD_END =
      "[2025-04-21 10:00:08 TP0] Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16,"
          + " avail mem=63.70 GB, mem usage=15.11 GB.";
  private static final String KV =
      "[2025-04-21 10:00:08 TP0] KV Cache is allocated. #tokens: 444357, K size: 27.12 GB, V size:"
          + " 27.12 GB";
  private static final String POOL_END =
      "[2025-04-21 10:00:08 TP0] Memory pool end. avail mem=9.16 GB";
  private static final String CAPTURE =
      "[2025-04-21 10:00:09 TP0] Capture cuda graph begin. This can take up to several minutes."
          + " avail mem=9.16 GB";

  private static StartupObservation graphOom(String oomLine) {
    return log(LOAD_BEGIN, LOAD_END, KV, POOL_END, CAPTURE, oomLine);
  }

  @Test
  void graphOom_withFreeMemoryPrinted_lowersByShortfallPlusMarginOverT() {
    StartupObservation o =
        graphOom(
            "Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate 3.09 GiB."
                + " GPU 0 has a total capacity of 79.11 GiB of which 256.00 MiB is free.");

    RetryPlanner.Plan plan =
        RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.88, o)), LIMITS);

    // (3.09 GiB - 0.25 GiB + 1 GiB) / 78.81 GiB = 0.0487, 0.88 - 0.0487 rounded down
    RetryPlanner.Relaunch r = assertInstanceOf(RetryPlanner.Relaunch.class, plan);
    assertEquals(0.831, r.memFractionStatic(), 1e-9);
    assertEquals(
        "SGLang ran out of memory at start-up (capturing CUDA graphs) at --mem-fraction-static"
            + " 0.880 (\"Exception: Capture cuda graph failed: CUDA out of memory. Tried to"
            + " allocate 3.09 GiB. GPU 0 has a total capacity of 79.11 GiB of which 256.00 MiB"
            + " is free.\");"
            + " it asked for 3.09 GiB with 0.25 GiB free, 2.84 GiB short; 3.84 GiB more outside"
            + " the pool (with the 1.00 GiB margin) of T 78.81 GiB: lowering it to 0.831",
        r.reason());
  }

  @Test
  void graphOom_freeMemoryNotPrinted_takesTheWholeRequestAsShortfall() {
    // the reconstructed issue5285 line: torch's "of which ... is free" is cut off
    StartupObservation o =
        graphOom(
            "Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate 448.00"
                + " MiB. GPU 7 has a total capacity of 95.00 GiB");

    RetryPlanner.Relaunch r =
        assertInstanceOf(
            RetryPlanner.Relaunch.class,
            RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.88, o)), LIMITS));

    // (0.4375 GiB + 1 GiB) / 78.81 GiB = 0.01824
    assertEquals(0.861, r.memFractionStatic(), 1e-9);
    assertTrue(r.reason().contains("the free memory was not printed"), r.reason());
  }

  @Test
  void graphOom_belowTheFloor_noFractionCanWork() {
    StartupObservation o =
        graphOom(
            "Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate 51.09 GiB."
                + " GPU 0 has a total capacity of 79.11 GiB of which 256.00 MiB is free.");

    RetryPlanner.Stop s =
        assertInstanceOf(
            RetryPlanner.Stop.class,
            RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.88, o)), LIMITS));

    assertTrue(s.outOfMemory());
    assertTrue(
        s.reason()
            .endsWith(
                ": that needs --mem-fraction-static 0.222, below 0.394, the smallest fraction"
                    + " whose pool holds the minimum KV cache: no fraction can work; lower"
                    + " --cuda-graph-max-bs, --context-length or --max-running-requests, or use"
                    + " more GPUs (--tp)"),
        s.reason());
  }

  @Test
  void notEnoughMemory_raisesToWeightsPlusMinimumKvPoolOverT() {
    StartupObservation o =
        log(
            LOAD_BEGIN,
            LOAD_END,
            "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.");

    RetryPlanner.Relaunch r =
        assertInstanceOf(
            RetryPlanner.Relaunch.class,
            RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.2, o)), LIMITS));

    // (15.11 GiB + 16 GiB) / 78.81 GiB = 0.3947, rounded up
    assertEquals(0.395, r.memFractionStatic(), 1e-9);
    assertEquals(
        "SGLang left no room for the KV cache at --mem-fraction-static 0.200 (\"RuntimeError: Not"
            + " enough memory. Please try to increase --mem-fraction-static.\"); the weights took"
            + " 15.11 GiB of T 78.81 GiB, and the minimum KV pool needs 16.00 GiB: raising it to"
            + " 0.395",
        r.reason());
  }

  @Test
  void notEnoughMemory_aboveTheCeiling_suggestsContextLengthOrMaxTotalTokens() {
    StartupObservation o =
        log(
            "[2025-04-21 10:00:01 TP0] Load weight begin. avail mem=78.81 GB",
            "[2025-04-21 10:00:08 TP0] Load weight end. type=LlamaForCausalLM,"
                + " dtype=torch.bfloat16, avail mem=8.81 GB, mem usage=70.00 GB.",
            "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.");

    RetryPlanner.Stop s =
        assertInstanceOf(
            RetryPlanner.Stop.class,
            RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.88, o)), LIMITS));

    assertTrue(s.outOfMemory());
    assertTrue(
        s.reason()
            .endsWith(
                "the weights took 70.00 GiB of T 78.81 GiB, and the minimum KV pool needs 16.00"
                    + " GiB: that needs --mem-fraction-static 0.999, above 0.943, the largest"
                    + " fraction that leaves room for what follows the pool: no fraction can work;"
                    + " lower --context-length or --max-total-tokens, or use more GPUs (--tp) or a"
                    + " quantized model"),
        s.reason());
  }

  @Test
  void noMemoryForKvCache_mainWording_usesTheMinimumSglangPrints() {
    StartupObservation o =
        log(
            LOAD_BEGIN,
            LOAD_END,
            "ValueError: Loaded weights leave no GPU memory for the KV cache under"
                + " --mem-fraction-static=0.300. Raise --mem-fraction-static above 0.310"
                + " (minimum viable = 0.310)");

    RetryPlanner.Relaunch r =
        assertInstanceOf(
            RetryPlanner.Relaunch.class,
            RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.3, o)), LIMITS));

    // 0.310 + 16 GiB / 78.81 GiB = 0.513
    assertEquals(0.514, r.memFractionStatic(), 1e-9);
  }

  @Test
  void oomWhileLoadingWeights_noFractionHelps() {
    StartupObservation o =
        log(
            LOAD_BEGIN,
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 32.00 MiB. GPU 0 has a"
                + " total capacity of 23.52 GiB");

    RetryPlanner.Stop s =
        assertInstanceOf(
            RetryPlanner.Stop.class,
            RetryPlanner.next(List.of(new RetryPlanner.FailedAttempt(0.88, o)), LIMITS));

    assertTrue(s.outOfMemory());
    assertTrue(
        s.reason().startsWith("SGLang ran out of memory at start-up (loading the weights), before"),
        s.reason());
    assertTrue(s.reason().contains("--mem-fraction-static does not change that"), s.reason());
  }

  @Test
  void noFailureLine_isNotRetried() {
    RetryPlanner.Stop s =
        assertInstanceOf(
            RetryPlanner.Stop.class,
            RetryPlanner.next(
                List.of(new RetryPlanner.FailedAttempt(0.88, log(LOAD_BEGIN, LOAD_END))), LIMITS));

    assertFalse(s.outOfMemory());
  }

  @Test
  void oscillation_goesHalfwayBetweenTheBounds_thenStops() {
    StartupObservation tooLow =
        log(
            LOAD_BEGIN,
            LOAD_END,
            "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.");
    StartupObservation tooHigh =
        graphOom(
            "Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate 20.00 GiB."
                + " GPU 0 has a total capacity of 79.11 GiB of which 256.00 MiB is free.");

    // 0.60 left no KV room; 0.70 ran out in the graphs and asks for 0.70 - 20.75/78.81 = 0.436
    RetryPlanner.Relaunch half =
        assertInstanceOf(
            RetryPlanner.Relaunch.class,
            RetryPlanner.next(
                List.of(
                    new RetryPlanner.FailedAttempt(0.60, tooLow),
                    new RetryPlanner.FailedAttempt(0.70, tooHigh)),
                LIMITS));
    assertEquals(0.65, half.memFractionStatic(), 1e-9);

    RetryPlanner.Stop stop =
        assertInstanceOf(
            RetryPlanner.Stop.class,
            RetryPlanner.next(
                List.of(
                    new RetryPlanner.FailedAttempt(0.600, tooLow),
                    new RetryPlanner.FailedAttempt(0.601, tooHigh)),
                LIMITS));
    assertTrue(stop.reason().contains("where the KV cache already did not fit"), stop.reason());
  }

  @Test
  void noAttempt_isABug() {
    assertThrows(IllegalArgumentException.class, () -> RetryPlanner.next(List.of(), LIMITS));
  }
}
