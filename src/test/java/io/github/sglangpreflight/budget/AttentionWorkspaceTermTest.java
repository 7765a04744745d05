package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link AttentionWorkspaceTerm}: flashinfer's workspace, none for the other backends. */
class AttentionWorkspaceTermTest {

  @Test
  void afterPool_flashinferWorkspace_512MiBForQwenElse384() {
    // global_config.py L36-38, flashinfer_backend.py L104-118 @v0.4.5.post3: + 8 MiB ragged
    BudgetModel qwen =
        BudgetModelTest.budget(
            "0.4.6.post4",
            "Qwen/Qwen3-14B",
            BudgetModelTest.slots("L40S", 1),
            46068,
            Map.of(),
            OptionalLong.empty(),
            List.of());
    BudgetModel llama =
        BudgetModelTest.budget(
            "0.4.6.post4",
            LLAMA8,
            BudgetModelTest.slots("L40S", 1),
            46068,
            Map.of(),
            OptionalLong.empty(),
            List.of());

    assertEquals("flashinfer", qwen.plan().attentionBackend());
    assertEquals(520 * MIB, item(items(qwen, 0.8), "attention backend workspace").bytes());
    assertEquals(392 * MIB, item(items(llama, 0.8), "attention backend workspace").bytes());
    assertEquals(
        0, item(items(h200("main", LLAMA8, 1), 0.8), "attention backend workspace").bytes());
  }

  private static List<BudgetItem> items(BudgetModel m, double f) {
    return m.at(f).reserveItems();
  }
}
