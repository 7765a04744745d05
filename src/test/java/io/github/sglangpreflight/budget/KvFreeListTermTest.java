package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link KvFreeListTerm}: one int64 per token, or per page. */
class KvFreeListTermTest {

  @Test
  void afterPool_freeList() {
    MemoryBudget b = h200("0.5.1", LLAMA8, 1).at(0.8);
    MemoryBudget paged = h200("0.5.1", LLAMA8, 1, "--page-size", "16").at(0.8);

    assertEquals(8 * b.kvTokens(), item(b.reserveItems(), "KV free list").bytes());
    assertEquals(8 * (paged.kvTokens() / 16), item(paged.reserveItems(), "KV free list").bytes());
  }
}
