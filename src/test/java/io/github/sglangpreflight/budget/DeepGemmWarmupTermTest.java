package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.GIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link DeepGemmWarmupTerm}: the JIT DeepGEMM warm-up per version, GPU and checkpoint. */
class DeepGemmWarmupTermTest {

  @Test
  void at_deepGemmWarmup_zeroWithAnExplanationInV045Post3() {
    BudgetItem w = item(seed("0.4.5.post3").at(0.85).reserveItems(), "JIT DeepGEMM warm-up");

    assertEquals(0, w.bytes());
    assertEquals(
        "SGL_ENABLE_JIT_DEEPGEMM=1 turns JIT DeepGEMM on: SGLang 0.4.5.post3 compiles kernels with"
            + " nvcc on the CPU into the disk cache (~/.cache/deep_gemm) and launches nothing;"
            + " loaded kernels take ~0.07 MiB each",
        w.formula());
  }

  @Test
  void at_deepGemmWarmup_onlyOnTheFirstGpuFrom051Post3() {
    MemoryBudget post3 = seed("0.5.1.post3").at(0.8);
    MemoryBudget post2 = seed("0.5.1.post2").at(0.8);
    // kv_b_proj under DP attention (attn_tp 1): N = 128 heads x (128 + 128), K = 512, m = 16384;
    // the largest block-fp8 GEMM: m K + N K + 2 m N bytes (compile_utils.py L241-273 @main)
    long m = 16384;
    long kvB = m * 512 + 32768L * 512 + 2 * m * 32768;

    BudgetItem first = item(post3.gpus().get(0).reserveItems(), "JIT DeepGEMM warm-up");
    assertEquals(kvB, first.bytes());
    assertTrue(
        first.formula().startsWith("largest shape kv_b_proj (N 32768, K 512) at max_m 16384"),
        first.formula());
    for (int k = 1; k < 8; k++) {
      BudgetItem other = item(post3.gpus().get(k).reserveItems(), "JIT DeepGEMM warm-up");
      assertEquals(0, other.bytes());
      assertEquals(
          "runs only on the first GPU of the node (GPU 0 in this version)", other.formula());
    }
    BudgetItem before = item(post2.gpus().get(0).reserveItems(), "JIT DeepGEMM warm-up");
    assertEquals(0, before.bytes());
    assertTrue(
        before.formula().contains("compiles kernels with nvcc on the CPU"), before.formula());
  }

  @Test
  void at_deepGemmWarmup_bf16CheckpointNeedsNone() {
    BudgetItem w = item(h200("main", LLAMA8, 1).at(0.8).reserveItems(), "JIT DeepGEMM warm-up");

    assertEquals(0, w.bytes());
    assertEquals(
        "JIT DeepGEMM is on by default in SGLang main; the checkpoint has no block-fp8 weights, so"
            + " no GEMM uses it",
        w.formula());
  }

  @Test
  void deepGemmShape_requirementsMatchTheNotesTable() {
    long m = 16384;
    // docs/memory-model.md §2.4 and §4, DeepSeek-V3 MoE at EP 8 (32 local experts)
    assertEquals(
        8.38,
        gib(new DeepGemmWarmupTerm.Shape("w13", 4096, 7168, 32, "masked").requirement(m)),
        0.005);
    assertEquals(
        8.44,
        gib(new DeepGemmWarmupTerm.Shape("w2", 7168, 2048, 32, "masked").requirement(m)),
        0.005);
    assertEquals(
        1.11,
        gib(new DeepGemmWarmupTerm.Shape("w13", 4096, 7168, 32, "contiguous").requirement(m)),
        0.005);
    assertEquals(
        0.69,
        gib(new DeepGemmWarmupTerm.Shape("w2", 7168, 2048, 32, "contiguous").requirement(m)),
        0.005);
    assertEquals(
        1.02,
        gib(new DeepGemmWarmupTerm.Shape("kv_b", 32768, 512, 1, "normal").requirement(m)),
        0.005);
    assertEquals(
        0.12,
        gib(new DeepGemmWarmupTerm.Shape("q_b", 3072, 1536, 1, "normal").requirement(m)),
        0.005);
  }

  @Test
  void warmupMaxM_followsTheChunkPerRank() {
    assertEquals(16384, DeepGemmWarmupTerm.warmupMaxM(plan("0.5.2", 143771, "--tp", "8")));
    // B200 chunk 16384 -> 2 x chunk
    assertEquals(32768, DeepGemmWarmupTerm.warmupMaxM(plan("0.5.2", 183359, "--tp", "8")));
    assertEquals(
        65536,
        DeepGemmWarmupTerm.warmupMaxM(
            plan("0.5.2", 143771, "--tp", "8", "--chunked-prefill-size", "-1")));
    // DP attention: the divided chunk (1024) keeps 16384
    assertEquals(
        16384,
        DeepGemmWarmupTerm.warmupMaxM(
            plan("0.5.2", 143771, "--tp", "8", "--dp", "8", "--enable-dp-attention")));
  }

  private static double gib(long bytes) {
    return bytes / (double) GIB;
  }

  private static LaunchPlan plan(String version, long gpuMib, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", DSV3));
    argv.addAll(List.of(args));
    return LaunchPlan.of(
        SglangFacts.of(SglangVersion.parse(version)),
        LaunchCommand.parse(argv, Map.of()),
        ModelCatalog.builtIn().describe(DSV3).orElseThrow().spec(),
        OptionalLong.of(gpuMib),
        Optional.of(new ComputeCapability(9, 0)));
  }
}
