package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sglangpreflight.calibration.CalibrationKey;
import io.github.sglangpreflight.calibration.CalibrationRecord;
import io.github.sglangpreflight.calibration.observed.ObservedTerms;
import io.github.sglangpreflight.term.TermId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link ObservedTerms}: a start-up log as a calibration record. */
class ObservedTermsTest {
  private static final CalibrationKey KEY =
      new CalibrationKey(
          "NVIDIA H100 80GB HBM3", "580.159.04", "0.5.1", "m", "tp2-pp1-dp1-ep1-nnodes1");
  private static final Instant AT = Instant.parse("2026-08-01T10:00:00Z");
  private static final long GIB = 1L << 30;

  /** Two ranks of SGLang 0.5.1's lines: rank 1 has less free memory and larger terms. */
  private static StartupObservation twoRanks() {
    StartupObservation o = StartupObservation.empty();
    for (String line :
        List.of(
            "[2025-04-21 10:00:00 TP0] Load weight begin. avail mem=78.00 GB",
            "[2025-04-21 10:00:00 TP1] Load weight begin. avail mem=77.00 GB",
            "[2025-04-21 10:00:00 TP0] Load weight end. type=LlamaForCausalLM,"
                + " dtype=torch.bfloat16, avail mem=70.50 GB, mem usage=7.50 GB.",
            "[2025-04-21 10:00:00 TP1] Load weight end. type=LlamaForCausalLM,"
                + " dtype=torch.bfloat16, avail mem=69.00 GB, mem usage=8.00 GB.",
            "[2025-04-21 10:00:00 TP0] Capture cuda graph end. Time elapsed: 1.00 s. mem"
                + " usage=1.25 GB. avail mem=2.97 GB.",
            "[2025-04-21 10:00:00 TP1] Capture cuda graph end. Time elapsed: 1.00 s. mem"
                + " usage=1.50 GB. avail mem=2.97 GB.")) {
      o = o.with(StartupLogParser.parse(line).orElseThrow(() -> new AssertionError(line)));
    }
    return o;
  }

  @Test
  void largestTermOverRanks_smallestT_andTheOverheadAgainstTheCheckedFreeMemory() {
    CalibrationRecord r =
        ObservedTerms.record(KEY, twoRanks(), AT, OptionalLong.of((long) (78.25 * GIB)));

    assertEquals(
        Map.of(TermId.WEIGHTS, 8 * GIB, TermId.CUDA_GRAPH_DECODE, (long) (1.5 * GIB)),
        r.termBytes());
    assertEquals(OptionalLong.of(77 * GIB), r.preLoadFreeBytes());
    assertEquals(OptionalLong.of((long) (1.25 * GIB)), r.preLoadOverheadBytes());
  }

  @Test
  void noOverhead_withoutALiveReading_orWhenTheGpusFreedMemoryInBetween() {
    assertEquals(
        OptionalLong.empty(), ObservedTerms.record(KEY, twoRanks(), AT).preLoadOverheadBytes());
    assertEquals(
        OptionalLong.empty(),
        ObservedTerms.record(KEY, twoRanks(), AT, OptionalLong.of(76 * GIB))
            .preLoadOverheadBytes());
  }
}
