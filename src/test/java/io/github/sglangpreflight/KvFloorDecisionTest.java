package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.ReasonId;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 5: the guard's default minimum KV is SGLang's own floor (one page: SGLang stops
 * only on an empty pool, model_runner.py L795-798 @v0.4.5.post3, and otherwise clamps the longest
 * request to the pool). A pool below one full-context request is a warning with its tokens and the
 * remedies; {@code --min-kv-tokens} keeps the stronger guarantee.
 */
class KvFloorDecisionTest {
  static final String LLAMA8 = "meta-llama/Llama-3.1-8B-Instruct";
  static final String LLAMA70 = "meta-llama/Llama-3.3-70B-Instruct";

  static PreflightReport check(Preflight.Builder b, String preset, String model, String... extra) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(extra));
    return b.gpuSource(GpuSnapshots.presetSource(preset))
        .sglangVersion("0.5.21")
        .build()
        .check(argv, Map.of());
  }

  static PreflightReport check(String preset, String model, String... extra) {
    return check(Preflight.newBuilder(), preset, model, extra);
  }

  /** The note of {@code BudgetModel.fullContextNote} for a pool of {@code tokens}. */
  static String fullContextNote(long tokens, long context) {
    return String.format(
        Locale.ROOT,
        "the KV pool holds %,d tokens, less than one request of the full context length (%,d):"
            + " SGLang starts and refuses longer requests; pass --context-length %d (or less) to"
            + " say so, or --max-total-tokens to fix the pool, or --min-kv-tokens %d to require a"
            + " full-length request",
        tokens,
        context,
        tokens,
        context);
  }

  @Test
  void twoH100_70bTp2At09_startsInSglang_isNotRejected() {
    // before issue 10: REJECT, "even 0.999 leaves 78,480 KV tokens, below the 131,072 the launch
    // needs"; SGLang starts with this pool and clamps the longest request to it
    PreflightReport r = check("2xH100", LLAMA70, "--tp", "2", "--mem-fraction-static", "0.9");

    assertTrue(r.decision() != Decision.REJECT, r.headline());
    PreflightReport.Estimate at09 = r.estimate().orElseThrow();
    // everything SGLang allocates after the pool fits at 0.9 (it starts); what is left may be
    // below the guard's 1 GiB margin, and the guard then lowers the fraction a little
    assertTrue(at09.headroomBytes() > 0, "" + at09.headroomBytes());
    assertTrue(at09.kvTokens() > 0 && at09.kvTokens() < 131_072, "" + at09.kvTokens());
    PreflightReport.Estimate used = r.adjustedEstimate().orElse(at09);
    assertTrue(r.recommendedFraction().getAsDouble() > 0.85, r.headline());
    assertTrue(r.notes().contains(fullContextNote(used.kvTokens(), 131_072)), r.notes().toString());
  }

  @Test
  void minKvTokensFlag_keepsTheFullRequestGuarantee() {
    PreflightReport r =
        check(
            Preflight.newBuilder().minKvTokens(131_072),
            "2xH100",
            LLAMA70,
            "--tp",
            "2",
            "--mem-fraction-static",
            "0.9");

    assertEquals(Decision.REJECT, r.decision());
    assertEquals(ReasonId.KV_NEVER_FITS, r.reasonDetails().getFirst().id());
    assertTrue(r.notes().stream().noneMatch(n -> n.startsWith("the KV pool holds")));
  }

  @Test
  void aPoolBelowSglangsFloor_isRejectedWithSglangsReason() {
    // --max-total-tokens 32 cut to whole pages of 64 leaves no token at any fraction
    PreflightReport r = check("1xL4", LLAMA8, "--page-size", "64", "--max-total-tokens", "32");

    assertEquals(Decision.REJECT, r.decision());
    assertEquals(
        "REJECT: no --mem-fraction-static works on GPU 0 (NVIDIA L4): after 14.96 GiB of weights"
            + " per GPU even 0.999 leaves 0 KV tokens, below the 64 the launch needs (SGLang would"
            + " stop with \"Not enough memory. Please try to increase --mem-fraction-static\")",
        r.reasons().getFirst());
  }

  @Test
  void l4_8b_sglangsDefaultLeavesNoPool_isRaisedToTheLargestSafeFraction() {
    // 0.5.21's default on an L4 (0.684) leaves no KV token: SGLang would stop with "Not enough
    // memory"; the guard raises it to the top of the window, not to a one-page pool
    PreflightReport r = check("1xL4", LLAMA8);

    assertEquals(Decision.ADJUST, r.decision());
    assertEquals(0.684, r.requestedFraction(), 0);
    assertEquals(r.maxSafeFraction(), r.recommendedFraction());
    assertEquals(ReasonId.POOL_TOO_SMALL, r.reasonDetails().getFirst().id());
    assertTrue(
        r.reasons().getFirst().contains("below SGLang's floor of 1 (one page); raising it to"),
        r.reasons().getFirst());
    long tokens = r.adjustedEstimate().orElseThrow().kvTokens();
    assertTrue(tokens > 0 && tokens < 131_072, "" + tokens);
    assertTrue(r.notes().contains(fullContextNote(tokens, 131_072)), r.notes().toString());
  }

  @Test
  void rtx4090_8b_sglangsDefault_isAcceptedWithTheWarning() {
    PreflightReport r = check("1xRTX4090", LLAMA8);

    assertEquals(Decision.ACCEPT, r.decision());
    long tokens = r.estimate().orElseThrow().kvTokens();
    assertTrue(r.notes().contains(fullContextNote(tokens, 131_072)), r.notes().toString());
  }

  @Test
  void aPoolHoldingOneFullRequest_getsNoWarning() {
    PreflightReport r = check("1xH200", LLAMA8);

    assertEquals(Decision.ACCEPT, r.decision());
    assertTrue(r.estimate().orElseThrow().kvTokens() >= 131_072);
    assertTrue(r.notes().stream().noneMatch(n -> n.startsWith("the KV pool holds")));
  }
}
