package io.github.sglangpreflight.decider;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.units.Units;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place where a {@link Verdict}'s reasons become sentences: the report's {@code reasons},
 * its headline, the log lines and the rejection's message all come from here. Every sentence of a
 * memory decision opens with the decision ({@code ACCEPT:}, {@code ADJUST:}, {@code REJECT:}); a
 * {@link Reason.PolicyForbidsChange} ends the sentence before it instead of making its own.
 */
public final class ReasonText {

  private ReasonText() {}

  /** What SGLang says when the pool holds no token (model_runner.py L795-798 @v0.4.5.post3). */
  private static final String NOT_ENOUGH_MEMORY =
      " (SGLang would stop with \"Not enough memory. Please try to increase"
          + " --mem-fraction-static\")";

  /** The verdict's reasons as sentences, the decision first. */
  public static List<String> render(Verdict verdict) {
    List<String> out = new ArrayList<>();
    for (Reason r : verdict.reasons()) {
      if (r instanceof Reason.PolicyForbidsChange p && !out.isEmpty()) {
        out.set(out.size() - 1, out.getLast() + policyForbids(p));
      } else if (out.isEmpty() && r instanceof Reason.VersionRefuses) {
        // SGLang's own refusal leads: it states the decision
        out.add(verdict.decision().name() + ": " + sentence(r, verdict.decision()));
      } else {
        out.add(sentence(r, verdict.decision()));
      }
    }
    return List.copyOf(out);
  }

  /** One reason as a sentence, opening with {@code decision} where the reason states it. */
  static String sentence(Reason reason, Decision decision) {
    String word = decision.name() + ": ";
    return switch (reason) {
      case Reason.Fits f ->
          String.format(
              Locale.ROOT,
              "%s%s leaves %s outside the static pool on GPU %d (%s); the launch needs %s there"
                  + " plus the %s margin, and the pool holds %,d KV tokens (safe window %s-%s)",
              word,
              requested(f.requested()),
              Units.gib(f.at().reserveBytes()),
              f.at().worstGpu(),
              f.at().worstGpuName(),
              Units.gib(f.at().reserveNeededBytes()),
              Units.gib(f.at().safetyMarginBytes()),
              f.at().kvTokens(),
              Units.fraction(f.minFraction()),
              Units.fraction(f.maxSafeFraction()));
      case Reason.ReserveTooSmall r ->
          String.format(
              Locale.ROOT,
              "%s%s leaves %s outside the static pool on GPU %d (%s) but the launch needs %s there"
                  + " plus the %s safety margin, most of it %s; lowering it to %s keeps the margin"
                  + " free and still holds %,d KV tokens",
              word,
              requested(r.requested()),
              Units.gib(r.at().reserveBytes()),
              r.at().worstGpu(),
              r.at().worstGpuName(),
              Units.gib(r.at().reserveNeededBytes()),
              Units.gib(r.at().safetyMarginBytes()),
              largest(r.at()),
              Units.fraction(r.loweredToFraction()),
              r.kvTokensAfter());
      case Reason.PoolTooSmall p when p.minKv().source() == KvMinimum.Source.SGLANG_FLOOR ->
          String.format(
              Locale.ROOT,
              "%s%s leaves %,d KV tokens after %s of weights per GPU%s, below SGLang's floor of"
                  + " %,d (one page); raising it to %s, the largest safe fraction, gives the pool"
                  + " the most room the margin allows",
              word,
              requested(p.requested()),
              p.at().kvTokens(),
              Units.gib(p.at().weightsBytesPerGpu()),
              p.at().poolEmpty() ? NOT_ENOUGH_MEMORY : "",
              p.minKv().tokens(),
              Units.fraction(p.raisedToFraction()));
      case Reason.PoolTooSmall p ->
          String.format(
              Locale.ROOT,
              "%s%s leaves %,d KV tokens after %s of weights per GPU%s, below the %,d the launch"
                  + " needs (--min-kv-tokens); raising it to %s holds them and stays within the"
                  + " safe maximum %s",
              word,
              requested(p.requested()),
              p.at().kvTokens(),
              Units.gib(p.at().weightsBytesPerGpu()),
              p.at().poolEmpty() ? NOT_ENOUGH_MEMORY : "",
              p.minKv().tokens(),
              Units.fraction(p.raisedToFraction()),
              Units.fraction(p.maxSafeFraction()));
      case Reason.NoWindow n ->
          String.format(
              Locale.ROOT,
              "REJECT: no --mem-fraction-static works on GPU %d (%s): holding %s of weights and %,d"
                  + " KV tokens needs at least %s, which leaves %s outside the static pool, but the"
                  + " launch needs %s there plus the %s safety margin (most of it %s)%s",
              n.atMin().worstGpu(),
              n.atMin().worstGpuName(),
              Units.gib(n.atMin().weightsBytesPerGpu()),
              n.minKvTokens(),
              Units.fraction(n.atMin().fraction()),
              Units.gib(n.atMin().reserveBytes()),
              Units.gib(n.atMin().reserveNeededBytes()),
              Units.gib(n.atMin().safetyMarginBytes()),
              largest(n.atMin()),
              n.maxSafeFraction().isPresent()
                  ? "; the largest safe fraction is "
                      + Units.fraction(n.maxSafeFraction().getAsDouble())
                  : "");
      case Reason.KvNeverFits k ->
          String.format(
              Locale.ROOT,
              "REJECT: no --mem-fraction-static works on GPU %d (%s): after %s of weights per GPU"
                  + " even 0.999 leaves %,d KV tokens, below the %,d the launch needs%s",
              k.atHighest().worstGpu(),
              k.atHighest().worstGpuName(),
              Units.gib(k.atHighest().weightsBytesPerGpu()),
              k.atHighest().kvTokens(),
              k.minKvTokens(),
              k.atHighest().poolEmpty() ? NOT_ENOUGH_MEMORY : "");
      case Reason.StartupCheckFails s -> "REJECT: " + s.message();
      case Reason.VersionRefuses v ->
          "SGLang " + v.sglangVersion() + " refuses this launch: " + v.message();
      case Reason.PolicyForbidsChange p -> word + policyForbids(p).substring(2);
      case Reason.GpusMissing g -> gpusMissing(g);
      case Reason.GpusUnreadable u ->
          "ACCEPT (unchecked): the GPUs cannot be read ("
              + u.error()
              + "); the launch goes ahead unchecked because unreadable GPUs are allowed";
    };
  }

