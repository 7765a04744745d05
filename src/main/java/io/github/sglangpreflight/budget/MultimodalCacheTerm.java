package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** Main's reservation for the multimodal embedding cache, inside the static pool. */
final class MultimodalCacheTerm implements BudgetTerm<TermContext.StaticPool> {

  /** {@code SGLANG_VLM_CACHE_SIZE_MB}'s default. */
  static final long BYTES = 100 * MIB;

  @Override
  public TermId id() {
    return TermId.MULTIMODAL_CACHE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.StaticPool c) {
    if (!c.plan().multimodal() || !c.facts().multimodalKvReservation()) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            BYTES,
            "SGLANG_VLM_CACHE_SIZE_MB 100 MiB",
            "kv_cache_configurator.py L1769-1816 @main (2026-08-12)"));
  }
}
