package io.github.sglangpreflight.decider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.term.TermId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Every kind of reason rendered, word for word. */
class ReasonTextTest {
  private static final long GIB = 1L << 30;
  private static final BudgetPoint AT =
      new BudgetPoint(
          0.907,
          GIB * 25 / 2,
          16 * GIB,
          GIB,
          85_000,
          20 * GIB,
          3,
          "NVIDIA H200",
          List.of(
              new TermBytes(TermId.CUDA_GRAPH_DP_ATTENTION, 6 * GIB),
              new TermBytes(TermId.CUDA_GRAPH_DECODE, GIB * 11 / 2)));
  private static final RequestedFraction DEFAULT =
      new RequestedFraction(0.907, OptionalDouble.empty(), 1.0, "0.4.5.post3");
  private static final RequestedFraction FLAG =
      new RequestedFraction(0.85, OptionalDouble.of(0.85), 1.0, "0.5.1");

  private static List<String> render(Decision d, Reason... reasons) {
    return ReasonText.render(
        new Verdict(
            d,
            d == Decision.REJECT ? OptionalDouble.empty() : OptionalDouble.of(0.5),
            List.of(reasons),
            false,
            false));
  }

  @Test
  void fits() {
    assertEquals(
        List.of(
            "ACCEPT: --mem-fraction-static 0.850 leaves 12.50 GiB outside the static pool on GPU 3"
                + " (NVIDIA H200); the launch needs 16.00 GiB there plus the 1.00 GiB margin, and"
                + " the pool holds 85,000 KV tokens (safe window 0.600-0.900)"),
        render(Decision.ACCEPT, new Reason.Fits(FLAG, AT, 0.6, 0.9)));
  }

  @Test
  void reserveTooSmall_adjusts_orRejectsUnderTheRejectPolicyInOneSentence() {
    Reason lower = new Reason.ReserveTooSmall(DEFAULT, AT, 0.871, 422_465, List.of());
    String body =
        ": --mem-fraction-static 0.907 (SGLang 0.4.5.post3's default) leaves 12.50 GiB outside"
            + " the static pool on GPU 3 (NVIDIA H200) but the launch needs 16.00 GiB there plus"
            + " the 1.00 GiB safety margin, most of it CUDA-graph capture under DP attention (6.00"
            + " GiB) and CUDA-graph capture (5.50 GiB); lowering it to 0.871 keeps the margin free"
            + " and still holds 422,465 KV tokens";

    assertEquals(List.of("ADJUST" + body), render(Decision.ADJUST, lower));
    assertEquals(
        List.of(
            "REJECT"
                + body
                + "; the reject policy forbids changing it: run with --mem-fraction-static 0.871"),
        render(Decision.REJECT, lower, new Reason.PolicyForbidsChange(0.871)));
  }

  @Test
  void poolTooSmall_multimodalFlag_emptyPool_limitFromTheFlag() {
    BudgetPoint empty =
        new BudgetPoint(0.63, 30 * GIB, 10 * GIB, GIB, 0, 20 * GIB, 0, "NVIDIA L4", List.of());
    RequestedFraction multimodal =
        new RequestedFraction(0.63, OptionalDouble.of(0.70), 0.9, "0.5.1");

    assertEquals(
        List.of(
            "ADJUST: --mem-fraction-static 0.630 (the flag's 0.700 x 0.9 for a multimodal model)"
                + " leaves 0 KV tokens after 20.00 GiB of weights per GPU (SGLang would stop with"
                + " \"Not enough memory. Please try to increase --mem-fraction-static\"), below the"
                + " 32,768 the launch needs (--min-kv-tokens); raising it to 0.700 holds them and"
                + " stays within the safe maximum 0.850"),
        render(
            Decision.ADJUST,
            new Reason.PoolTooSmall(
                multimodal,
                empty,
                new KvMinimum(32_768, KvMinimum.Source.FLAG),
                0.70,
                0.85,
                List.of())));
    // SGLang's own floor (issue 10): raised to the largest safe fraction
    assertEquals(
        List.of(
            "ADJUST: --mem-fraction-static 0.630 (the flag's 0.700 x 0.9 for a multimodal model)"
                + " leaves 0 KV tokens after 20.00 GiB of weights per GPU (SGLang would stop with"
                + " \"Not enough memory. Please try to increase --mem-fraction-static\"), below"
                + " SGLang's floor of 1 (one page); raising it to 0.950, the largest safe fraction,"
                + " gives the pool the most room the margin allows"),
        render(
            Decision.ADJUST,
            new Reason.PoolTooSmall(
                multimodal,
                empty,
                new KvMinimum(1, KvMinimum.Source.SGLANG_FLOOR),
                0.95,
                0.95,
                List.of())));
  }

