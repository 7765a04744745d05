package io.github.sglangpreflight.decider;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.RemedyId;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What the {@link Decider} decided for one launch: the decision, the fraction to run with and why.
 *
 * @param decision ACCEPT, ADJUST or REJECT
 * @param recommendedFraction the fraction to run with; empty on REJECT (and for an unchecked launch
 *     without the flag)
 * @param reasons why, most important first; the first one states the decision
 * @param rewritesCommand true when the command gets the recommended fraction (ADJUST under the
 *     adjust policy)
 * @param wantsRemedies true when the launch is rejected for memory and remedies may help
 */
public record Verdict(
    Decision decision,
    OptionalDouble recommendedFraction,
    List<Reason> reasons,
    boolean rewritesCommand,
    boolean wantsRemedies) {
  public Verdict {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(recommendedFraction, "recommendedFraction");
    reasons = List.copyOf(reasons);
    if (reasons.isEmpty()) {
      throw new IllegalArgumentException("a verdict needs at least one reason");
    }
    if (decision == Decision.REJECT && recommendedFraction.isPresent()) {
      throw new IllegalArgumentException("a rejected launch has no recommended fraction");
    }
    if (rewritesCommand && (decision != Decision.ADJUST || recommendedFraction.isEmpty())) {
      throw new IllegalArgumentException("only an ADJUST with a fraction rewrites the command");
    }
  }

  /** This verdict with {@code ids} as the remedies of every reason that remedies address. */
  public Verdict withRemedies(List<RemedyId> ids) {
    List<RemedyId> distinct = ids.stream().distinct().toList();
    return new Verdict(
        decision,
        recommendedFraction,
        reasons.stream().map(r -> r.withRemedies(distinct)).toList(),
        rewritesCommand,
        wantsRemedies);
  }
}
