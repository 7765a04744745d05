package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.GIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReserveTermsTest {

  private static List<BudgetItem> items(BudgetModel m, double f) {
    return m.at(f).reserveItems();
  }

  private static boolean has(List<BudgetItem> items, String name) {
    return items.stream().anyMatch(i -> i.name().equals(name));
  }

  // ------------------------------------------------------------------ after the pool

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

  @Test
  void afterPool_cublasAndFreeList() {
    MemoryBudget b = h200("0.5.1", LLAMA8, 1).at(0.8);
    MemoryBudget paged = h200("0.5.1", LLAMA8, 1, "--page-size", "16").at(0.8);

    assertEquals(64 * MIB, item(b.reserveItems(), "cuBLAS workspace").bytes());
    assertEquals(8 * b.kvTokens(), item(b.reserveItems(), "KV free list").bytes());
    assertEquals(8 * (paged.kvTokens() / 16), item(paged.reserveItems(), "KV free list").bytes());
    assertFalse(has(b.reserveItems(), "eager input buffers"));
    MemoryBudget main = h200("main", LLAMA8, 1).at(0.8);
    assertEquals(48 * main.kvTokens(), item(main.reserveItems(), "eager input buffers").bytes());
  }

  // ------------------------------------------------------------------ decode CUDA graphs

  @Test
  void cudaGraphs_seedP1_logitsAndFa3PageTableKeptPerGraph() {
    BudgetItem g = item(items(seed("0.4.5.post3"), 0.9074), "CUDA-graph capture");
    long sumBs = 4231;

    // graph-activation-memory.md §1.4 R1 and R2, §1.5 (FA3 v0.4.5.post3: 2 tables), §1.3
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

  // ------------------------------------------------------------------ activations and NCCL

  @Test
  void prefillActivations_dpAttentionRunsTheMoeOverTheGatheredChunk() {
    BudgetItem a = item(items(seed("0.4.5.post3"), 0.9074), "prefill activations");

    assertTrue(
        a.formula().contains("1024 tokens x 128 heads x 1.5 KiB (MLA prefill q/k/v expansion)"),
        a.formula());
    assertTrue(
        a.formula()
            .contains("8192 tokens through the MoE (top-9, fused-MoE caches) gathered over DP 8"),
        a.formula());
    assertTrue(a.formula().endsWith("x 1.15 fragmentation"), a.formula());
    assertTrue(a.source().contains("prompt logprobs"), a.source());
  }

  @Test
  void prefillActivations_smallGpu_boundsTheLastTokenLogitsAt256Requests() {
    // a 24 GB card: chunk 2048, decode graphs up to 8; a batch of 2048 one-token prompts is not
    // the peak the guard budgets: max(256, largest decode graph) requests
    BudgetModel m =
        BudgetModelTest.budget(
            "main",
            "Qwen/Qwen3-8B",
            BudgetModelTest.slots("RTX4090", 1),
            24564,
            Map.of(),
            OptionalLong.empty(),
            List.of());
    BudgetItem a = item(items(m, 0.8), "prefill activations");

    assertTrue(a.formula().contains("last-token logits 256 x 151936 x"), a.formula());
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
  void optionalTerms_symmetricMemoryDeepEpTorchCompile() {
    assertEquals(
        4 * GIB,
        item(
                items(h200("main", LLAMA8, 2, "--tp", "2", "--enable-symm-mem"), 0.8),
                "symmetric memory")
            .bytes());
    assertEquals(
        2 * GIB,
        item(
                items(h200("0.5.1", DSV3, 8, "--tp", "8", "--enable-deepep-moe"), 0.8),
                "DeepEP buffers")
            .bytes());
    assertEquals(
        GIB / 2,
        item(items(h200("0.5.1", LLAMA8, 1, "--enable-torch-compile"), 0.8), "torch.compile")
            .bytes());
  }

  // ------------------------------------------------------------------ JIT DeepGEMM

  @Test
  void deepGemmShape_requirementsMatchTheNotesTable() {
    long m = 16384;
    // version-facts.md §5.4, DeepSeek-V3 MoE at EP 8 (32 local experts)
    assertEquals(
        8.38,
        gib(new ReserveTerms.DeepGemmShape("w13", 4096, 7168, 32, "masked").requirement(m)),
        0.005);
    assertEquals(
        8.44,
        gib(new ReserveTerms.DeepGemmShape("w2", 7168, 2048, 32, "masked").requirement(m)),
        0.005);
    assertEquals(
        1.11,
        gib(new ReserveTerms.DeepGemmShape("w13", 4096, 7168, 32, "contiguous").requirement(m)),
        0.005);
    assertEquals(
        0.69,
        gib(new ReserveTerms.DeepGemmShape("w2", 7168, 2048, 32, "contiguous").requirement(m)),
        0.005);
    assertEquals(
        1.02,
        gib(new ReserveTerms.DeepGemmShape("kv_b", 32768, 512, 1, "normal").requirement(m)),
        0.005);
    assertEquals(
        0.12,
        gib(new ReserveTerms.DeepGemmShape("q_b", 3072, 1536, 1, "normal").requirement(m)),
        0.005);
  }

  @Test
  void warmupMaxM_followsTheChunkPerRank() {
    assertEquals(16384, ReserveTerms.warmupMaxM(plan("0.5.2", 143771, "--tp", "8")));
    // B200 chunk 16384 -> 2 x chunk
    assertEquals(32768, ReserveTerms.warmupMaxM(plan("0.5.2", 183359, "--tp", "8")));
    assertEquals(
        65536,
        ReserveTerms.warmupMaxM(
            plan("0.5.2", 143771, "--tp", "8", "--chunked-prefill-size", "-1")));
    // DP attention: the divided chunk (1024) keeps 16384
    assertEquals(
        16384,
        ReserveTerms.warmupMaxM(
            plan("0.5.2", 143771, "--tp", "8", "--dp", "8", "--enable-dp-attention")));
  }

  @Test
  void peak_from052rc1_theWarmupIsFreedBeforeCapture() {
    MemoryBudget rc0 = seed("0.5.2rc0").at(0.8);
    MemoryBudget rc1 = seed("0.5.2rc1").at(0.8);

    assertEquals(
        sumByPhase(rc0.gpus().get(0).reserveItems(), false),
        rc0.gpus().get(0).reserveNeededBytes());
    assertEquals(
        sumByPhase(rc1.gpus().get(0).reserveItems(), true), rc1.gpus().get(0).reserveNeededBytes());
    assertTrue(item(rc1.gpus().get(0).reserveItems(), "JIT DeepGEMM warm-up").bytes() > 0);
  }

  private static long sumByPhase(List<BudgetItem> items, boolean freed) {
    List<String> before =
        List.of(
            "request-to-token table",
            "KV free list",
            "eager input buffers",
            "attention backend workspace",
            "cuBLAS workspace");
    long b = 0;
    long warm = 0;
    long rest = 0;
    for (BudgetItem i : items) {
      if (before.contains(i.name())) {
        b += i.bytes();
      } else if (i.name().equals("JIT DeepGEMM warm-up")) {
        warm += i.bytes();
      } else {
        rest += i.bytes();
      }
    }
    return freed ? b + Math.max(warm, rest) : b + warm + rest;
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
