package io.github.sglangpreflight.decider;

import io.github.sglangpreflight.term.TermId;
import java.util.Objects;

/**
 * One budget term's bytes on one GPU, named by its stable id.
 *
 * @param term the term
 * @param bytes its bytes on the GPU the budget point speaks of
 */
public record TermBytes(TermId term, long bytes) {
  public TermBytes {
    Objects.requireNonNull(term, "term");
  }
}
