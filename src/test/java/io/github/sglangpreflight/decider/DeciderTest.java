package io.github.sglangpreflight.decider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.decision.ReasonId;
import io.github.sglangpreflight.decision.RemedyId;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The decider alone: numbers in, verdict out, every branch. */
class DeciderTest {
  private static final long GIB = 1L << 30;
  private static final double MIN = 0.600;
  private static final double MAX_SAFE = 0.900;

  /** The budget at {@code f}: the reserve shrinks and the pool grows with the fraction. */
  static BudgetPoint point(double f) {
    long kv = Math.round(f * 100_000);
    return new BudgetPoint(
        f,
        Math.round((1 - f) * 100 * GIB),
        12 * GIB,
        GIB,
        kv,
        20 * GIB,
        3,
        "NVIDIA H200",
        List.of(
            new TermBytes(TermId.CUDA_GRAPH_DECODE, 6 * GIB),
            new TermBytes(TermId.PREFILL_ACTIVATIONS, 2 * GIB)));
  }

  private static final RequestedFraction DEFAULT_0907 =
      new RequestedFraction(0.907, OptionalDouble.empty(), 1.0, "0.4.5.post3");

  private static RequestedFraction flag(double f) {
    return new RequestedFraction(f, OptionalDouble.of(f), 1.0, "0.5.1");
  }

  /** A builder of inputs with a 0.600-0.900 window and nothing failing. */
  private static final class In {
    RequestedFraction requested = flag(0.8);
    OptionalDouble min = OptionalDouble.of(MIN);
    OptionalDouble maxSafe = OptionalDouble.of(MAX_SAFE);
    List<Decider.StartupFailure> failures = new ArrayList<>();
    List<Reason.VersionRefuses> refusals = new ArrayList<>();
    Policy policy = Policy.ADJUST;

    In requested(RequestedFraction r) {
      requested = r;
      return this;
    }

    In window(OptionalDouble min, OptionalDouble maxSafe) {
      this.min = min;
      this.maxSafe = maxSafe;
      return this;
    }

    In fails(String check) {
      failures.add(new Decider.StartupFailure(check, check + " fails"));
      return this;
    }

    In refused() {
      refusals.add(new Reason.VersionRefuses("0.5.1", "--foo", "SGLang does not know --foo"));
      return this;
    }

    In policy(Policy p) {
      policy = p;
      return this;
    }

    Decider.Input build() {
      return new Decider.Input(
          requested,
          maxSafe,
          min,
          point(Math.min(0.999, Math.max(0.001, requested.fraction()))),
          maxSafe.isPresent() ? Optional.of(point(maxSafe.getAsDouble())) : Optional.empty(),
          min.isPresent() ? Optional.of(point(min.getAsDouble())) : Optional.empty(),
          point(0.999),
          new KvMinimum(60_000, KvMinimum.Source.FLAG),
          failures,
          refusals,
          policy);
    }
  }

  private record Case(
      String name,
      In in,
      Decision decision,
      OptionalDouble recommended,
      List<ReasonId> reasons,
      boolean rewrites,
      boolean wantsRemedies) {}

  private static final OptionalDouble NONE = OptionalDouble.empty();

