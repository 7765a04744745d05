package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Locale;
import java.util.Optional;

/**
 * The DP-attention allowance for decode capture: SGLang's own 3 (+1.5 above batch 300) MiB × max_bs
 * × dp, or the shape-based extra of the MoE and gathers over bs·dp tokens if that is larger.
 */
final class CudaGraphDpAttentionTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.CUDA_GRAPH_DP_ATTENTION;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (!p.parallelism().dpAttention() || !p.decodeGraphs() || c.captureList().isEmpty()) {
      return Optional.empty();
    }
    long m = c.captureList().getLast();
    int dp = p.parallelism().dpSize();
    long sglang = sglangAllowance(m, dp);
    long shape = shapeBased(c, m, dp);
    long bytes = Math.max(sglang, shape);
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            String.format(
                Locale.ROOT,
                "max(3%s MiB x max_bs %d x dp %d = %s, shape-based MoE/gather over %d tokens = %s)",
                m > 300 ? " + 1.5" : "",
                m,
                dp,
                Units.gib(sglang),
                m * dp,
                Units.gib(shape)),
            "SGLang's own allowance, reserve_for_graph_mb server_args.py L4986-5026 @main; kept for"
                + " every version because sglang#5811 (v0.4.5.post3, 8xH200, DP 8) ran out of"
                + " memory where the shape-based terms alone fit (PR #5634, PR #5893)"));
  }

  @Override
  public long bytes(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (!p.parallelism().dpAttention() || !p.decodeGraphs() || c.captureList().isEmpty()) {
      return 0;
    }
    long m = c.captureList().getLast();
    int dp = p.parallelism().dpSize();
    return Math.max(sglangAllowance(m, dp), shapeBased(c, m, dp));
  }

  private static long sglangAllowance(long m, int dp) {
    return 3 * m * dp * MIB + (m > 300 ? (long) (1.5 * m * dp * MIB) : 0);
  }

  private static long shapeBased(TermContext.Reserve c, long m, int dp) {
    return CudaGraphDecodeTerm.transientPeak(c, m, m * dp)
        - CudaGraphDecodeTerm.transientPeak(c, m, m);
  }
}
