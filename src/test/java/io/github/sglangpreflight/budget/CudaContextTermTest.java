package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link CudaContextTerm}: the CUDA context per GPU model, before T. */
class CudaContextTermTest {

  @Test
  void h200_measured621MiB() {
    BudgetItem ctx =
        item(h200("0.5.1", LLAMA8, 1).at(0.8).worstGpu().overheadItems(), TermId.CUDA_CONTEXT);

    assertEquals(621 * MIB, ctx.bytes());
    assertEquals("621 MiB (PyTorch CUDA context on NVIDIA H200)", ctx.formula());
    assertTrue(ctx.source().startsWith("measured: "), ctx.source());
  }

  @Test
  void unknownGpuModel_assumesTheH200s() {
    BudgetModel.GpuSlot h200 = BudgetModelTest.slots("8xH200", 1).getFirst();
    BudgetModel.GpuSlot unknown =
        new BudgetModel.GpuSlot(
            0, h200.uuid(), "NVIDIA Future GPU", h200.computeCapability(), h200.memory());
    BudgetModel m =
        BudgetModelTest.budget(
            "0.5.1", LLAMA8, List.of(unknown), 143771, Map.of(), OptionalLong.empty(), List.of());
    BudgetItem ctx = item(m.at(0.8).worstGpu().overheadItems(), TermId.CUDA_CONTEXT);

    assertEquals(621 * MIB, ctx.bytes());
    assertEquals("621 MiB (PyTorch CUDA context on NVIDIA Future GPU)", ctx.formula());
    assertEquals("estimate: unknown GPU model, the H200's measured 621 MiB assumed", ctx.source());
  }
}
