package io.github.sglangpreflight.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.Gpu;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuMemory;
import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.WeightPlacement;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BudgetModelTest {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  /** An idle H200's NVML free memory (h200-measurements.md). */
  static final long H200_FREE = 150109880320L;

  static final String DSV3 = "deepseek-ai/DeepSeek-V3";
  static final String LLAMA8 = "meta-llama/Llama-3.1-8B-Instruct";
  static final List<String> SEED =
      List.of("--tp", "8", "--enable-dp-attention", "--dp-size", "8", "--trust-remote-code");

  /** Slots for the first {@code n} GPUs of a preset, with free memory minus {@code busyBytes}. */
  static List<BudgetModel.GpuSlot> slots(String preset, int n, long... busyBytes) {
    GpuInventory inv = GpuPresets.inventory(preset);
    List<BudgetModel.GpuSlot> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      Gpu g = inv.gpus().get(k);
      long busy = k < busyBytes.length ? busyBytes[k] : 0;
      GpuMemory m = g.memory();
      GpuMemory mem =
          GpuMemory.v2(m.totalBytes(), m.reservedBytes().getAsLong(), m.freeBytes() - busy, busy);
      out.add(new BudgetModel.GpuSlot(k, g.uuid(), g.name(), g.computeCapability(), mem));
    }
    return out;
  }

  static BudgetModel budget(
      String version,
      String model,
      List<BudgetModel.GpuSlot> gpus,
      long hostMinTotalMib,
      Map<String, String> env,
      OptionalLong minKv,
      List<String> args) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(args);
    return BudgetModel.of(
        new BudgetModel.Request(
            SglangVersion.parse(version),
            LaunchCommand.parse(argv, env),
            ModelCatalog.builtIn().describe(model).orElseThrow(),
            Optional.empty(),
            gpus,
            OptionalLong.of(hostMinTotalMib),
            GIB,
            minKv));
  }

  static BudgetModel h200(String version, String model, int gpus, String... args) {
    return budget(
        version,
        model,
        slots("8xH200", gpus),
        143771,
        Map.of(),
        OptionalLong.empty(),
        List.of(args));
  }

  static BudgetModel seed(String version) {
    return budget(
        version,
        DSV3,
        slots("8xH200", 8),
        143771,
        Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1"),
        OptionalLong.empty(),
        SEED);
  }

  static BudgetItem item(List<BudgetItem> items, String name) {
    return items.stream()
        .filter(i -> i.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no item '" + name + "' in " + items.stream().map(BudgetItem::name).toList()));
  }

  static BudgetItem item(List<BudgetItem> items, TermId id) {
    return items.stream()
        .filter(i -> i.id() == id)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no item " + id + " in " + items.stream().map(BudgetItem::id).toList()));
  }

  static boolean has(List<BudgetItem> items, TermId id) {
    return items.stream().anyMatch(i -> i.id() == id);
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) GIB);
  }

  // ------------------------------------------------------------------ T and A

  @Test
  void at_tp1_tIsFreeMinusTheCudaContext() {
    MemoryBudget b = h200("0.4.5.post3", LLAMA8, 1).at(0.88);

    // 621 MiB measured for a PyTorch context on an H200
    assertEquals(H200_FREE - 621 * MIB, b.preLoadFreeBytes());
    assertEquals(
        List.of("CUDA context"),
        b.worstGpu().overheadItems().stream().map(BudgetItem::name).toList());
  }

  @Test
  void at_tp8_tAlsoLosesTheFirstNcclCommunicatorAndCustomAllReduce() {
    MemoryBudget b = h200("0.5.1", DSV3, 8, "--tp", "8").at(0.85);

    // 840 MiB first NCCL communicator (measured), 16 MiB custom all-reduce (code)
    assertEquals(H200_FREE - (621 + 840 + 16) * MIB, b.preLoadFreeBytes());
    for (MemoryBudget.GpuBudget g : b.gpus()) {
      assertEquals(H200_FREE - (621 + 840 + 16) * MIB, g.preLoadFreeBytes());
    }
    MemoryBudget noCar =
        h200("0.5.1", DSV3, 8, "--tp", "8", "--disable-custom-all-reduce").at(0.85);
    assertEquals(H200_FREE - (621 + 840) * MIB, noCar.preLoadFreeBytes());
  }

  @Test
  void at_pp_tLosesAFurtherCommunicatorPerGroup() {
    MemoryBudget pp2 = h200("0.5.1", LLAMA8, 2, "--pp", "2").at(0.85);
    MemoryBudget tp2pp2 = h200("0.5.1", LLAMA8, 4, "--tp", "2", "--pp", "2").at(0.85);

    assertEquals(H200_FREE - (621 + 840) * MIB, pp2.preLoadFreeBytes());
    assertEquals(H200_FREE - (621 + 840 + 484 + 16) * MIB, tp2pp2.preLoadFreeBytes());
  }

  @Test
  void at_availableAfterLoad_isTMinusTheWeightsAndTheLateNcclGroup() {
    BudgetModel m = h200("0.4.5.post3", DSV3, 8, "--tp", "8");
    MemoryBudget b = m.at(0.85);
    long weights =
        WeightPlacement.perGpu(
                ModelCatalog.builtIn().describe(DSV3).orElseThrow(),
                new Parallelism(8, 1, 1, 1, false, 1),
                SglangFacts.of(SglangVersion.parse("0.4.5.post3")).weightPlacement())
            .worstRankBytes();

    // up to v0.4.6.post3 the MIN all-reduce of T creates the default group's communicator
    assertEquals(b.preLoadFreeBytes() - weights - 484 * MIB, b.availableAfterLoadBytes());
    assertEquals(weights, b.weightsBytesPerGpu());
    MemoryBudget post4 = h200("0.4.6.post4", DSV3, 8, "--tp", "8").at(0.85);
    assertEquals(
        List.of("model weights"),
        post4.worstGpu().prePoolItems().stream().map(BudgetItem::name).toList());
  }

  // ------------------------------------------------------------------ KV pool

  @Test
  void at_kvTokens_floorOfWhatIsLeftAboveTheReserveOverTheCell() {
    BudgetModel m = h200("0.4.5.post3", LLAMA8, 1);
    for (double f : new double[] {0.5, 0.7, 0.88, 0.93}) {
      MemoryBudget b = m.at(f);
      long t = H200_FREE - 621 * MIB;
      long cell = 32L * 8 * 128 * 2 * 2; // layers x kv heads x head dim x (K, V) x bf16
      long expected = (long) Math.floor((b.availableAfterLoadBytes() - t * (1 - f)) / cell);

      assertEquals(cell, b.kvBytesPerToken());
      assertEquals(expected, b.kvTokens(), "fraction " + f);
      assertEquals(expected * cell, b.kvPoolBytes());
      assertEquals((long) (t * (1 - f)), b.sglangReserveBytes());
    }
  }

  @Test
  void at_pageSize_roundsTheTokensDown() {
    MemoryBudget page1 = h200("0.5.1", LLAMA8, 1).at(0.8);
    MemoryBudget page64 = h200("0.5.1", LLAMA8, 1, "--page-size", "64").at(0.8);

    assertEquals(page1.kvTokens() / 64 * 64, page64.kvTokens());
    assertEquals(0, page64.kvTokens() % 64);
  }

  @Test
  void at_maxTotalTokens_capsThePoolButNotTheRequestTable() {
    BudgetModel capped = h200("0.4.5.post3", LLAMA8, 1, "--max-total-tokens", "10000");
    MemoryBudget b = capped.at(0.88);
    MemoryBudget uncapped = h200("0.4.5.post3", LLAMA8, 1).at(0.88);
    // SGLang sizes the request table from the profiled count (model_runner.py L741-752
    // @v0.4.5.post3): clamp(profiled / 131072 x 512, 2048, 4096) + 1
    long rows = Math.max(2048, Math.min(4096, (long) (uncapped.kvTokens() / 131072.0 * 512))) + 1;

    assertEquals(10000, b.kvTokens());
    assertEquals(10000L * 131072, b.kvPoolBytes());
    assertTrue(rows > 3000, "rows " + rows);
    assertEquals(rows * (131072 + 4) * 4, item(b.reserveItems(), "request-to-token table").bytes());
  }

  @Test
  void at_poolEmpty_whenTheWeightsEatTheStaticPool() {
    MemoryBudget b = h200("0.4.5.post3", DSV3, 8, "--tp", "8").at(0.5);

    assertEquals(0, b.kvTokens());
    assertTrue(b.poolEmpty());
    assertFalse(b.safe());
  }

  // ------------------------------------------------------------------ the fraction window

  static Stream<Arguments> windows() {
    return Stream.of(
        Arguments.of("seed v0.4.5.post3", seed("0.4.5.post3")),
        Arguments.of("seed main", seed("main")),
        Arguments.of("Llama-3.1-8B TP1 v0.5.1", h200("0.5.1", LLAMA8, 1)),
        Arguments.of("Qwen3-235B TP8 main", h200("main", "Qwen/Qwen3-235B-A22B", 8, "--tp", "8")),
        Arguments.of(
            "Llama-3.1-70B TP2 0.4.7 min-kv 300k",
            budget(
                "0.4.7",
                "meta-llama/Llama-3.1-70B-Instruct",
                slots("8xH200", 2),
                143771,
                Map.of(),
                OptionalLong.of(300_000),
                List.of("--tp", "2"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("windows")
  void maxSafeFraction_isTheLastFractionThatKeepsTheMargin(String name, BudgetModel m) {
    OptionalDouble maxSafe = m.maxSafeFraction();
    long margin = m.request().safetyMarginBytes();

    assertTrue(maxSafe.isPresent(), name);
    double f = maxSafe.getAsDouble();
    assertEquals(f, Math.rint(f * 1000) / 1000, 1e-12, "three decimals");
    for (MemoryBudget.GpuBudget g : m.at(f).gpus()) {
      assertTrue(g.headroomBytes() >= margin, name + " GPU " + g.cudaOrdinal() + " at " + f);
    }
    if (f < 0.999) {
      assertTrue(
          m.at(f + 0.001).gpus().stream().anyMatch(g -> g.headroomBytes() < margin),
          name + " at " + (f + 0.001));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("windows")
  void minFraction_isTheFirstFractionThatHoldsTheMinimumKv(String name, BudgetModel m) {
    OptionalDouble min = m.minFraction();
    long want = m.minKvTokens();

    assertTrue(min.isPresent(), name);
    double f = min.getAsDouble();
    assertEquals(f, Math.rint(f * 1000) / 1000, 1e-12, "three decimals");
    assertTrue(m.at(f).kvTokens() >= want, name + " at " + f);
    assertTrue(m.at(f - 0.001).kvTokens() < want, name + " at " + (f - 0.001));
  }

  @Test
  void minKvTokens_defaultsToSglangsFloor() {
    // issue 10: SGLang's own floor (one page), not one request of the full context length
    assertEquals(1, seed("0.4.5.post3").minKvTokens());
    assertEquals(1, h200("0.5.1", LLAMA8, 1).minKvTokens());
  }

  @Test
  void minFraction_emptyWhenMaxTotalTokensIsBelowTheMinimum() {
    // the minimum from --min-kv-tokens (one full request), as the default was before issue 10
    assertEquals(
        OptionalDouble.empty(),
        budget(
                "0.5.1",
                LLAMA8,
                slots("8xH200", 1),
                143771,
                Map.of(),
                OptionalLong.of(131_072),
                List.of("--max-total-tokens", "1000"))
            .minFraction());
  }

  // ------------------------------------------------------------------ SGLang's own checks

  @Test
  void checks_oneGpu30GiBBusier_sglangRefusesTheUnbalancedLaunch() {
    BudgetModel m =
        budget(
            "0.4.5.post3",
            LLAMA8,
            slots("8xH200", 2, 0, 30 * GIB),
            143771,
            Map.of(),
            OptionalLong.empty(),
            List.of("--tp", "2"));
    long t0 = H200_FREE - (621 + 840 + 16) * MIB;
    long t1 = t0 - 30 * GIB;

    List<BudgetModel.StartupCheck> checks = m.checks();

    assertEquals(
        List.of(
            new BudgetModel.StartupCheck(
                "memory-balance",
                true,
                false,
                "GPU 0 (NVIDIA H200) has "
                    + gib(t0)
                    + " free before loading but the emptiest GPU of the launch has "
                    + gib(t1)
                    + ", below 90% of it: SGLang 0.4.5.post3 stops with \"The memory capacity is"
                    + " unbalanced\"")),
        checks);
  }

  @Test
  void checks_imbalanceSwitch_downgradesTheRefusalToAWarningPerVersion() {
    List<BudgetModel.GpuSlot> gpus = slots("8xH200", 2, 0, 30 * GIB);
    Map<String, String> oldOff = Map.of("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK", "1");
    Map<String, String> newOff = Map.of("SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK", "false");

    for (var c :
        List.of(
            Map.entry("0.4.5.post3", oldOff),
            Map.entry("0.5.4", oldOff),
            Map.entry("main", newOff))) {
      List<BudgetModel.StartupCheck> checks =
          budget(
                  c.getKey(),
                  LLAMA8,
                  gpus,
                  143771,
                  c.getValue(),
                  OptionalLong.empty(),
                  List.of("--tp", "2"))
              .checks();
      assertEquals(1, checks.size(), c.getKey());
      assertFalse(checks.getFirst().fails(), c.getKey());
      assertTrue(checks.getFirst().warns(), c.getKey());
      assertTrue(
          checks
              .getFirst()
              .message()
              .endsWith("SGLang " + c.getKey() + " warns \"The memory capacity is unbalanced\""),
          checks.getFirst().message());
    }
    // main copies the old variable's value into the new switch: =1 keeps the check on
    assertTrue(
        budget("main", LLAMA8, gpus, 143771, oldOff, OptionalLong.empty(), List.of("--tp", "2"))
            .checks()
            .getFirst()
            .fails());
  }

  @Test
  void checks_balancedOrSingleGpu_nothingToReport() {
    assertEquals(List.of(), h200("0.4.5.post3", LLAMA8, 2, "--tp", "2").checks());
    // a lone GPU has nobody to be unbalanced against
    assertEquals(
        List.of(),
        budget(
                "0.4.5.post3",
                LLAMA8,
                slots("8xH200", 1, 30 * GIB),
                143771,
                Map.of(),
                OptionalLong.empty(),
                List.of())
            .checks());
  }

  @Test
  void checks_weightsLargerThanTheGpu_fail() {
    BudgetModel m =
        budget(
            "0.5.1",
            "meta-llama/Llama-3.1-405B-Instruct",
            slots("8xH100", 1),
            81559,
            Map.of(),
            OptionalLong.empty(),
            List.of());
    BudgetModel.StartupCheck c = m.checks().getFirst();

    assertEquals("weights-fit", c.name());
    assertTrue(c.fails());
    assertTrue(
        c.message()
            .startsWith(
                "GPU 0 (NVIDIA H100 80GB HBM3): the weights and pre-pool allocations need "),
        c.message());
    assertTrue(c.message().endsWith(" free before loading"), c.message());
    assertEquals(OptionalDouble.empty(), m.minFraction());
  }

  // ------------------------------------------------------------------ the reserve's peak

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
}
