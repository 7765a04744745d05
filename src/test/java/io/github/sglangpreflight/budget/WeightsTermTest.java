package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link WeightsTerm}: the stage's weights, with their parts as items of the same term. */
class WeightsTermTest {

  @Test
  void weights_areThePrePoolItemOfTheWeightsTerm() {
    BudgetModel m = h200("0.5.1", DSV3, 8, "--tp", "8");
    MemoryBudget b = m.at(0.8);
    BudgetItem w = item(b.worstGpu().prePoolItems(), TermId.WEIGHTS);

    assertEquals("model weights", w.name());
    assertEquals(m.weights().worstRankBytes(), w.bytes());
    assertEquals(w.bytes(), b.worstGpu().weightsBytes());
    assertTrue(w.formula().startsWith("layers 0-60: "), w.formula());
    assertTrue(w.source().endsWith("; SGLang's layout"), w.source());
  }

  @Test
  void weightParts_carryTheWeightsIdAndTheirOwnNames() {
    MemoryBudget b = h200("0.5.1", DSV3, 8, "--tp", "8").at(0.8);

    assertFalse(b.weightParts().isEmpty());
    assertTrue(b.weightParts().stream().allMatch(p -> p.id() == TermId.WEIGHTS));
    assertTrue(b.weightParts().stream().anyMatch(p -> p.name().equals("routed experts")));
  }
}
