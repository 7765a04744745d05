package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link EagerInputBuffersTerm}: main's eager runner buffers, 48 B per token. */
class EagerInputBuffersTermTest {

  @Test
  void afterPool_eagerInputBuffers_onlyOnMain() {
    MemoryBudget b = h200("0.5.1", LLAMA8, 1).at(0.8);

    assertFalse(has(b.reserveItems(), TermId.EAGER_INPUT_BUFFERS));
    MemoryBudget main = h200("main", LLAMA8, 1).at(0.8);
    assertEquals(48 * main.kvTokens(), item(main.reserveItems(), "eager input buffers").bytes());
  }
}
