package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/**
 * The request-to-token table (ReqToTokenPool): one int32 row of the context length (+ 4, + the
 * draft tokens where the version counts them) per request row. The rows follow the version's rule
 * ({@link SglangFacts#requestRowsRule()}); main allocates one row more than it reports.
 */
final class RequestTableTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.REQUEST_TABLE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    SglangFacts f = p.facts();
    int cols = p.contextLength() + 4;
    String colsFormula = "(" + p.contextLength() + " + 4";
    if (f.requestTableCountsDraftTokens() && p.speculative().isPresent()) {
      cols += p.speculative().get().draftTokens();
      colsFormula += " + " + p.speculative().get().draftTokens() + " draft";
    }
    colsFormula += ")";
    int rowsAllocated =
        c.requestRows() + (f.requestRowsRule() == SglangFacts.RequestRowsRule.MAIN ? 1 : 0);
    long bytes = (long) rowsAllocated * cols * 4;
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            rowsAllocated + " rows x " + colsFormula + " x 4 B (int32)",
            "ReqToTokenPool, mem_cache/memory_pool.py L46-67 @v0.4.5.post3; rows rule "
                + f.requestRowsRule()
                + " (model_runner.py L743-752 @v0.4.5.post3, kv_cache_configurator.py"
                + " L1878-1931 @main)"));
  }
}
