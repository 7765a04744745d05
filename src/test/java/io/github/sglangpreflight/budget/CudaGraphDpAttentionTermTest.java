package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link CudaGraphDpAttentionTerm}: SGLang's allowance against the shape-based extra. */
class CudaGraphDpAttentionTermTest {

  @Test
  void dpAttentionCapture_sglangsOwnAllowanceOf3MiBPerBsPerDpRank() {
    BudgetItem seed =
        item(items(seed("0.4.5.post3"), 0.9074), "CUDA-graph capture under DP attention");

    assertEquals(3L * 256 * 8 * MIB, seed.bytes());
    assertTrue(
        seed.formula()
            .startsWith(
                "max(3 MiB x max_bs 256 x dp 8 = 6.00 GiB, shape-based MoE/gather over 2048 tokens"
                    + " = "),
        seed.formula());
    assertFalse(
        has(
            items(h200("0.4.5.post3", DSV3, 8, "--tp", "8"), 0.85),
            "CUDA-graph capture under DP attention"));
  }

  @Test
  void dpAttentionCapture_above300_addsOneAndAHalfMiB() {
    // 0.5.1 on a 183359 MiB GPU: list to 512 (G > 160000)
    BudgetModel m =
        BudgetModelTest.budget(
            "0.5.1",
            DSV3,
            BudgetModelTest.slots("8xB200", 8),
            183359,
            Map.of(),
            OptionalLong.empty(),
            List.of("--tp", "8", "--dp", "8", "--enable-dp-attention"));
    MemoryBudget b = m.at(0.8);

    assertEquals(512, b.decodeCaptureList().getLast());
    assertEquals(
        (long) (4.5 * 512 * 8) * MIB,
        item(b.reserveItems(), "CUDA-graph capture under DP attention").bytes());
  }

  private static List<BudgetItem> items(BudgetModel m, double f) {
    return m.at(f).reserveItems();
  }

  private static boolean has(List<BudgetItem> items, String name) {
    return items.stream().anyMatch(i -> i.name().equals(name));
  }
}
