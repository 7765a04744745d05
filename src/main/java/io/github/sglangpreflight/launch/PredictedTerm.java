package io.github.sglangpreflight.launch;

import java.util.Objects;

/**
 * A predicted value of one memory term for one GPU, for {@link StartupObservation#compare}; a
 * report gives its own ({@code PreflightReport.predictedTerms()}).
 *
 * @param value bytes, or tokens for {@link MemoryTerm#KV_TOKENS}
 */
public record PredictedTerm(MemoryTerm term, long value) {
  public PredictedTerm {
    Objects.requireNonNull(term, "term");
  }
}
