package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.GIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link DraftCudaGraphsTerm}: 0.25 GiB of draft graphs where SGLang leaves them unbudgeted. */
class DraftCudaGraphsTermTest {

  @Test
  void v051_quarterGiB_mainNone() {
    BudgetItem g =
        item(DraftWeightsTermTest.nextn("0.5.1").at(0.8).reserveItems(), TermId.DRAFT_CUDA_GRAPHS);

    assertEquals(GIB / 4, g.bytes());
    assertEquals("public log sglang#10088 (EAGLE draft graphs 0.21 GB)", g.source());
    assertFalse(
        has(DraftWeightsTermTest.nextn("main").at(0.8).reserveItems(), TermId.DRAFT_CUDA_GRAPHS));
  }
}