  private static List<Case> cases() {
    return List.of(
        new Case(
            "inside the window: accept",
            new In(),
            Decision.ACCEPT,
            OptionalDouble.of(0.8),
            List.of(ReasonId.FITS),
            false,
            false),
        new Case(
            "at the top within 1e-9: accept",
            new In().requested(flag(MAX_SAFE + 1e-10)),
            Decision.ACCEPT,
            OptionalDouble.of(MAX_SAFE + 1e-10),
            List.of(ReasonId.FITS),
            false,
            false),
        new Case(
            "above the window: lower to the max",
            new In().requested(DEFAULT_0907),
            Decision.ADJUST,
            OptionalDouble.of(MAX_SAFE),
            List.of(ReasonId.RESERVE_TOO_SMALL),
            true,
            false),
        new Case(
            "above, warn policy: adjust without rewriting",
            new In().requested(DEFAULT_0907).policy(Policy.WARN),
            Decision.ADJUST,
            OptionalDouble.of(MAX_SAFE),
            List.of(ReasonId.RESERVE_TOO_SMALL),
            false,
            false),
        new Case(
            "above, reject policy: reject, the policy forbids the change",
            new In().requested(DEFAULT_0907).policy(Policy.REJECT),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.RESERVE_TOO_SMALL, ReasonId.POLICY_FORBIDS_CHANGE),
            false,
            true),
        new Case(
            "below the window: raise to the min",
            new In().requested(flag(0.5)),
            Decision.ADJUST,
            OptionalDouble.of(MIN),
            List.of(ReasonId.POOL_TOO_SMALL),
            true,
            false),
        new Case(
            "below, reject policy",
            new In().requested(flag(0.5)).policy(Policy.REJECT),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.POOL_TOO_SMALL, ReasonId.POLICY_FORBIDS_CHANGE),
            false,
            true),
        new Case(
            "accept, but the version refuses: reject, SGLang's reason first",
            new In().refused(),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.VERSION_REFUSES, ReasonId.FITS),
            false,
            true),
        new Case(
            "adjust, but the version refuses: reject, no policy reason",
            new In().requested(DEFAULT_0907).refused().refused().policy(Policy.REJECT),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.VERSION_REFUSES, ReasonId.VERSION_REFUSES, ReasonId.RESERVE_TOO_SMALL),
            false,
            true),
        new Case(
            "adjust, version refuses, warn policy: still reject",
            new In().requested(DEFAULT_0907).refused().policy(Policy.WARN),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.VERSION_REFUSES, ReasonId.RESERVE_TOO_SMALL),
            false,
            true),
        new Case(
            "a start-up check fails: reject before the window",
            new In().fails("weights-fit").window(NONE, NONE),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.STARTUP_CHECK_FAILS),
            false,
            true),
        new Case(
            "two checks fail, one of them the balance: no remedies",
            new In().fails("weights-fit").fails("memory-balance").refused(),
            Decision.REJECT,
            NONE,
            List.of(
                ReasonId.VERSION_REFUSES,
                ReasonId.STARTUP_CHECK_FAILS,
                ReasonId.STARTUP_CHECK_FAILS),
            false,
            false),
        new Case(
            "min above max safe: no window",
            new In().window(OptionalDouble.of(0.95), OptionalDouble.of(MAX_SAFE)),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.NO_WINDOW),
            false,
            true),
        new Case(
            "no safe fraction: no window",
            new In().window(OptionalDouble.of(MIN), NONE).policy(Policy.WARN),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.NO_WINDOW),
            false,
            true),
        new Case(
            "no fraction holds the KV minimum",
            new In().window(NONE, OptionalDouble.of(MAX_SAFE)),
            Decision.REJECT,
            NONE,
            List.of(ReasonId.KV_NEVER_FITS),
            false,
            true));
  }

  @TestFactory
  Stream<DynamicTest> everyBranch() {
    return cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      Verdict v = Decider.decide(c.in().build());
                      assertEquals(c.decision(), v.decision(), c.name());
                      assertEquals(c.recommended(), v.recommendedFraction(), c.name());
                      assertEquals(
                          c.reasons(), v.reasons().stream().map(Reason::id).toList(), c.name());
                      assertEquals(c.rewrites(), v.rewritesCommand(), c.name());
                      assertEquals(c.wantsRemedies(), v.wantsRemedies(), c.name());
                    }));
  }

  @Test
  void lowering_carriesTheBudgetAtTheRequestAndTheTokensAtTheMax() {
    Verdict v = Decider.decide(new In().requested(DEFAULT_0907).policy(Policy.REJECT).build());

    assertEquals(
        new Reason.ReserveTooSmall(
            DEFAULT_0907, point(0.907), MAX_SAFE, point(MAX_SAFE).kvTokens(), List.of()),
        v.reasons().get(0));
    assertEquals(new Reason.PolicyForbidsChange(MAX_SAFE), v.reasons().get(1));
  }

  @Test
  void raising_carriesTheLimitAndItsSource() {
    Verdict v = Decider.decide(new In().requested(flag(0.5)).build());

    assertEquals(
        new Reason.PoolTooSmall(
            flag(0.5),
            point(0.5),
            new KvMinimum(60_000, KvMinimum.Source.FLAG),
            MIN,
            MAX_SAFE,
            List.of()),
        v.reasons().getFirst());
  }

  @Test
  void raising_fromSglangsFloor_goesToTheTopOfTheWindow() {
    // issue 10: SGLang's floor (one page) only says where SGLang starts; the launch gets the most
    // KV the margin allows, not a one-page pool
    Decider.Input base = new In().requested(flag(0.5)).build();
    Verdict v =
        Decider.decide(
            new Decider.Input(
                base.requested(),
                base.maxSafeFraction(),
                base.minFraction(),
                base.atRequested(),
                base.atMaxSafe(),
                base.atMin(),
                base.atHighest(),
                new KvMinimum(1, KvMinimum.Source.SGLANG_FLOOR),
                base.startupFailures(),
                base.versionRefusals(),
                base.policy()));

    assertEquals(Decision.ADJUST, v.decision());
    assertEquals(OptionalDouble.of(MAX_SAFE), v.recommendedFraction());
    assertEquals(
        new Reason.PoolTooSmall(
            flag(0.5),
            point(0.5),
            new KvMinimum(1, KvMinimum.Source.SGLANG_FLOOR),
            MAX_SAFE,
            MAX_SAFE,
            List.of()),
        v.reasons().getFirst());
  }

  @Test
  void accepting_carriesTheWindow() {
    assertEquals(
        new Reason.Fits(flag(0.8), point(0.8), MIN, MAX_SAFE),
        Decider.decide(new In().build()).reasons().getFirst());
  }

  @Test
  void noWindow_speaksOfTheBudgetAtTheMin_kvNeverFitsOfTheBudgetAt0999() {
    assertEquals(
        new Reason.NoWindow(point(0.95), 60_000, OptionalDouble.of(MAX_SAFE), List.of()),
        Decider.decide(
                new In().window(OptionalDouble.of(0.95), OptionalDouble.of(MAX_SAFE)).build())
            .reasons()
            .getFirst());
    assertEquals(
        new Reason.KvNeverFits(point(0.999), 60_000, List.of()),
        Decider.decide(new In().window(NONE, NONE).build()).reasons().getFirst());
  }

  @Test
  void startupFailures_keepTheirOrderAndMessages() {
    Verdict v = Decider.decide(new In().fails("weights-fit").fails("memory-balance").build());

    assertEquals(
        List.of(
            new Reason.StartupCheckFails("weights-fit", "weights-fit fails", List.of()),
            new Reason.StartupCheckFails("memory-balance", "memory-balance fails", List.of())),
        v.reasons());
  }

  @Test
  void withRemedies_attachesDistinctIdsToTheMemoryReasonsOnly() {
    Verdict v =
        Decider.decide(new In().requested(DEFAULT_0907).refused().build())
            .withRemedies(
                List.of(
                    RemedyId.STOP_OTHER_PROCESS, RemedyId.MORE_TP, RemedyId.STOP_OTHER_PROCESS));

    assertEquals(List.of(), v.reasons().get(0).remedies());
    assertEquals(
        List.of(RemedyId.STOP_OTHER_PROCESS, RemedyId.MORE_TP), v.reasons().get(1).remedies());
  }

  @Test
  void gpusMissing_rejectsWithTheVersionRefusalsAfter() {
    Reason.GpusMissing missing =
        new Reason.GpusMissing(4, 4, 1, 1, false, 0, 1, List.of(2, 3), 2, Optional.empty());
    Reason.VersionRefuses refusal = new Reason.VersionRefuses("0.5.1", "--foo", "no --foo");

    Verdict v = Decider.gpusMissing(missing, List.of(refusal));

    assertEquals(Decision.REJECT, v.decision());
    assertEquals(List.of(missing, refusal), v.reasons());
    assertEquals(NONE, v.recommendedFraction());
    assertEquals(false, v.wantsRemedies());
  }

  @Test
  void unchecked_acceptsWithTheFlagAsTheOnlyKnownFraction() {
    Verdict v = Decider.unchecked("no NVML", OptionalDouble.of(0.8));

    assertEquals(Decision.ACCEPT, v.decision());
    assertEquals(OptionalDouble.of(0.8), v.recommendedFraction());
    assertEquals(List.of(new Reason.GpusUnreadable("no NVML")), v.reasons());
  }

  @Test
  void inconsistentInputs_areRefused() {
    In in = new In();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Decider.Input(
                in.requested,
                in.maxSafe,
                in.min,
                point(0.8),
                Optional.empty(),
                Optional.of(point(MIN)),
                point(0.999),
                new KvMinimum(1, KvMinimum.Source.FLAG),
                List.of(),
                List.of(),
                Policy.ADJUST));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Verdict(
                Decision.REJECT,
                OptionalDouble.of(0.5),
                List.of(new Reason.GpusUnreadable("x")),
                false,
                false));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Verdict(Decision.ACCEPT, NONE, List.of(), false, false));
  }
}
