package io.github.sglangpreflight.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sglangpreflight.model.KvCacheLayout;
import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.WeightPlacement;
import io.github.sglangpreflight.model.WeightPlacementOptions;
import io.github.sglangpreflight.model.WeightsPerGpu;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks the predictions against every public SGLang startup log in {@code
 * logs/sglang-startup-logs.tsv} (copied unchanged from the project data) whose model the catalog
 * knows:
 *
 * <ul>
 *   <li>weights per GPU within ±5 % of the logged {@code mem usage} at "Load weight end" (or of
 *       avail-before minus avail-after where the log has only those);
 *   <li>KV bytes per token exact: the predicted integer cell, times the logged token count plus the
 *       page, reproduces the logged K/V size to its two-decimal rounding;
 *   <li>KV tokens within ±3 % of the logged count, from the logged free memory and fraction.
 * </ul>
 *
 * Every row is either mapped below (with the launch the log describes) or listed in {@link
 * #SKIPPED} with the reason, so a new row fails the build until someone decides.
 */
class StartupLogEvidenceTest {
  private static final double GIB = 1L << 30;

  /** How a row's logged weight figure is obtained. */
  private enum WeightFigure {
    NONE,
    /** the {@code weight_mem_usage_gb} column ("mem usage" of "Load weight end") */
    MEM_USAGE,
    /** avail_before_load − avail_after_load, as the row's notes derive it */
    BEFORE_MINUS_AFTER
  }

  /**
   * The launch a log row describes, and which checks its figures allow.
   *
   * @param catalogId the catalog model the row's {@code model} names
   * @param parallelism the launch layout (from the columns and notes)
   * @param weights the version facts and flags of the launch
   * @param kv the KV facts of the launch
   * @param loggedStage the PP stage whose TP0 rank the log shows
   * @param weightFigure where the logged weights come from
   * @param kvExact whether kv_tokens and kv_size_gb are both logged
   * @param tokens whether the free memory and fraction are known (columns or notes)
   * @param derivedBeforeGib avail_before_load from the notes where the column is empty
   * @param derivedMfs mem_fraction_static from the notes where the column is empty
   * @param pageSize --page-size of the launch
   */
  private record Scenario(
      String catalogId,
      Parallelism parallelism,
      WeightPlacementOptions weights,
      KvCacheOptions kv,
      int loggedStage,
      WeightFigure weightFigure,
      boolean kvExact,
      boolean tokens,
      OptionalDouble derivedBeforeGib,
      OptionalDouble derivedMfs,
      int pageSize) {}

  private static final Map<String, Scenario> MAPPED = new LinkedHashMap<>();
  private static final Map<String, String> SKIPPED = new LinkedHashMap<>();

  static {
    Parallelism tp1 = Parallelism.single();
    MAPPED.put(
        "https://docs.sglang.ai/start/send_request.html | meta-llama/Meta-Llama-3.1-8B-Instruct",
        new Scenario(
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
            tp1,
            WeightPlacementOptions.v0_4_5_post3(),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.BEFORE_MINUS_AFTER,
            true,
            true,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));
    MAPPED.put(
        "https://github.com/sgl-project/sglang/pull/4760 | Meta-Llama-3.1-8B-Instruct",
        new Scenario(
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
            tp1,
            WeightPlacementOptions.v0_4_5_post3(),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.MEM_USAGE,
            true,
            false,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));
    // ~v0.3 (2024-09): the v0.4.5.post3 layout (V2 has no shared-expert fusion). The log has
    // avail before load for TP0 and after load for TP7 only.
    MAPPED.put(
        "https://github.com/sgl-project/sglang/issues/1479 | DeepSeek-V2.5",
        new Scenario(
            "deepseek-ai/DeepSeek-V2.5",
            new Parallelism(8, 1, 1, 1, false, 1),
            WeightPlacementOptions.v0_4_5_post3(),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.BEFORE_MINUS_AFTER,
            false,
            false,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));
    MAPPED.put(
        "https://github.com/vllm-project/vllm/issues/21348 | Qwen3-235B-A22B-FP8",
        new Scenario(
            "Qwen/Qwen3-235B-A22B-FP8",
            new Parallelism(4, 1, 1, 1, false, 1),
            WeightPlacementOptions.v0_4_9(),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.NONE,
            true,
            false,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));
    // notes: "KV=19.67-47.24*0.12 -> mfs 0.88" (47.24 = 19.67 + 27.57, derived)
    MAPPED.put(
        "https://github.com/xorbitsai/inference/issues/3481 | Qwen3-14B",
        new Scenario(
            "Qwen/Qwen3-14B",
            tp1,
            WeightPlacementOptions.v0_4_9(),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.MEM_USAGE,
            true,
            true,
            OptionalDouble.of(47.24),
            OptionalDouble.of(0.88),
            1));
    // PP4 x TP8 on 4 nodes (notes); 2025-07-24, a v0.4.9-era build; the log shows PP0 TP0.
    Parallelism pp4tp8 = new Parallelism(8, 4, 1, 1, false, 4);
    MAPPED.put(
        "https://github.com/sgl-project/sglang/issues/8337 | Qwen3-235B-A22B (Qwen3MoeForCausalLM)"
            + " | bf16",
        new Scenario(
            "Qwen/Qwen3-235B-A22B",
            pp4tp8,
            WeightPlacementOptions.v0_4_9(),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.MEM_USAGE,
            false,
            false,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));
    MAPPED.put(
        "https://github.com/sgl-project/sglang/issues/8337 | Qwen3-235B-A22B (Qwen3MoeForCausalLM)"
            + " | fp8 (online, --quantization fp8)",
        new Scenario(
            "Qwen/Qwen3-235B-A22B",
            pp4tp8,
            WeightPlacementOptions.v0_4_9().withOnlineFp8(true),
            KvCacheOptions.v0_4_5_post3(),
            0,
            WeightFigure.MEM_USAGE,
            false,
            false,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));
    // Hybrid CPU-offload fork: only the MLA cell is comparable (bf16 KV, TP2, not split by TP).
    MAPPED.put(
        "https://github.com/kvcache-ai/ktransformers/issues/1804 | DeepSeek-V3 (GPU attention/dense"
            + " + CPU AMXINT8 experts)",
        new Scenario(
            "deepseek-ai/DeepSeek-V3",
            new Parallelism(2, 1, 1, 1, false, 1),
            WeightPlacementOptions.newestMain(),
            KvCacheOptions.newestMain().withKvCacheDtype("bfloat16"),
            0,
            WeightFigure.NONE,
            true,
            false,
            OptionalDouble.empty(),
            OptionalDouble.empty(),
            1));

    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/11309 | deepseek-ai/DeepSeek-V3.2-Exp",
        "DeepSeek-V3.2-Exp (DSA indexer cache) is not in the catalog");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/issues/8538 | Llama-4-Maverick",
        "Llama-4-Maverick is not in the catalog and the row has only graph figures");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/issues/4161 | DeepSeek-R1",
        "no weight or KV figure: avail before load and the KV size are not in the log");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/issues/5285 | DeepSeek (title: DeepEP low-latency,"
            + " 2x8 H20)",
        "no memory figures (an OOM message only) and the model variant is not stated");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/issues/7227 | Qwen3 (Qwen3ForCausalLM, 2 shards;"
            + " size not shown)",
        "the Qwen3 size is not stated (8.81 GB of weights fits no catalog model)");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/22537 | Qwen3 (Qwen3ForCausalLM; size not"
            + " shown)",
        "the Qwen3 size is not stated; the Qwen3-32B geometry reproduces it, see"
            + " pr22537_qwen3_32bGeometry_reproducesTheLoggedKvAndWeights");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/14173 | Qwen3-VL (Qwen3VLForConditionalGeneration,"
            + " 7 shards; size not shown)",
        "Qwen3-VL is not in the catalog");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/issues/2763 | deepseek-ai/DeepSeek-V2.5",
        "no figures (outcome only); checked by"
            + " issue2763_deepSeekV25DpAttention_weightsExceedTheStaticPool");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/issues/4330 | not stated (speculative decoding"
            + " setup)",
        "the model is not stated");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/15909 | Qwen-Omni-30B-A3B-Instruct (Qwen3-Omni)",
        "Qwen3-Omni is not in the catalog");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/11830 | not stated", "the model is not stated");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/12978 | not stated", "the model is not stated");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/14422 | not stated (VLM)",
        "the model is not stated");
    SKIPPED.put(
        "https://github.com/sgl-project/sglang/pull/36583 | not stated (+EAGLE)",
        "the model is not stated");
  }

  @Test
  void table_everyLogRow_isMappedOrSkippedWithAReason() throws IOException {
    List<String> undecided = new ArrayList<>();
    for (Map<String, String> row : rows()) {
      if (scenarioOf(row) == null && skipReasonOf(row) == null) {
        undecided.add(key(row, false));
      }
    }
    assertEquals(List.of(), undecided, "rows neither mapped nor skipped");
  }

  @TestFactory
  Stream<DynamicTest> mappedRows_predictionsMatchTheLogs() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map<String, String> row : rows()) {
      Scenario s = scenarioOf(row);
      if (s == null) {
        continue;
      }
      String name = key(row, true);
      tests.add(DynamicTest.dynamicTest(name, () -> check(row, s)));
    }
    assertTrue(tests.size() >= 8, "mapped rows: " + tests.size());
    return tests.stream();
  }

  private static void check(Map<String, String> row, Scenario s) {
    ModelDescription model = ModelCatalog.builtIn().describe(s.catalogId()).orElseThrow();
    WeightsPerGpu weights = WeightPlacement.perGpu(model, s.parallelism(), s.weights());
    KvCacheLayout kv = KvCacheLayout.of(model.spec(), s.parallelism(), s.kv());
    StringBuilder report = new StringBuilder(key(row, true));
    int checks = 0;

    if (s.weightFigure() != WeightFigure.NONE) {
      double logged =
          s.weightFigure() == WeightFigure.MEM_USAGE
              ? number(row.get("weight_mem_usage_gb"))
              : number(row.get("avail_before_load_gb")) - number(row.get("avail_after_load_gb"));
      double predicted = weights.stages().get(s.loggedStage()).bytes() / GIB;
      double error = predicted / logged - 1;
      report.append(
          String.format(
              Locale.ROOT,
              "%n  weights: predicted %.2f GiB (stage %d) vs logged %.2f: %+.2f %%",
              predicted,
              s.loggedStage(),
              logged,
              100 * error));
      assertTrue(Math.abs(error) <= 0.05, report.toString());
      checks++;
    }

    long cell = kv.bytesPerToken();
    if (s.kvExact()) {
      long tokens = (long) number(row.get("kv_tokens"));
      double loggedKv = number(row.get("kv_size_gb"));
      double reproduced = loggedSize(kv, tokens, s.pageSize());
      report.append(
          String.format(
              Locale.ROOT,
              "%n  KV: cell %d B/token; (%d + %d) tokens -> %.2f GiB as logged vs %.2f",
              cell,
              tokens,
              s.pageSize(),
              reproduced,
              loggedKv));
      assertEquals(loggedKv, reproduced, 0.0051, report.toString());
      checks++;
    }

    if (s.tokens()) {
      double after = number(row.get("avail_after_load_gb"));
      double before =
          s.derivedBeforeGib().isPresent()
              ? s.derivedBeforeGib().getAsDouble()
              : number(row.get("avail_before_load_gb"));
      double mfs =
          s.derivedMfs().isPresent()
              ? s.derivedMfs().getAsDouble()
              : number(row.get("mem_fraction_static"));
      long predicted = KvCacheLayout.profiledTokens(after, before, mfs, cell, s.pageSize());
      long logged = (long) number(row.get("kv_tokens"));
      double error = predicted / (double) logged - 1;
      report.append(
          String.format(
              Locale.ROOT,
              "%n  tokens: predicted %d vs logged %d: %+.3f %%",
              predicted,
              logged,
              100 * error));
      assertTrue(Math.abs(error) <= 0.03, report.toString());
      checks++;
    }
    System.out.println(report);
    assertTrue(checks > 0, "a mapped row must check something: " + key(row, true));
  }

  /** The K/V size SGLang logs: K and V each rounded to 2 decimals (MHA), or one MLA figure. */
  private static double loggedSize(KvCacheLayout kv, long tokens, int pageSize) {
    long bytes = KvCacheLayout.poolBytes(tokens, pageSize, kv.bytesPerToken());
    if (kv.mla()) {
      return round2(bytes / GIB);
    }
    return 2 * round2(bytes / 2 / GIB);
  }

  @Test
  void issue2763_deepSeekV25DpAttention_weightsExceedTheStaticPool() {
    // H100 80GB HBM3: 81559 MiB. Whatever the free memory before loading (at most the card), the
    // static pool at --mem-fraction-static 0.9 is at most 0.9 x 81559 MiB.
    ModelDescription model =
        ModelCatalog.builtIn().describe("deepseek-ai/DeepSeek-V2.5").orElseThrow();
    double poolCeilingGib = 0.9 * 81559 / 1024.0;

    long withDp =
        WeightPlacement.perGpu(
                model, new Parallelism(8, 1, 8, 1, true, 1), WeightPlacementOptions.v0_4_5_post3())
            .worstRankBytes();
    long withoutDp =
        WeightPlacement.perGpu(
                model, new Parallelism(8, 1, 1, 1, false, 1), WeightPlacementOptions.v0_4_5_post3())
            .worstRankBytes();

    // "Not enough memory" with --enable-dp-attention (also at 0.9), works without it.
    assertTrue(withDp / GIB > poolCeilingGib, withDp / GIB + " GiB vs " + poolCeilingGib);
    assertTrue(withoutDp / GIB < 0.81 * 78.47, withoutDp / GIB + " GiB");
  }

  @Test
  void pr22537_qwen3_32bGeometry_reproducesTheLoggedKvAndWeights() throws IOException {
    // The row does not name the size; 64 layers x 8 KV heads x 128 (Qwen3-32B) is an inference.
    Map<String, String> row =
        rows().stream()
            .filter(r -> r.get("url").equals("https://github.com/sgl-project/sglang/pull/22537"))
            .findFirst()
            .orElseThrow();
    ModelDescription model = ModelCatalog.builtIn().describe("Qwen/Qwen3-32B").orElseThrow();
    Parallelism tp4 = new Parallelism(4, 1, 1, 1, false, 1);
    KvCacheLayout kv = KvCacheLayout.of(model.spec(), tp4, KvCacheOptions.newestMain());
    long weights =
        WeightPlacement.perGpu(model, tp4, WeightPlacementOptions.newestMain()).worstRankBytes();

    assertEquals(
        number(row.get("kv_size_gb")),
        loggedSize(kv, (long) number(row.get("kv_tokens")), 1),
        0.0051);
    assertEquals(1, weights / GIB / number(row.get("weight_mem_usage_gb")), 0.05);
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static Scenario scenarioOf(Map<String, String> row) {
    Scenario s = MAPPED.get(key(row, true));
    return s != null ? s : MAPPED.get(key(row, false));
  }

  private static String skipReasonOf(Map<String, String> row) {
    return SKIPPED.get(key(row, false));
  }

  private static String key(Map<String, String> row, boolean withDtype) {
    String k = row.get("url") + " | " + row.get("model");
    return withDtype ? k + " | " + row.get("dtype_or_quant") : k;
  }

  private static final Pattern LEADING_NUMBER = Pattern.compile("^\\s*(-?[0-9]+(?:\\.[0-9]+)?)");

  /** The leading number of a cell ("22.01 (TP7)" is 22.01). */
  private static double number(String cell) {
    if (cell == null) {
      fail("missing cell");
    }
    Matcher m = LEADING_NUMBER.matcher(cell);
    if (!m.find()) {
      fail("no number in cell '" + cell + "'");
    }
    return Double.parseDouble(m.group(1));
  }

  private static List<Map<String, String>> rows() throws IOException {
    try (InputStream in =
        StartupLogEvidenceTest.class.getResourceAsStream("/logs/sglang-startup-logs.tsv")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      String[] header = lines[0].split("\t", -1);
      List<Map<String, String>> out = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        if (lines[i].isBlank()) {
          continue;
        }
        String[] cells = lines[i].split("\t", -1);
        Map<String, String> row = new HashMap<>();
        for (int c = 0; c < header.length; c++) {
          row.put(header[c], c < cells.length ? cells[c] : "");
        }
        out.add(row);
      }
      return out;
    }
  }
}
