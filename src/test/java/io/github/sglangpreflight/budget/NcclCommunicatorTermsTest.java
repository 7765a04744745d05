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
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link NcclCommunicatorTerms}: the communicators per process group, from the measured costs. */
class NcclCommunicatorTermsTest {

  private static List<BudgetItem> items(BudgetModel m, double f) {
    return m.at(f).reserveItems();
  }

  private static boolean has(List<BudgetItem> items, String name) {
    return items.stream().anyMatch(i -> i.name().equals(name));
  }

  private static boolean has(List<BudgetItem> items, TermId id) {
    return BudgetModelTest.has(items, id);
  }

  @Test
  void lazyNccl_onlyWithMoreThanOneRank() {
    assertFalse(has(items(h200("0.5.1", LLAMA8, 1), 0.8), "NCCL buffers created after start"));
    assertEquals(
        484 * MIB,
        item(items(h200("0.5.1", LLAMA8, 2, "--tp", "2"), 0.8), "NCCL buffers created after start")
            .bytes());
    assertEquals(
        (484 + 446) * MIB,
        item(
                items(h200("0.5.1", DSV3, 8, "--tp", "8", "--ep-size", "8"), 0.8),
                "NCCL buffers created after start")
            .bytes());
  }

  @Test
  void tpGroup_theFirstCommunicatorBeforeT() {
    MemoryBudget tp2 = h200("0.5.1", LLAMA8, 2, "--tp", "2").at(0.8);
    BudgetItem tp = item(tp2.worstGpu().overheadItems(), TermId.NCCL_TP_GROUP);

    assertEquals(840 * MIB, tp.bytes());
    assertEquals("840 MiB: pynccl communicator and its warm-up all-reduce", tp.formula());
    assertFalse(
        has(h200("0.5.1", LLAMA8, 1).at(0.8).worstGpu().overheadItems(), TermId.NCCL_TP_GROUP));
  }

  @Test
  void ppGroup_theFirstWithoutTpElseAFurther() {
    BudgetItem alone =
        item(
            h200("0.5.1", LLAMA8, 2, "--pp", "2").at(0.8).worstGpu().overheadItems(),
            TermId.NCCL_PP_GROUP);
    BudgetItem withTp =
        item(
            h200("0.5.1", LLAMA8, 4, "--tp", "2", "--pp", "2").at(0.8).worstGpu().overheadItems(),
            TermId.NCCL_PP_GROUP);

    assertEquals(840 * MIB, alone.bytes());
    assertEquals("840 MiB: the first communicator", alone.formula());
    assertEquals(484 * MIB, withTp.bytes());
    assertEquals("484 MiB: a further communicator", withTp.formula());
  }

  @Test
  void defaultGroup_insideTheStaticPoolUpTo046Post3() {
    MemoryBudget post3 = h200("0.4.6.post3", LLAMA8, 2, "--tp", "2").at(0.8);
    MemoryBudget v049 = h200("0.4.9", LLAMA8, 2, "--tp", "2").at(0.8);

    assertEquals(
        484 * MIB, item(post3.worstGpu().prePoolItems(), TermId.NCCL_DEFAULT_GROUP).bytes());
    assertFalse(has(v049.worstGpu().prePoolItems(), TermId.NCCL_DEFAULT_GROUP));
  }
}
