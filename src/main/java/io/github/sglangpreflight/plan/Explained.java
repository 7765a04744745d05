package io.github.sglangpreflight.plan;

import java.util.Objects;

/**
 * A number with the computation that produced it and the SGLang code (or measurement) it follows.
 *
 * @param value the number
 * @param formula the computation with its numbers filled in
 * @param source where the rule comes from: SGLang version and code path, or a measurement
 */
public record Explained(double value, String formula, String source) {
  public Explained {
    Objects.requireNonNull(formula, "formula");
    Objects.requireNonNull(source, "source");
  }
}
