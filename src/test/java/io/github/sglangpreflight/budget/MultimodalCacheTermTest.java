package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link MultimodalCacheTerm}: main's 100 MiB for a multimodal model. */
class MultimodalCacheTermTest {

  private static final String SCOUT = "meta-llama/Llama-4-Scout-17B-16E-Instruct";

  @Test
  void main_reserves100MiBInsideTheStaticPool() {
    BudgetItem mm =
        item(
            h200("main", SCOUT, 4, "--tp", "4").at(0.8).worstGpu().prePoolItems(),
            TermId.MULTIMODAL_CACHE);

    assertEquals(100 * MIB, mm.bytes());
    assertEquals("SGLANG_VLM_CACHE_SIZE_MB 100 MiB", mm.formula());
    assertFalse(
        has(
            h200("0.5.1", SCOUT, 4, "--tp", "4").at(0.8).worstGpu().prePoolItems(),
            TermId.MULTIMODAL_CACHE));
  }
}
