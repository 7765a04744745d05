package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.GIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link DeepEpTerm}: 2 GiB per rank with DeepEP. */
class DeepEpTermTest {

  @Test
  void optionalTerms_deepEp() {
    assertEquals(
        2 * GIB,
        item(
                h200("0.5.1", DSV3, 8, "--tp", "8", "--enable-deepep-moe").at(0.8).reserveItems(),
                "DeepEP buffers")
            .bytes());
    assertFalse(
        has(h200("0.5.1", DSV3, 8, "--tp", "8").at(0.8).reserveItems(), TermId.DEEPEP_BUFFERS));
  }
}
