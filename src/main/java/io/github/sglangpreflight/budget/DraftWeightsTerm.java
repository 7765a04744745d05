package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.WeightPlacement;
import io.github.sglangpreflight.model.WeightsPerGpu;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.Phase;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Optional;

/**
 * The speculative draft's weights: the model's own MTP/NextN layer, or a separate draft model over
 * the target's TP. Where they land depends on the version: main from 2026-06-21 loads them before
 * the KV pool (inside the static pool, {@code draftWeightsBeforePool}); earlier versions after it,
 * unbudgeted (in the reserve). The term is registered in both phases and answers in the one its
 * version uses.
 */
final class DraftWeightsTerm implements BudgetTerm<TermContext> {

  @Override
  public TermId id() {
    return TermId.DRAFT_WEIGHTS;
  }

  @Override
  public Optional<BudgetItem> item(TermContext c) {
    LaunchPlan p = c.plan();
    if (p.speculative().isEmpty()) {
      return Optional.empty();
    }
    boolean here =
        c.phase() == Phase.STATIC_POOL
            ? c.facts().draftWeightsBeforePool()
            : c.phase() == Phase.RESERVE && c.facts().draftUnbudgeted();
    if (!here) {
      return Optional.empty();
    }
    LaunchPlan.Speculative s = p.speculative().get();
    WeightsPerGpu weights = c.launch().weights();
    if (weights.nextnDraft().isPresent()
        && (s.algorithm().equals("NEXTN") || s.algorithm().startsWith("EAGLE"))
        && s.draftModelPath().isEmpty()) {
      long b = weights.nextnDraft().get().bytes();
      return Optional.of(
          new BudgetItem(
              id(),
              b,
              "the model's MTP/NextN layer as the draft, " + Units.gib(b),
              "deepseek_nextn.py; the checkpoint's layer " + c.spec().numHiddenLayers()));
    }
    if (c.launch().draftModel().isPresent()) {
      ModelDescription draft = c.launch().draftModel().get();
      Parallelism par = p.parallelism();
      WeightsPerGpu dw =
          WeightPlacement.perGpu(
              draft,
              new Parallelism(par.tpSize(), 1, par.dpSize(), 1, par.dpAttention(), 1),
              p.facts().weightPlacement());
      return Optional.of(
          new BudgetItem(
              id(),
              dw.worstRankBytes(),
              draft.id() + " over TP " + par.tpSize(),
              "the draft model's " + draft.origin().label() + " description"));
    }
    return Optional.empty();
  }
}
