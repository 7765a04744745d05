package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.GIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** DeepEP's communication buffers, created at the first dispatch. An estimate. */
final class DeepEpTerm implements BudgetTerm<TermContext.Reserve> {

  /** Main's own reserve_for_deepep_a2a_mb. */
  static final long BYTES = 2 * GIB;

  @Override
  public TermId id() {
    return TermId.DEEPEP_BUFFERS;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    if (!c.plan().deepEp()) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            BYTES,
            "2 GiB per rank (created at the first dispatch)",
            "estimate: main's own reserve_for_deepep_a2a_mb (server_args.py L5028-5039);"
                + " DeepEP's low-latency layout gives about 1.9 GB for DeepSeek-V3"));
  }
}
