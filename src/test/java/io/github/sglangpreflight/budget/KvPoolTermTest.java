package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link KvPoolTerm}: the pool's bytes are its tokens times the cell. */
class KvPoolTermTest {

  @Test
  void poolBytes_areTokensTimesTheCell() {
    BudgetModel m = h200("0.5.1", LLAMA8, 1);
    MemoryBudget b = m.at(0.8);

    // Llama-3.1-8B: 32 layers x 8 KV heads x 128 x 2 (K and V) x 2 B
    assertEquals(131072, m.kvLayout().bytesPerToken());
    assertEquals(b.kvTokens() * 131072, b.kvPoolBytes());
  }

  @Test
  void poolTokens_wholePagesAtMostMaxTotalTokens() {
    BudgetModel paged = h200("0.5.1", LLAMA8, 1, "--page-size", "16");
    BudgetModel capped = h200("0.5.1", LLAMA8, 1, "--max-total-tokens", "100000");

    assertEquals(1008, KvPoolTerm.poolTokens(paged.plan(), 1015));
    assertEquals(100000, KvPoolTerm.poolTokens(capped.plan(), 500000));
    assertEquals(99999, KvPoolTerm.poolTokens(capped.plan(), 99999));
  }

  @Test
  void poolEmpty_noBytes() {
    BudgetModel m = h200("0.5.1", LLAMA8, 1);
    TermContext.Launch launch =
        new TermContext.Launch(
            m.plan(), m.request().model(), m.request().draftModel(), m.weights(), m.kvLayout());

    assertEquals(
        0, new KvPoolTerm().item(new TermContext.Pool(launch, 0, 0, 100)).orElseThrow().bytes());
    assertEquals(
        100L * 131072,
        new KvPoolTerm().item(new TermContext.Pool(launch, 0, 90, 100)).orElseThrow().bytes());
  }
}
