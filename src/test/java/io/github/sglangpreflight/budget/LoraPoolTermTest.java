package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link LoraPoolTerm}: the adapter pool inside the static pool. */
class LoraPoolTermTest {

  @Test
  void defaultRank64_eightSlots_withANote() {
    BudgetModel m = h200("0.5.1", LLAMA8, 1, "--lora-paths", "a=/x", "b=/y");
    BudgetItem lora = item(m.at(0.8).worstGpu().prePoolItems(), TermId.LORA_POOL);

    // Llama-3.1-8B: (H + q) + 2 (H + kv) + (q + H) + 2 (H + I) + (I + H) = 81920 per layer
    assertEquals(8L * 64 * 81920 * 32 * 2, lora.bytes());
    assertEquals(
        "8 slots x rank 64 x 32 layers x (in + out of q,k,v,o,gate,up,down = 81920) x 2 B / tp 1",
        lora.formula());
    assertTrue(
        m.notes()
            .contains("LoRA rank unknown (no --max-lora-rank): the adapter pool assumes rank 64"),
        m.notes().toString());
  }

  @Test
  void givenRank_overTp() {
    BudgetModel m =
        h200("0.5.1", LLAMA8, 2, "--tp", "2", "--lora-paths", "a=/x", "--max-lora-rank", "16");

    assertEquals(
        8L * 16 * 81920 * 32 * 2 / 2,
        item(m.at(0.8).worstGpu().prePoolItems(), TermId.LORA_POOL).bytes());
    assertFalse(has(h200("0.5.1", LLAMA8, 1).at(0.8).worstGpu().prePoolItems(), TermId.LORA_POOL));
  }
}
