package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link CublasWorkspaceTerm}: the measured 64 MiB at the first GEMM. */
class CublasWorkspaceTermTest {

  @Test
  void afterPool_cublas() {
    MemoryBudget b = h200("0.5.1", LLAMA8, 1).at(0.8);

    assertEquals(64 * MIB, item(b.reserveItems(), "cuBLAS workspace").bytes());
  }
}
