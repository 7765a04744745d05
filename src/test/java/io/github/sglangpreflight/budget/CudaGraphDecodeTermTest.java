package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.GIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link CudaGraphDecodeTerm}: the decode capture per version and backend. */
class CudaGraphDecodeTermTest {

  @Test
  void cudaGraphs_seedP1_logitsAndFa3PageTableKeptPerGraph() {
    BudgetItem g = item(items(seed("0.4.5.post3"), 0.9074), "CUDA-graph capture");
    long sumBs = 4231;

    // docs/memory-model.md §4 (decode CUDA graphs; FA3 v0.4.5.post3: 2 tables) and §7
    assertTrue(g.formula().startsWith("35 batch sizes up to 256: "), g.formula());
    assertTrue(
        g.formula()
            .contains(
                "fp32 logits kept per graph 4 x 129280 x 4231 = "
                    + BudgetModelTest.gib(4L * 129280 * sumBs)),
        g.formula());
    assertTrue(
        g.formula()
            .contains(
                "FA3 page-table copy per graph 4 x 163840 x 4231 = "
                    + BudgetModelTest.gib(4L * 163840 * sumBs)),
        g.formula());
    assertTrue(
        g.formula().contains("fa3 graph buffers " + BudgetModelTest.gib(2L * 256 * 163840 * 4)),
        g.formula());
    assertTrue(
        g.formula().contains("gathered buffer " + BudgetModelTest.gib(256L * 8 * 7168 * 2)),
        g.formula());
    assertTrue(g.formula().contains("graph executables 0.1 MiB x 61 layers x 35"), g.formula());
    assertTrue(g.formula().contains("unattributed residual 0.59 GiB"), g.formula());
    // the note's FA3 column: static 0.34 + R1 2.04 + R2 2.58 + transient ~0.3 + residual 0.6-0.8
    double total = g.bytes() / (double) GIB;
    assertTrue(total > 5.8 && total < 6.1, "CUDA-graph capture " + total + " GiB");
  }

  @Test
  void cudaGraphs_afterV0410Post2_oneSharedLogitsBufferAndNoPageTableCopies() {
    BudgetItem g = item(items(h200("0.5.1", DSV3, 8, "--tp", "8"), 0.85), "CUDA-graph capture");

    assertTrue(
        g.formula().contains("shared logits buffer 256 x 129280 x 4 B = 0.12 GiB"), g.formula());
    assertFalse(g.formula().contains("kept per graph"), g.formula());
    assertFalse(g.formula().contains("page-table copy"), g.formula());
    assertTrue(
        g.formula().contains("fa3 graph buffers " + BudgetModelTest.gib(256L * 163840 * 4)),
        g.formula());
    assertTrue(g.formula().contains("unattributed residual 0.49 GiB"), g.formula());
  }

  @Test
  void cudaGraphs_flashinfer_keepsAnEightMiBWrapperPerGraph() {
    BudgetModel m =
        BudgetModelTest.budget(
            "0.5.1",
            LLAMA8,
            BudgetModelTest.slots("L40S", 1),
            46068,
            Map.of(),
            OptionalLong.empty(),
            List.of());
    BudgetItem g = item(items(m, 0.8), "CUDA-graph capture");

    // L40S (46068 MiB): 23 sizes up to 160
    assertTrue(
        g.formula().contains("flashinfer decode wrappers 8 MiB x 1 x 23 graphs = 0.18 GiB"),
        g.formula());
  }

  @Test
  void cudaGraphs_disabled_noGraphTerms() {
    List<BudgetItem> i = items(h200("0.5.1", LLAMA8, 1, "--disable-cuda-graph"), 0.8);

    assertFalse(has(i, "CUDA-graph capture"));
    assertFalse(has(i, "CUDA-graph capture under DP attention"));
  }

  private static List<BudgetItem> items(BudgetModel m, double f) {
    return m.at(f).reserveItems();
  }

  private static boolean has(List<BudgetItem> items, String name) {
    return items.stream().anyMatch(i -> i.name().equals(name));
  }
}
