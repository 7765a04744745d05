package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Optional;

/**
 * Main's eager runner's input buffers, sized by the larger of the pool's tokens and the prefill
 * limit ({@link io.github.sglangpreflight.sglang.version.SglangFacts#eagerInputBuffers()}).
 */
final class EagerInputBuffersTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.EAGER_INPUT_BUFFERS;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    if (!c.facts().eagerInputBuffers()) {
      return Optional.empty();
    }
    long tokens = Math.max(c.kvTokens(), c.plan().maxPrefillTokens());
    return Optional.of(
        new BudgetItem(
            id(),
            48 * tokens,
            "48 B (input_ids, positions, out_cache_loc, 3 mrope rows, int64) x "
                + Units.count(tokens),
            "runner/eager_runner.py L69-140 @main"));
  }
}
