package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link DraftWeightsTerm}: the draft's weights, outside the pool before main 2026-06-21. */
class DraftWeightsTermTest {

  static BudgetModel nextn(String version) {
    return h200(version, DSV3, 8, "--tp", "8", "--speculative-algorithm", "NEXTN");
  }

  @Test
  void v051_mtpLayerLoadsAfterThePool_unbudgeted() {
    BudgetModel m = nextn("0.5.1");
    MemoryBudget b = m.at(0.8);
    BudgetItem draft = item(b.reserveItems(), TermId.DRAFT_WEIGHTS);

    assertEquals(m.weights().nextnDraft().orElseThrow().bytes(), draft.bytes());
    assertTrue(
        draft.formula().startsWith("the model's MTP/NextN layer as the draft, "), draft.formula());
    assertEquals("deepseek_nextn.py; the checkpoint's layer 61", draft.source());
    assertFalse(has(b.worstGpu().prePoolItems(), TermId.DRAFT_WEIGHTS));
  }

  @Test
  void main_loadsThemBeforeThePool() {
    BudgetModel m = nextn("main");
    MemoryBudget b = m.at(0.8);

    assertEquals(
        m.weights().nextnDraft().orElseThrow().bytes(),
        item(b.worstGpu().prePoolItems(), TermId.DRAFT_WEIGHTS).bytes());
    assertFalse(has(b.reserveItems(), TermId.DRAFT_WEIGHTS));
  }

  @Test
  void noSpeculativeDecoding_none() {
    MemoryBudget b = h200("0.5.1", DSV3, 8, "--tp", "8").at(0.8);

    assertFalse(has(b.reserveItems(), TermId.DRAFT_WEIGHTS));
    assertFalse(has(b.worstGpu().prePoolItems(), TermId.DRAFT_WEIGHTS));
  }
}
