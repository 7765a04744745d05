package io.github.sglangpreflight.decider;

import io.github.sglangpreflight.decision.ReasonDetail;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The one place where a typed {@link Reason} becomes the public {@link ReasonDetail}: its id, its
 * values by name (the JSON's {@code reasonDetails}, docs/report-schema.md) and its remedies.
 */
public final class ReasonFields {
  private ReasonFields() {}

  /** Every reason of {@code verdict} as a detail, in order. */
  public static List<ReasonDetail> details(Verdict verdict) {
    return verdict.reasons().stream().map(ReasonFields::detail).toList();
  }

  /** One reason as a detail. */
  public static ReasonDetail detail(Reason reason) {
    return new ReasonDetail(reason.id(), fields(reason), reason.remedies());
  }

  /** The reason's values by name, as docs/report-schema.md lists them for its id. */
  private static Map<String, Object> fields(Reason reason) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (reason) {
      case Reason.Fits f -> {
        m.put("requested", requested(f.requested()));
        m.put("at", point(f.at()));
        m.put("minFraction", f.minFraction());
        m.put("maxSafeFraction", f.maxSafeFraction());
      }
      case Reason.ReserveTooSmall x -> {
        m.put("requested", requested(x.requested()));
        m.put("at", point(x.at()));
        m.put("loweredToFraction", x.loweredToFraction());
        m.put("kvTokensAfter", x.kvTokensAfter());
      }
      case Reason.PoolTooSmall x -> {
        m.put("requested", requested(x.requested()));
        m.put("at", point(x.at()));
        m.put("minKvTokens", x.minKv().tokens());
        m.put(
            "minKvTokensSource",
            x.minKv().source() == KvMinimum.Source.FLAG ? "flag" : "sglang-floor");
        m.put("raisedToFraction", x.raisedToFraction());
        m.put("maxSafeFraction", x.maxSafeFraction());
      }
      case Reason.NoWindow x -> {
        m.put("at", point(x.atMin()));
        m.put("minKvTokens", x.minKvTokens());
        m.put("maxSafeFraction", num(x.maxSafeFraction()));
      }
      case Reason.KvNeverFits x -> {
        m.put("at", point(x.atHighest()));
        m.put("minKvTokens", x.minKvTokens());
      }
      case Reason.StartupCheckFails x -> {
        m.put("check", x.check());
        m.put("message", x.message());
      }
      case Reason.VersionRefuses x -> {
        m.put("sglangVersion", x.sglangVersion());
        m.put("input", x.input());
        m.put("message", x.message());
      }
      case Reason.PolicyForbidsChange x -> m.put("runWithFraction", x.runWithFraction());
      case Reason.GpusMissing x -> {
        m.put("gpusNeeded", x.gpusNeeded());
        m.put("tpSize", x.tpSize());
        m.put("ppSize", x.ppSize());
        m.put("dpSize", x.dpSize());
        m.put("dpAttention", x.dpAttention());
        m.put("firstOrdinal", x.firstOrdinal());
        m.put("ordinalStep", x.ordinalStep());
        m.put("missingOrdinals", x.missingOrdinals());
        m.put("visibleGpus", x.visibleGpus());
        m.put("visibilityProblem", x.visibilityProblem().orElse(null));
      }
      case Reason.GpusUnreadable x -> m.put("error", x.error());
    }
    return m;
  }

  private static Map<String, Object> requested(RequestedFraction q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fraction", q.fraction());
    m.put("flagFraction", num(q.flagFraction()));
    m.put("flagFactor", q.flagFactor());
    m.put("sglangVersion", q.sglangVersion());
    return m;
  }

  private static Map<String, Object> point(BudgetPoint p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fraction", p.fraction());
    m.put("reserveBytes", p.reserveBytes());
    m.put("reserveNeededBytes", p.reserveNeededBytes());
    m.put("safetyMarginBytes", p.safetyMarginBytes());
    m.put("kvTokens", p.kvTokens());
    m.put("weightsBytesPerGpu", p.weightsBytesPerGpu());
    m.put("worstGpu", p.worstGpu());
    m.put("worstGpuName", p.worstGpuName());
    List<Object> terms = new ArrayList<>();
    for (TermBytes t : p.largestReserveTerms()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("term", t.term().id());
      x.put("bytes", t.bytes());
      terms.add(x);
    }
    m.put("largestReserveTerms", terms);
    return m;
  }

  private static Object num(OptionalDouble d) {
    return d.isPresent() ? (Object) d.getAsDouble() : null;
  }
}
