package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.WeightsPerGpu;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The model's weights on one GPU: its pipeline stage's share, laid out the way SGLang shards it
 * ({@link io.github.sglangpreflight.model.WeightPlacement}, which holds the per-tensor rules).
 */
final class WeightsTerm implements BudgetTerm<TermContext.StaticPool> {

  @Override
  public TermId id() {
    return TermId.WEIGHTS;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.StaticPool c) {
    WeightsPerGpu.RankWeights stage = c.launch().weights().stages().get(c.ppRank());
    ModelDescription model = c.launch().model();
    return Optional.of(
        new BudgetItem(
            id(),
            stage.bytes(),
            formula(stage),
            model.tensorSource() == ModelDescription.TensorSource.MEASURED
                ? "safetensors headers of " + model.location() + "; SGLang's layout"
                : "synthesized from config.json ("
                    + model.origin().label()
                    + "); SGLang's layout"));
  }

  /** The weights' parts, largest first, as items of this term. */
  static List<BudgetItem> parts(WeightsPerGpu.RankWeights stage) {
    List<BudgetItem> parts = new ArrayList<>();
    for (WeightsPerGpu.WeightPart p : stage.parts()) {
      parts.add(new BudgetItem(TermId.WEIGHTS, p.name(), p.bytes(), p.formula(), p.source()));
    }
    return parts;
  }

  private static String formula(WeightsPerGpu.RankWeights stage) {
    List<String> parts = new ArrayList<>();
    for (WeightsPerGpu.WeightPart p : stage.parts()) {
      if (parts.size() == 5) {
        parts.add("...");
        break;
      }
      parts.add(p.name() + " " + Units.gib(p.bytes()));
    }
    return "layers "
        + stage.startLayer()
        + "-"
        + (stage.endLayer() - 1)
        + ": "
        + String.join(" + ", parts);
  }
}
