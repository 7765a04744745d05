package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.GIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** The speculative draft's CUDA graphs where SGLang leaves them unbudgeted. From a public log. */
final class DraftCudaGraphsTerm implements BudgetTerm<TermContext.Reserve> {

  /** sglang#10088: EAGLE draft graphs took 0.21 GB. */
  static final long BYTES = GIB / 4;

  @Override
  public TermId id() {
    return TermId.DRAFT_CUDA_GRAPHS;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    if (c.plan().speculative().isEmpty() || !c.facts().draftUnbudgeted()) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(), BYTES, "0.25 GiB", "public log sglang#10088 (EAGLE draft graphs 0.21 GB)"));
  }
}