  private static String policyForbids(Reason.PolicyForbidsChange p) {
    return "; the reject policy forbids changing it: run with --mem-fraction-static "
        + Units.fraction(p.runWithFraction());
  }

  /** {@code --mem-fraction-static 0.907 (SGLang 0.4.5.post3's default)} and the like. */
  static String requested(RequestedFraction q) {
    String value = "--mem-fraction-static " + Units.fraction(q.fraction());
    if (!q.fromFlag()) {
      return value + " (SGLang " + q.sglangVersion() + "'s default)";
    }
    if (q.flagFactor() == 1.0) {
      return value;
    }
    return value
        + " (the flag's "
        + Units.fraction(q.flagFraction().getAsDouble())
        + " x "
        + BigDecimal.valueOf(q.flagFactor()).stripTrailingZeros().toPlainString()
        + " for a multimodal model)";
  }

  /** The largest reserve terms, e.g. {@code CUDA-graph capture (5.92 GiB) and ...}. */
  static String largest(BudgetPoint at) {
    List<String> parts = new ArrayList<>();
    for (TermBytes t : at.largestReserveTerms()) {
      parts.add(t.term().label() + " (" + Units.gib(t.bytes()) + ")");
    }
    return String.join(" and ", parts);
  }

  private static String gpusMissing(Reason.GpusMissing g) {
    int missing = g.missingOrdinals().size();
    return String.format(
        Locale.ROOT,
        "REJECT: the launch needs %d GPU%s on this node (tp %d x pp %d%s) at CUDA ordinals %s, but"
            + " %s; %s",
        g.gpusNeeded(),
        g.gpusNeeded() == 1 ? "" : "s",
        g.tpSize(),
        g.ppSize(),
        g.dpAttention() || g.dpSize() == 1 ? "" : " x dp " + g.dpSize(),
        ordinals(g.firstOrdinal(), g.ordinalStep(), g.gpusNeeded()),
        g.visibleGpus() == 0
            ? "SGLang would see no GPU"
            : "SGLang would see only "
                + g.visibleGpus()
                + " (ordinal"
                + (missing == 1 ? " " : "s ")
                + g.missingOrdinals()
                + (missing == 1 ? " is" : " are")
                + " missing or unreadable)",
        g.visibilityProblem()
            .orElse("make CUDA_VISIBLE_DEVICES list enough GPUs or lower --tp/--dp"));
  }

  private static String ordinals(int base, int step, int n) {
    if (n == 1) {
      return String.valueOf(base);
    }
    if (step == 1) {
      return base + "-" + (base + n - 1);
    }
    List<String> l = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      l.add(String.valueOf(base + k * step));
    }
    return String.join(",", l);
  }
}
