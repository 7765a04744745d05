package io.github.sglangpreflight.decider;

import io.github.sglangpreflight.decision.ReasonId;
import io.github.sglangpreflight.decision.RemedyId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One reason of a {@link Verdict}: an id, the numbers it speaks of and the remedies that address
 * it. No sentence: {@code io.github.sglangpreflight.decider.ReasonText} renders reasons to words.
 * Texts that another layer wrote (SGLang's start-up refusals as the budget states them, the GPU
 * reader's error) are carried as they are.
 */
public sealed interface Reason {

  /** The stable id of this kind of reason. */
  ReasonId id();

  /** The remedies that address this reason, best first; empty where none applies. */
  default List<RemedyId> remedies() {
    return List.of();
  }

  /** This reason with {@code ids} as its remedies, where remedies can address it. */
  default Reason withRemedies(List<RemedyId> ids) {
    return this;
  }

  /**
   * The requested fraction lies in the safe window.
   *
   * @param requested the fraction and its source
   * @param at the budget at it
   * @param minFraction the smallest fraction that holds the minimum KV cache
   * @param maxSafeFraction the largest fraction that keeps the safety margin
   */
  record Fits(
      RequestedFraction requested, BudgetPoint at, double minFraction, double maxSafeFraction)
      implements Reason {
    public Fits {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(at, "at");
    }

    @Override
    public ReasonId id() {
      return ReasonId.FITS;
    }
  }

  /**
   * The requested fraction leaves less outside the static pool than the launch needs there plus the
   * margin; the largest safe fraction does not.
   *
   * @param requested the fraction and its source
   * @param at the budget at it
   * @param loweredToFraction the largest safe fraction
   * @param kvTokensAfter the KV tokens at that fraction
   * @param remedies what else would make room
   */
  record ReserveTooSmall(
      RequestedFraction requested,
      BudgetPoint at,
      double loweredToFraction,
      long kvTokensAfter,
      List<RemedyId> remedies)
      implements Reason {
    public ReserveTooSmall {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(at, "at");
      remedies = List.copyOf(remedies);
    }

    @Override
    public ReasonId id() {
      return ReasonId.RESERVE_TOO_SMALL;
    }

    @Override
    public Reason withRemedies(List<RemedyId> ids) {
      return new ReserveTooSmall(requested, at, loweredToFraction, kvTokensAfter, ids);
    }
  }

  /**
   * The requested fraction leaves fewer KV tokens than the launch needs; the smallest workable
   * fraction holds them and stays within the safe maximum.
   *
   * @param requested the fraction and its source
   * @param at the budget at it
   * @param minKv the KV tokens the launch needs and where that limit comes from
   * @param raisedToFraction the fraction it is raised to: the smallest that holds them, or the
   *     largest safe one when the minimum is SGLang's own floor
   * @param maxSafeFraction the largest safe fraction
   * @param remedies what else would make room
   */
  record PoolTooSmall(
      RequestedFraction requested,
      BudgetPoint at,
      KvMinimum minKv,
      double raisedToFraction,
      double maxSafeFraction,
      List<RemedyId> remedies)
      implements Reason {
    public PoolTooSmall {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(minKv, "minKv");
      remedies = List.copyOf(remedies);
    }

    @Override
    public ReasonId id() {
      return ReasonId.POOL_TOO_SMALL;
    }

    @Override
    public Reason withRemedies(List<RemedyId> ids) {
      return new PoolTooSmall(requested, at, minKv, raisedToFraction, maxSafeFraction, ids);
    }
  }

  /**
   * No fraction works: the smallest fraction that holds the minimum KV cache leaves too little
   * outside the pool.
   *
   * @param atMin the budget at that smallest fraction ({@code atMin.fraction()})
   * @param minKvTokens the KV tokens the launch needs
   * @param maxSafeFraction the largest safe fraction, below it; empty when none keeps the margin
   * @param remedies what would make room
   */
  record NoWindow(
      BudgetPoint atMin, long minKvTokens, OptionalDouble maxSafeFraction, List<RemedyId> remedies)
      implements Reason {
    public NoWindow {
      Objects.requireNonNull(atMin, "atMin");
      Objects.requireNonNull(maxSafeFraction, "maxSafeFraction");
      remedies = List.copyOf(remedies);
    }

    @Override
    public ReasonId id() {
      return ReasonId.NO_WINDOW;
    }

    @Override
    public Reason withRemedies(List<RemedyId> ids) {
      return new NoWindow(atMin, minKvTokens, maxSafeFraction, ids);
    }
  }

  /**
   * No fraction works: even the highest one leaves fewer KV tokens than the launch needs.
   *
   * @param atHighest the budget at 0.999
   * @param minKvTokens the KV tokens the launch needs
   * @param remedies what would make room
   */
  record KvNeverFits(BudgetPoint atHighest, long minKvTokens, List<RemedyId> remedies)
      implements Reason {
    public KvNeverFits {
      Objects.requireNonNull(atHighest, "atHighest");
      remedies = List.copyOf(remedies);
    }

    @Override
    public ReasonId id() {
      return ReasonId.KV_NEVER_FITS;
    }

    @Override
    public Reason withRemedies(List<RemedyId> ids) {
      return new KvNeverFits(atHighest, minKvTokens, ids);
    }
  }

  /**
   * A start-up check SGLang makes whatever the fraction would stop the launch.
   *
   * @param check the check's name, e.g. {@code weights-fit} or {@code memory-balance}
   * @param message what SGLang would do, with the numbers, as the budget states it
   * @param remedies what would make room
   */
  record StartupCheckFails(String check, String message, List<RemedyId> remedies)
      implements Reason {
    public StartupCheckFails {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(message, "message");
      remedies = List.copyOf(remedies);
    }

    @Override
    public ReasonId id() {
      return ReasonId.STARTUP_CHECK_FAILS;
    }

    @Override
    public Reason withRemedies(List<RemedyId> ids) {
      return new StartupCheckFails(check, message, ids);
    }
  }

  /**
   * The modelled SGLang version refuses an input of the launch.
   *
   * @param sglangVersion the version, e.g. {@code 0.4.5.post3}
   * @param input the input it refuses, e.g. {@code --enable-foo}
   * @param message SGLang's refusal as the flag table states it
   */
  record VersionRefuses(String sglangVersion, String input, String message) implements Reason {
    public VersionRefuses {
      Objects.requireNonNull(sglangVersion, "sglangVersion");
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public ReasonId id() {
      return ReasonId.VERSION_REFUSES;
    }
  }

  /**
   * The reject policy forbids the change the reason before this one calls for.
   *
   * @param runWithFraction the fraction to run with instead
   */
  record PolicyForbidsChange(double runWithFraction) implements Reason {
    @Override
    public ReasonId id() {
      return ReasonId.POLICY_FORBIDS_CHANGE;
    }
  }

  /**
   * The launch needs more GPUs on this node than SGLang would see.
   *
   * @param gpusNeeded GPUs per node: tp × pp (× dp without DP attention)
   * @param tpSize the tensor-parallel size
   * @param ppSize the pipeline-parallel size
   * @param dpSize the data-parallel size
   * @param dpAttention whether the DP ranks share the TP group (DP attention)
   * @param firstOrdinal {@code --base-gpu-id}
   * @param ordinalStep {@code --gpu-id-step}
   * @param missingOrdinals the CUDA ordinals SGLang would not see
   * @param visibleGpus how many GPUs SGLang would see
   * @param visibilityProblem the first problem with {@code CUDA_VISIBLE_DEVICES}, as the GPU layer
   *     states it
   */
  record GpusMissing(
      int gpusNeeded,
      int tpSize,
      int ppSize,
      int dpSize,
      boolean dpAttention,
      int firstOrdinal,
      int ordinalStep,
      List<Integer> missingOrdinals,
      int visibleGpus,
      Optional<String> visibilityProblem)
      implements Reason {
    public GpusMissing {
      missingOrdinals = List.copyOf(missingOrdinals);
      Objects.requireNonNull(visibilityProblem, "visibilityProblem");
    }

    @Override
    public ReasonId id() {
      return ReasonId.GPUS_MISSING;
    }
  }

  /**
   * The GPUs cannot be read and unreadable GPUs are allowed: the launch goes ahead unchecked.
   *
   * @param error why they cannot be read, as the GPU reader states it
   */
  record GpusUnreadable(String error) implements Reason {
    public GpusUnreadable {
      Objects.requireNonNull(error, "error");
    }

    @Override
    public ReasonId id() {
      return ReasonId.GPUS_UNREADABLE;
    }
  }
}
