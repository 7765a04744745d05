package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import java.util.Locale;
import java.util.Optional;

/**
 * Eager decode above the graph limit (or all decode without graphs): the lm_head output (gathered
 * over DP attention) and the fp32 logits and probabilities of sampling, for up to max(256, the
 * largest decode graph) requests per rank.
 */
final class DecodeSamplingTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.DECODE_SAMPLING;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    long v = c.spec().vocabSize();
    long batch = batch(c);
    boolean dpGather = p.parallelism().dpAttention();
    long rows = dpGather ? batch * p.parallelism().dpSize() : batch;
    long bytes = bytes(c);
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            String.format(
                Locale.ROOT,
                "lm_head + gather %d rows x %d x (2/tp + 4) B + fp32 logits and probs %d x %d x"
                    + " 8 B",
                rows,
                v,
                batch,
                v),
            "layers/logits_processor.py L425-458 @v0.4.5.post3 (eager decode of up to "
                + batch
                + " requests per rank"
                + (dpGather ? ", gathered over DP attention" : "")
                + ")"));
  }

  @Override
  public long bytes(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    long v = c.spec().vocabSize();
    int tp = p.parallelism().tpSize();
    long batch = batch(c);
    long rows = p.parallelism().dpAttention() ? batch * p.parallelism().dpSize() : batch;
    return (long) (rows * v * (2.0 / tp + 4) + batch * v * 8.0);
  }

  /** Requests decoded eagerly at once on the rank. */
  private static long batch(TermContext.Reserve c) {
    long graphMax = c.captureList().isEmpty() ? 0 : c.captureList().getLast();
    return Math.min(Math.max(1, c.maxRunningPerRank()), Math.max(256, graphMax));
  }
}
