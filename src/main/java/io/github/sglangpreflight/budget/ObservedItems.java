package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.calibration.Calibration;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A calibration applied to the budget: a term that an earlier launch of the same key measured takes
 * the measured bytes instead of the prediction. Pure.
 *
 * <ul>
 *   <li>{@link TermId#WEIGHTS}: {@code mem usage} at {@code Load weight end};
 *   <li>{@link TermId#CUDA_GRAPH_DECODE}: the capture's {@code mem usage}, which covers every
 *       capture of the launch, so the other graph terms ({@link TermId#CUDA_GRAPH_DP_ATTENTION},
 *       {@link TermId#CUDA_GRAPH_PREFILL}, {@link TermId#DRAFT_CUDA_GRAPHS}) count 0 with it. It
 *       applies only where the launch captures decode graphs at all.
 * </ul>
 *
 * <p>T itself is not replaced (it depends on what else uses the GPU now), but what the GPU loses
 * before T is: the observed overhead (free memory just before the launch minus the T SGLang
 * printed) takes the place of the terms before T ({@link #correctBeforeT}). The KV pool is not
 * replaced: it follows the fraction.
 */
final class ObservedItems {
  private ObservedItems() {}

  /** The terms whose measured bytes replace the prediction. */
  static final Set<TermId> REPLACED = Set.of(TermId.WEIGHTS, TermId.CUDA_GRAPH_DECODE);

  /** The graph terms a measured capture includes. */
  static final Set<TermId> INCLUDED_IN_CAPTURE =
      Set.of(TermId.CUDA_GRAPH_DP_ATTENTION, TermId.CUDA_GRAPH_PREFILL, TermId.DRAFT_CUDA_GRAPHS);

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

  /** {@code items} with the observed terms replaced; unchanged without a correction. */
  static List<BudgetItem> correct(
      List<BudgetItem> items, Optional<Calibration.Correction> calibration) {
    if (calibration.isEmpty()) {
      return items;
    }
    Calibration.Correction c = calibration.get();
    boolean captureObserved =
        c.termBytes().containsKey(TermId.CUDA_GRAPH_DECODE)
            && items.stream().anyMatch(i -> i.id() == TermId.CUDA_GRAPH_DECODE);
    List<BudgetItem> out = new ArrayList<>(items.size());
    for (BudgetItem i : items) {
      Calibration.Observed o = c.termBytes().get(i.id());
      if (o != null && REPLACED.contains(i.id())) {
        out.add(
            new BudgetItem(
                i.id(),
                i.name(),
                o.bytes(),
                "observed "
                    + Units.gib(o.bytes())
                    + " (predicted "
                    + Units.gib(i.bytes())
                    + ": "
                    + i.formula()
                    + ")",
                source(o.observedAt())));
      } else if (captureObserved && INCLUDED_IN_CAPTURE.contains(i.id())) {
        Calibration.Observed capture = c.termBytes().get(TermId.CUDA_GRAPH_DECODE);
        out.add(
            new BudgetItem(
                i.id(),
                i.name(),
                0,
                "included in the observed "
                    + TermId.CUDA_GRAPH_DECODE.label()
                    + " (predicted "
                    + Units.gib(i.bytes())
                    + ")",
                source(capture.observedAt())));
      } else {
        out.add(i);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The terms before T with the observed overhead: the first carries all of it, the others count 0;
   * unchanged without an observed overhead.
   */
  static List<BudgetItem> correctBeforeT(
      List<BudgetItem> items, Optional<Calibration.Correction> calibration) {
    if (items.isEmpty()
        || calibration.isEmpty()
        || calibration.get().preLoadOverheadBytes().isEmpty()) {
      return items;
    }
    Calibration.Observed o = calibration.get().preLoadOverheadBytes().get();
    long predicted = items.stream().mapToLong(BudgetItem::bytes).sum();
    List<BudgetItem> out = new ArrayList<>(items.size());
    BudgetItem first = items.getFirst();
    out.add(
        new BudgetItem(
            first.id(),
            BEFORE_T_NAME,
            o.bytes(),
            "observed: the free memory read before the launch minus the T SGLang printed, "
                + Units.gib(o.bytes())
                + " (predicted "
                + Units.gib(predicted)
                + " for "
                + String.join(", ", items.stream().map(BudgetItem::name).toList())
                + ")",
            source(o.observedAt())));
    for (BudgetItem i : items.subList(1, items.size())) {
      out.add(
          new BudgetItem(
              i.id(),
              i.name(),
              0,
              "included in the observed "
                  + BEFORE_T_NAME
                  + " (predicted "
                  + Units.gib(i.bytes())
                  + ")",
              source(o.observedAt())));
    }
    return List.copyOf(out);
  }

  /** The name of the observed overhead before T. */
  static final String BEFORE_T_NAME = "CUDA context, NCCL and the rest before T";

  /** The source of an observed item. */
  static String source(Instant observedAt) {
    return "observed on " + DATE.format(observedAt) + " by sglang-preflight exec";
  }

  /**
   * One note per term the budget took from observation, e.g. {@code model weights from observation:
   * 14.96 GiB, observed on 2026-08-01 by sglang-preflight exec, 1 launch of ...}.
   */
  static List<String> notes(Calibration.Correction c, boolean decodeGraphs) {
    List<String> notes = new ArrayList<>();
    String from =
        ", "
            + c.launches()
            + (c.launches() == 1 ? " launch of " : " launches of ")
            + c.key().describe();
    c.preLoadOverheadBytes()
        .ifPresent(
            o ->
                notes.add(
                    "T from observation: the GPUs lose "
                        + Units.gib(o.bytes())
                        + " before SGLang reads T (its CUDA context, NCCL and the rest), "
                        + source(o.observedAt())
                        + from
                        + "; T is the free memory now less that"));
    for (TermId id : List.of(TermId.WEIGHTS, TermId.CUDA_GRAPH_DECODE)) {
      Calibration.Observed o = c.termBytes().get(id);
      if (o != null && (id != TermId.CUDA_GRAPH_DECODE || decodeGraphs)) {
        notes.add(
            id.label()
                + " from observation: "
                + Units.gib(o.bytes())
                + ", "
                + source(o.observedAt())
                + from
                + (id == TermId.CUDA_GRAPH_DECODE
                    ? "; it covers every capture of the launch, so the other graph terms count 0"
                    : ""));
      }
    }
    return List.copyOf(notes);
  }
}