  @Test
  void noWindow_withAndWithoutASafeFraction() {
    String body =
        "REJECT: no --mem-fraction-static works on GPU 3 (NVIDIA H200): holding 20.00 GiB of"
            + " weights and 163,840 KV tokens needs at least 0.907, which leaves 12.50 GiB outside"
            + " the static pool, but the launch needs 16.00 GiB there plus the 1.00 GiB safety"
            + " margin (most of it CUDA-graph capture under DP attention (6.00 GiB) and CUDA-graph"
            + " capture (5.50 GiB))";

    assertEquals(
        List.of(body + "; the largest safe fraction is 0.800"),
        render(
            Decision.REJECT, new Reason.NoWindow(AT, 163_840, OptionalDouble.of(0.8), List.of())));
    assertEquals(
        List.of(body),
        render(
            Decision.REJECT, new Reason.NoWindow(AT, 163_840, OptionalDouble.empty(), List.of())));
  }

  @Test
  void kvNeverFits() {
    assertEquals(
        List.of(
            "REJECT: no --mem-fraction-static works on GPU 3 (NVIDIA H200): after 20.00 GiB of"
                + " weights per GPU even 0.999 leaves 85,000 KV tokens, below the 131,072 the"
                + " launch needs"),
        render(Decision.REJECT, new Reason.KvNeverFits(AT, 131_072, List.of())));
  }

  @Test
  void startupChecksAndVersionRefusals_keepTheirMessages_andTurnAFitIntoAReject() {
    assertEquals(
        List.of("REJECT: GPU 0 (NVIDIA L4): the weights need more", "REJECT: unbalanced"),
        render(
            Decision.REJECT,
            new Reason.StartupCheckFails(
                "weights-fit", "GPU 0 (NVIDIA L4): the weights need more", List.of()),
            new Reason.StartupCheckFails("memory-balance", "unbalanced", List.of())));
    List<String> refused =
        render(
            Decision.REJECT,
            new Reason.Fits(FLAG, AT, 0.6, 0.9),
            new Reason.VersionRefuses("0.5.1", "--foo", "SGLang 0.5.1 does not know --foo"));
    assertEquals(2, refused.size());
    assertEquals(
        "REJECT: --mem-fraction-static 0.850 leaves 12.50 GiB outside the static pool on GPU 3"
            + " (NVIDIA H200); the launch needs 16.00 GiB there plus the 1.00 GiB margin, and"
            + " the pool holds 85,000 KV tokens (safe window 0.600-0.900)",
        refused.get(0));
    assertEquals(
        "SGLang 0.5.1 refuses this launch: SGLang 0.5.1 does not know --foo", refused.get(1));
  }

  @Test
  void gpusMissing_ordinalsAndCounts() {
    assertEquals(
        List.of(
            "REJECT: the launch needs 4 GPUs on this node (tp 4 x pp 1) at CUDA ordinals 0-3, but"
                + " SGLang would see only 2 (ordinals [2, 3] are missing or unreadable); make"
                + " CUDA_VISIBLE_DEVICES list enough GPUs or lower --tp/--dp"),
        render(
            Decision.REJECT,
            new Reason.GpusMissing(4, 4, 1, 1, false, 0, 1, List.of(2, 3), 2, Optional.empty())));
    assertEquals(
        List.of(
            "REJECT: the launch needs 2 GPUs on this node (tp 1 x pp 1 x dp 2) at CUDA ordinals"
                + " 1,3, but SGLang would see only 1 (ordinal [3] is missing or unreadable);"
                + " CUDA_VISIBLE_DEVICES is odd"),
        render(
            Decision.REJECT,
            new Reason.GpusMissing(
                2,
                1,
                1,
                2,
                false,
                1,
                2,
                List.of(3),
                1,
                Optional.of("CUDA_VISIBLE_DEVICES is odd"))));
    assertEquals(
        List.of(
            "REJECT: the launch needs 1 GPU on this node (tp 1 x pp 1) at CUDA ordinals 0, but"
                + " SGLang would see no GPU; make CUDA_VISIBLE_DEVICES list enough GPUs or lower"
                + " --tp/--dp"),
        render(
            Decision.REJECT,
            new Reason.GpusMissing(1, 1, 1, 8, true, 0, 1, List.of(0), 0, Optional.empty())));
  }

  @Test
  void gpusUnreadable() {
    assertEquals(
        List.of(
            "ACCEPT (unchecked): the GPUs cannot be read (NVML not available); the launch goes"
                + " ahead unchecked because unreadable GPUs are allowed"),
        render(Decision.ACCEPT, new Reason.GpusUnreadable("NVML not available")));
  }
}
