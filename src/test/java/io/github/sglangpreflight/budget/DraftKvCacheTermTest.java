package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link DraftKvCacheTerm}: the draft's pool reuses the target's token count (unbudgeted). */
class DraftKvCacheTermTest {

  @Test
  void v051_mtpLayer_targetTokensTimesTheDraftCell() {
    BudgetModel m = DraftWeightsTermTest.nextn("0.5.1");
    MemoryBudget b = m.at(0.8);
    BudgetItem kv = item(b.reserveItems(), TermId.DRAFT_KV_CACHE);
    long cell = m.kvLayout().draftBytesPerToken(1);
    long tokens = b.kvTokens() + KvPoolTerm.speculativeExtraTokens(m.plan(), b.kvTokens());

    assertEquals(1152, cell);
    assertEquals(tokens * cell, kv.bytes());
    assertTrue(kv.formula().endsWith(" tokens x 1152 B (MTP layer)"), kv.formula());
  }

  @Test
  void main_countsTheDraftInTheCell_noSeparateTerm() {
    assertFalse(
        has(DraftWeightsTermTest.nextn("main").at(0.8).reserveItems(), TermId.DRAFT_KV_CACHE));
  }
}
