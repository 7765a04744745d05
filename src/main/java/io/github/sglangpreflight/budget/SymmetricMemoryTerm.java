package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.GIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/** Main's symmetric memory for NCCL, preallocated after capture with {@code --enable-symm-mem}. */
final class SymmetricMemoryTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.SYMMETRIC_MEMORY;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    long gib = c.plan().symmMemPreallocGib();
    if (gib <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            gib * GIB,
            gib + " GiB preallocated after capture (--enable-symm-mem)",
            "pynccl_allocator.py L410-437, server_args.py L4907-4912 @main"));
  }
}
