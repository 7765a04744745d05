package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.GIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link SymmetricMemoryTerm}: main's 4 GiB with {@code --enable-symm-mem}. */
class SymmetricMemoryTermTest {

  @Test
  void optionalTerms_symmetricMemory() {
    assertEquals(
        4 * GIB,
        item(
                h200("main", LLAMA8, 2, "--tp", "2", "--enable-symm-mem").at(0.8).reserveItems(),
                "symmetric memory")
            .bytes());
    assertFalse(
        has(
            h200("0.5.1", LLAMA8, 2, "--tp", "2", "--enable-symm-mem").at(0.8).reserveItems(),
            TermId.SYMMETRIC_MEMORY));
  }
}
