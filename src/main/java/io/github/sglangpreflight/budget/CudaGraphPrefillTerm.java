package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/**
 * Main's prefill CUDA graphs, with SGLang's own estimate: 8 MiB per token size (1536 MiB for an MLA
 * model), plus 1024 MiB for the breakable graph under DeepEP where the version adds it.
 */
final class CudaGraphPrefillTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.CUDA_GRAPH_PREFILL;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (!p.prefillGraphs() || p.prefillGraphTokens().isEmpty()) {
      return Optional.empty();
    }
    boolean mla = c.spec().usesMla();
    long bytes = mla ? 1536 * MIB : 8 * MIB * p.prefillGraphTokens().size();
    boolean deepEp = p.deepEp() && p.facts().breakablePrefillDeepEpTerm();
    if (deepEp) {
      bytes += 1024 * MIB;
    }
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            (mla
                    ? "1536 MiB for an MLA model ("
                        + p.prefillGraphTokens().size()
                        + " token sizes)"
                    : "8 MiB x "
                        + p.prefillGraphTokens().size()
                        + " token sizes up to "
                        + p.prefillGraphTokens().getLast())
                + (deepEp ? " + 1024 MiB (breakable graph with DeepEP)" : ""),
            "SGLang's own estimate, reserve_for_graph_mb server_args.py L4986-5026 @main"));
  }
}
