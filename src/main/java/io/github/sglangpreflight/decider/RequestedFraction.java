package io.github.sglangpreflight.decider;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The {@code --mem-fraction-static} SGLang would run with and where it comes from.
 *
 * @param fraction the effective fraction: the flag times {@code flagFactor}, or SGLang's default
 * @param flagFraction the flag as given; empty when SGLang's default applies
 * @param flagFactor what SGLang multiplies the flag by (0.9 for a multimodal model in some
 *     versions, else 1)
 * @param sglangVersion the SGLang version whose default or factor applies, e.g. {@code 0.4.5.post3}
 */
public record RequestedFraction(
    double fraction, OptionalDouble flagFraction, double flagFactor, String sglangVersion) {
  public RequestedFraction {
    Objects.requireNonNull(flagFraction, "flagFraction");
    Objects.requireNonNull(sglangVersion, "sglangVersion");
  }

  /** True when {@code --mem-fraction-static} was given, false for SGLang's default. */
  public boolean fromFlag() {
    return flagFraction.isPresent();
  }
}
