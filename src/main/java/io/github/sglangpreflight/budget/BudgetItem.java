package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.term.TermId;
import java.util.Objects;

/**
 * One term of a memory budget: which term it is, its bytes, how they were computed and where the
 * rule comes from.
 *
 * @param id the term, stable across releases; reports, remedies and the wrapper match on it
 * @param name what the memory is for, e.g. {@code CUDA-graph capture}: the term's label, or the
 *     name of one part of it (a weight part such as {@code routed experts})
 * @param bytes the bytes on one GPU
 * @param formula the computation with its numbers filled in
 * @param source SGLang version and code path, a public log, or a measurement
 */
public record BudgetItem(TermId id, String name, long bytes, String formula, String source) {
  public BudgetItem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(formula, "formula");
    Objects.requireNonNull(source, "source");
    if (bytes < 0) {
      throw new IllegalArgumentException(name + ": bytes must not be negative, was " + bytes);
    }
  }

  /** An item named by its term's label. */
  public BudgetItem(TermId id, long bytes, String formula, String source) {
    this(id, Objects.requireNonNull(id, "id").label(), bytes, formula, source);
  }

  /** The formula and the source in one line, as reports show them. */
  public String basis() {
    return formula + " [" + source + "]";
  }
}
