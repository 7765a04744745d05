package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** SGLang's custom all-reduce buffers under TP: allocated before T. */
final class CustomAllReduceTerm implements BudgetTerm<TermContext.BeforeT> {

  /** custom_all_reduce.py L145-158 @v0.4.5.post3: 8 MiB buffer + 8 MiB rank data per rank. */
  static final long BYTES = 16 * MIB;

  @Override
  public TermId id() {
    return TermId.CUSTOM_ALL_REDUCE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.BeforeT c) {
    if (c.plan().parallelism().tpSize() <= 1 || !c.plan().customAllReduce()) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            BYTES,
            "8 MiB IPC buffer + 8 MiB rank data",
            "custom_all_reduce.py L145-158 @v0.4.5.post3 (allocated before T)"));
  }
}
