package io.github.sglangpreflight.budget;

import java.util.Objects;

/**
 * One term of a memory budget: what it is, its bytes, how they were computed and where the rule
 * comes from.
 *
 * @param name what the memory is for, e.g. {@code CUDA-graph capture}
 * @param bytes the bytes on one GPU
 * @param formula the computation with its numbers filled in
 * @param source SGLang version and code path, a public log, or a measurement
 */
public record BudgetItem(String name, long bytes, String formula, String source) {
  public BudgetItem {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(formula, "formula");
    Objects.requireNonNull(source, "source");
    if (bytes < 0) {
      throw new IllegalArgumentException(name + ": bytes must not be negative, was " + bytes);
    }
  }

  /** The formula and the source in one line, as reports show them. */
  public String basis() {
    return formula + " [" + source + "]";
  }
}
