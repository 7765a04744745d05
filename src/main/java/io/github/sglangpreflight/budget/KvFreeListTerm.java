package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Locale;
import java.util.Optional;

/** The token (or page) allocator's free list: one int64 per token, or per page when paged. */
final class KvFreeListTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.KV_FREE_LIST;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    long page = Math.max(1, c.plan().pageSize());
    long entries = Units.ceilDiv(c.kvTokens(), page);
    return Optional.of(
        new BudgetItem(
            id(),
            bytes(c),
            String.format(
                Locale.ROOT,
                "8 B (int64) x %s %s",
                Units.count(entries),
                page > 1 ? "pages" : "tokens"),
            "mem_cache/memory_pool.py L196-197 @v0.4.5.post3; allocator/token.py L42-49 @main"));
  }

  @Override
  public long bytes(TermContext.Reserve c) {
    return 8L * Units.ceilDiv(c.kvTokens(), Math.max(1, c.plan().pageSize()));
  }
}
