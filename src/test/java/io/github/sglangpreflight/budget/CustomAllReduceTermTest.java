package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;
/** {@link CustomAllReduceTerm}: 16 MiB per rank under TP unless disabled. */
class CustomAllReduceTermTest {

  @Test
  void tp_takes16MiBBeforeT() {
    BudgetItem car =
        item(
            h200("0.5.1", DSV3, 8, "--tp", "8").at(0.8).worstGpu().overheadItems(),
            TermId.CUSTOM_ALL_REDUCE);

    assertEquals(16 * MIB, car.bytes());
    assertEquals("8 MiB IPC buffer + 8 MiB rank data", car.formula());
  }

  @Test
  void singleGpuOrDisabled_none() {
    assertFalse(
        has(
            h200("0.5.1", LLAMA8, 1).at(0.8).worstGpu().overheadItems(),
            TermId.CUSTOM_ALL_REDUCE));
    assertFalse(
        has(
            h200("0.5.1", DSV3, 8, "--tp", "8", "--disable-custom-all-reduce")
                .at(0.8)
                .worstGpu()
                .overheadItems(),
            TermId.CUSTOM_ALL_REDUCE));
  }
}
