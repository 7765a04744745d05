package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A predicted value of one memory term for one GPU, for {@link StartupObservation#compare}.
 *
 * @param value bytes, or tokens for {@link MemoryTerm#KV_TOKENS}
 */
public record PredictedTerm(MemoryTerm term, long value) {
  private static final Set<TermId> POOL_BUFFERS =
      EnumSet.of(TermId.REQUEST_TABLE, TermId.KV_FREE_LIST, TermId.EAGER_INPUT_BUFFERS);
  private static final Set<TermId> BEFORE_GRAPHS =
      EnumSet.of(TermId.ATTENTION_WORKSPACE, TermId.CUBLAS_WORKSPACE);
  private static final Set<TermId> GRAPHS =
      EnumSet.of(
          TermId.CUDA_GRAPH_DECODE,
          TermId.CUDA_GRAPH_DP_ATTENTION,
          TermId.CUDA_GRAPH_PREFILL,
          TermId.DRAFT_CUDA_GRAPHS);

  public PredictedTerm {
    Objects.requireNonNull(term, "term");
  }

  /**
   * The guard's predictions for the terms an SGLang log shows, from the budget of the command that
   * runs: the adjusted fraction's when the guard rewrote the command, else the requested one's.
   * Empty when the launch went unchecked.
   */
  public static List<PredictedTerm> fromReport(PreflightReport report) {
    Objects.requireNonNull(report, "report");
    boolean rewritten = !report.command().equals(report.originalCommand());
    Optional<PreflightReport.Estimate> e =
        rewritten ? report.adjustedEstimate().or(report::estimate) : report.estimate();
    if (e.isEmpty()) {
      return List.of();
    }
    PreflightReport.Estimate est = e.get();
    long prePoolOther =
        est.prePool().stream().mapToLong(PreflightReport.Item::bytes).sum()
            - est.weightsBytesPerGpu();
    long pool = sum(est, POOL_BUFFERS);
    long before = sum(est, BEFORE_GRAPHS);
    long graphs = sum(est, GRAPHS);
    long afterGraphs = est.availableAfterLoadBytes() - est.kvPoolBytes() - pool - before - graphs;
    List<PredictedTerm> out = new ArrayList<>();
    out.add(new PredictedTerm(MemoryTerm.PRE_LOAD_FREE, est.preLoadFreeBytes() - prePoolOther));
    out.add(new PredictedTerm(MemoryTerm.WEIGHTS, est.weightsBytesPerGpu()));
    out.add(new PredictedTerm(MemoryTerm.KV_POOL, est.kvPoolBytes()));
    out.add(new PredictedTerm(MemoryTerm.KV_TOKENS, est.kvTokens()));
    out.add(new PredictedTerm(MemoryTerm.REQ_TO_TOKEN_AND_OTHER, pool));
    out.add(new PredictedTerm(MemoryTerm.BETWEEN_POOL_AND_GRAPHS, before));
    out.add(new PredictedTerm(MemoryTerm.CUDA_GRAPH, graphs));
    out.add(new PredictedTerm(MemoryTerm.HEADROOM_AFTER_GRAPHS, Math.max(0, afterGraphs)));
    return List.copyOf(out);
  }

  private static long sum(PreflightReport.Estimate e, Set<TermId> ids) {
    return e.items().stream()
        .filter(i -> ids.contains(i.id()))
        .mapToLong(PreflightReport.Item::bytes)
        .sum();
  }
}
