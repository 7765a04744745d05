package io.github.sglangpreflight.decider;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The decision, as a pure function of numbers: from the budget at the fractions that matter, the
 * start-up checks, the version's refusals and the policy to a {@link Verdict}. No I/O, no logging,
 * no sentences ({@code io.github.sglangpreflight.decider.ReasonText} renders the verdict).
 *
 * <p>The rules, in order: a failing start-up check rejects; no fraction between the smallest that
 * holds the minimum KV cache and the largest that keeps the safety margin rejects; a fraction above
 * that window is lowered to its top, one below it raised to its bottom (to its top when the minimum
 * is SGLang's own floor, which only says where SGLang starts), one inside it accepted. A refusal of
 * the modelled SGLang version then turns any outcome into a rejection, and the reject policy turns
 * an adjustment into one.
 */
public final class Decider {
  private static final double EPSILON = 1e-9;

  private Decider() {}

  /**
   * A start-up check SGLang makes whatever the fraction, that would stop the launch.
   *
   * @param check its name, e.g. {@code weights-fit} or {@code memory-balance}
   * @param message what SGLang would do, as the budget states it
   */
  public record StartupFailure(String check, String message) {
    public StartupFailure {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * What a decision needs to know.
   *
   * @param requested the fraction SGLang would use and where it comes from
   * @param maxSafeFraction the largest fraction that keeps every GPU's margin; empty when none
   * @param minFraction the smallest fraction that holds the minimum KV cache; empty when none
   * @param atRequested the budget at the requested fraction (clamped to 0.001-0.999)
   * @param atMaxSafe the budget at {@code maxSafeFraction}, when there is one
   * @param atMin the budget at {@code minFraction}, when there is one
   * @param atHighest the budget at 0.999
   * @param minKv the KV tokens the launch needs and where that limit comes from
   * @param startupFailures the failing start-up checks
   * @param versionRefusals what the modelled SGLang version refuses in the launch
   * @param policy what the guard may do
   */
  public record Input(
      RequestedFraction requested,
      OptionalDouble maxSafeFraction,
      OptionalDouble minFraction,
      BudgetPoint atRequested,
      Optional<BudgetPoint> atMaxSafe,
      Optional<BudgetPoint> atMin,
      BudgetPoint atHighest,
      KvMinimum minKv,
      List<StartupFailure> startupFailures,
      List<Reason.VersionRefuses> versionRefusals,
      Policy policy) {
    public Input {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(maxSafeFraction, "maxSafeFraction");
      Objects.requireNonNull(minFraction, "minFraction");
      Objects.requireNonNull(atRequested, "atRequested");
      Objects.requireNonNull(atMaxSafe, "atMaxSafe");
      Objects.requireNonNull(atMin, "atMin");
      Objects.requireNonNull(atHighest, "atHighest");
      Objects.requireNonNull(minKv, "minKv");
      startupFailures = List.copyOf(startupFailures);
      versionRefusals = List.copyOf(versionRefusals);
      Objects.requireNonNull(policy, "policy");
      if (maxSafeFraction.isPresent() != atMaxSafe.isPresent()) {
        throw new IllegalArgumentException("atMaxSafe must be given exactly with maxSafeFraction");
      }
      if (minFraction.isPresent() != atMin.isPresent()) {
        throw new IllegalArgumentException("atMin must be given exactly with minFraction");
      }
    }
  }

  /** Decides a launch whose budget could be computed. */
  public static Verdict decide(Input in) {
    Objects.requireNonNull(in, "in");
    List<Reason> reasons = new ArrayList<>();
    double requested = in.requested().fraction();
    OptionalDouble maxSafe = in.maxSafeFraction();
    OptionalDouble min = in.minFraction();
    Decision decision;
    OptionalDouble recommended = OptionalDouble.empty();
    if (!in.startupFailures().isEmpty()) {
      decision = Decision.REJECT;
      for (StartupFailure f : in.startupFailures()) {
        reasons.add(new Reason.StartupCheckFails(f.check(), f.message(), List.of()));
      }
    } else if (min.isEmpty() || maxSafe.isEmpty() || min.getAsDouble() > maxSafe.getAsDouble()) {
      decision = Decision.REJECT;
      reasons.add(
          min.isEmpty()
              ? new Reason.KvNeverFits(in.atHighest(), in.minKv().tokens(), List.of())
              : new Reason.NoWindow(
                  in.atMin().orElseThrow(), in.minKv().tokens(), maxSafe, List.of()));
    } else if (requested > maxSafe.getAsDouble() + EPSILON) {
      decision = Decision.ADJUST;
      recommended = maxSafe;
      reasons.add(
          new Reason.ReserveTooSmall(
              in.requested(),
              in.atRequested(),
              maxSafe.getAsDouble(),
              in.atMaxSafe().orElseThrow().kvTokens(),
              List.of()));
    } else if (requested < min.getAsDouble() - EPSILON) {
      decision = Decision.ADJUST;
      // a minimum the user asked for is raised to exactly; SGLang's own floor (one page) only says
      // where SGLang starts, so the fraction goes to the top of the window: the most KV the margin
      // allows
      recommended = in.minKv().source() == KvMinimum.Source.SGLANG_FLOOR ? maxSafe : min;
      reasons.add(
          new Reason.PoolTooSmall(
              in.requested(),
              in.atRequested(),
              in.minKv(),
              recommended.getAsDouble(),
              maxSafe.getAsDouble(),
              List.of()));
    } else {
      decision = Decision.ACCEPT;
      recommended = OptionalDouble.of(requested);
      reasons.add(
          new Reason.Fits(
              in.requested(), in.atRequested(), min.getAsDouble(), maxSafe.getAsDouble()));
    }
    // what SGLang itself refuses comes first (issue 13: SGLang's reason before the memory verdict)
    if (!in.versionRefusals().isEmpty()) {
      reasons.addAll(0, in.versionRefusals());
      decision = Decision.REJECT;
    }
    if (decision == Decision.ADJUST && in.policy() == Policy.REJECT) {
      decision = Decision.REJECT;
      reasons.add(1, new Reason.PolicyForbidsChange(recommended.getAsDouble()));
    }
    boolean rewrites = decision == Decision.ADJUST && in.policy() == Policy.ADJUST;
    boolean wantsRemedies =
        decision == Decision.REJECT
            && in.startupFailures().stream().noneMatch(f -> f.check().equals("memory-balance"));
    return new Verdict(
        decision,
        decision == Decision.REJECT ? OptionalDouble.empty() : recommended,
        reasons,
        rewrites,
        wantsRemedies);
  }

  /**
   * Rejects a launch that needs more GPUs on this node than SGLang would see; the version's
   * refusals follow.
   */
  public static Verdict gpusMissing(
      Reason.GpusMissing missing, List<Reason.VersionRefuses> versionRefusals) {
    List<Reason> reasons = new ArrayList<>();
    reasons.add(Objects.requireNonNull(missing, "missing"));
    reasons.addAll(versionRefusals);
    return new Verdict(Decision.REJECT, OptionalDouble.empty(), reasons, false, false);
  }

  /**
   * Rejects a launch that SGLang itself refuses before any memory is budgeted (heads that do not
   * split over the TP size, experts that do not split over EP, a context longer than the model's).
   */
  public static Verdict refused(List<Reason.VersionRefuses> refusals) {
    if (refusals.isEmpty()) {
      throw new IllegalArgumentException("refused needs at least one refusal");
    }
    return new Verdict(
        Decision.REJECT, OptionalDouble.empty(), List.copyOf(refusals), false, false);
  }

  /**
   * Lets a launch go ahead unchecked: the GPUs cannot be read and the caller allows that.
   *
   * @param error why the GPUs cannot be read
   * @param flagFraction {@code --mem-fraction-static} as given, the only fraction known
   */
  public static Verdict unchecked(String error, OptionalDouble flagFraction) {
    return new Verdict(
        Decision.ACCEPT, flagFraction, List.of(new Reason.GpusUnreadable(error)), false, false);
  }
}
