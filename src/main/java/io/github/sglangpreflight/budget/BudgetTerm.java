package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/**
 * One term of the memory budget: its formula, its version rules, its constants and its sources, in
 * one class. Pure: it reads only its context. {@link BudgetTerms} lists the terms per phase; {@link
 * BudgetModel} asks each for its item and sums them.
 *
 * @param <C> what the term reads: the context of the phase it is evaluated in
 */
interface BudgetTerm<C extends TermContext> {

  /** The term's stable id; every item it returns carries it. */
  TermId id();

  /** The term's bytes on one GPU with their formula and source; empty when it takes nothing. */
  Optional<BudgetItem> item(C context);

  /**
   * The term's bytes alone, the same as {@link #item}'s (0 when it takes nothing): what the
   * fraction search reads. Terms whose formula text is costly compute it without the text.
   */
  default long bytes(C context) {
    return item(context).map(BudgetItem::bytes).orElse(0L);
  }
}
