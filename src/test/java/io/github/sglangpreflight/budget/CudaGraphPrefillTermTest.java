package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link CudaGraphPrefillTerm}: main's prefill graphs, SGLang's own estimate. */
class CudaGraphPrefillTermTest {

  @Test
  void main_eightMiBPerTokenSize_or1536MiBForMla() {
    BudgetModel llama = h200("main", LLAMA8, 1);
    BudgetItem dense = item(llama.at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL);
    BudgetItem mla = item(seed("main").at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL);
    int sizes = llama.plan().prefillGraphTokens().size();

    assertEquals(8 * MIB * sizes, dense.bytes());
    assertEquals(
        "8 MiB x " + sizes + " token sizes up to " + llama.plan().prefillGraphTokens().getLast(),
        dense.formula());
    assertEquals(1536 * MIB, mla.bytes());
    assertTrue(mla.formula().startsWith("1536 MiB for an MLA model ("), mla.formula());
  }

  @Test
  void beforeMain_none() {
    assertFalse(has(h200("0.5.1", LLAMA8, 1).at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL));
  }
}
