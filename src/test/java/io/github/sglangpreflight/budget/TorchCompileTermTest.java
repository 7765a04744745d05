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

/** {@link TorchCompileTerm}: 0.5 GiB with {@code --enable-torch-compile}. */
class TorchCompileTermTest {

  @Test
  void optionalTerms_torchCompile() {
    assertEquals(
        GIB / 2,
        item(
                h200("0.5.1", LLAMA8, 1, "--enable-torch-compile").at(0.8).reserveItems(),
                "torch.compile")
            .bytes());
    assertFalse(has(h200("0.5.1", LLAMA8, 1).at(0.8).reserveItems(), TermId.TORCH_COMPILE));
  }
}
