package io.github.sglangpreflight.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SglangVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SGLang's defaults. The default-fraction cells are those of docs/memory-model.md §2.2 (computed
 * there from server_args.py at each tag, H200 G = 143771 MiB, H100 G = 81559 MiB); they are
 * resolved here through {@link LaunchPlan#of} so that the inputs (chunk, max_bs, prefill-graph
 * sizes) are SGLang's defaults too.
 */
class SglangDefaultsTest {
  static final long H200 = 143771;
  static final long H100 = 81559;
  static final String LLAMA8 = "meta-llama/Llama-3.1-8B-Instruct";
  static final String LLAMA70 = "meta-llama/Llama-3.1-70B-Instruct";
  static final String DSV3 = "deepseek-ai/DeepSeek-V3";

  static LaunchPlan plan(String version, long gpuMib, String model, String... args) {
    return plan(version, gpuMib, Optional.of(new ComputeCapability(9, 0)), model, args);
  }

  /** The plan of {@code model} with {@code args} on a GPU of {@code gpuMib} and {@code cc}. */
  static LaunchPlan plan(
      String version, long gpuMib, Optional<ComputeCapability> cc, String model, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(args));
    return LaunchPlan.of(
        SglangFacts.of(SglangVersion.parse(version)),
        LaunchCommand.parse(argv, Map.of()),
        ModelCatalog.builtIn().describe(model).orElseThrow().spec(),
        OptionalLong.of(gpuMib),
        cc);
  }

  static double fraction(String version, long gpuMib, String model, String... args) {
    return plan(version, gpuMib, model, args).sglangDefaultFraction().value();
  }

  // ------------------------------------------------------------------ default fraction, §1.6

  @Test
  void defaultFraction_p1_h200Keeps13GiBWhateverTheTp() {
    double expected = (143771 - 13312) / 143771.0; // 0.9074, not rounded by SGLang

    for (String v : List.of("0.4.5.post3", "0.4.6.post1")) {
      assertEquals(expected, fraction(v, H200, LLAMA8), 1e-12, v);
      assertEquals(expected, fraction(v, H200, LLAMA70, "--tp", "4"), 1e-12, v);
      assertEquals(expected, fraction(v, H200, LLAMA70, "--tp", "8"), 1e-12, v);
      assertEquals(expected, fraction(v, H200, DSV3, "--tp", "8"), 1e-12, v);
      assertEquals(
          expected,
          fraction(v, H200, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention"),
          1e-12,
          v);
    }
  }

  @Test
  void defaultFraction_p1_80GbClassUsesTheTpTable() {
    assertEquals(0.88, fraction("0.4.5.post3", H100, LLAMA8), 0);
    assertEquals(0.81, fraction("0.4.5.post3", H100, LLAMA70, "--tp", "8"), 0);
    assertEquals(0.85, fraction("0.4.5.post3", H100, LLAMA70, "--tp", "4"), 0);
    assertEquals(0.87, fraction("0.4.5.post3", H100, LLAMA70, "--tp", "2"), 0);
  }

  @Test
  void defaultFraction_p2_h200RuleOfPr5893() {
    // base 0.88 above 81920 MiB: min(0.88 + 49152 x 0.12 / G, (G - 18432) / G) = 0.8718
    double expected = Math.min(0.88 + 49152 * 0.12 / 143771, (143771 - 18432) / 143771.0);

    assertEquals(0.8718, expected, 5e-5);
    for (String v : List.of("0.4.6.post2", "0.4.6.post5", "0.4.7")) {
      assertEquals(expected, fraction(v, H200, LLAMA8), 1e-12, v);
      assertEquals(expected, fraction(v, H200, LLAMA70, "--tp", "8"), 1e-12, v);
      assertEquals(
          expected,
          fraction(v, H200, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention"),
          1e-12,
          v);
    }
    assertEquals(0.88, fraction("0.4.6.post2", H100, LLAMA8), 0);
    assertEquals(0.81, fraction("0.4.6.post2", H100, LLAMA70, "--tp", "8"), 0);
  }

  @ParameterizedTest(name = "{0} on {1} MiB, {2} tp {3} {4}: {5}")
  @CsvSource(
      delimiter = '|',
      value = {
        // P3 (v0.4.7.post1 - v0.5.3rc0): R by GPU class, + 4 GiB DP attention, round 3
        "0.5.1 | 143771 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.911",
        "0.5.1 | 143771 | meta-llama/Llama-3.1-70B-Instruct | 4 | | 0.900",
        "0.5.1 | 143771 | meta-llama/Llama-3.1-70B-Instruct | 8 | | 0.886",
        "0.5.1 | 143771 | deepseek-ai/DeepSeek-V3 | 8 | | 0.886",
        "0.5.1 | 143771 | deepseek-ai/DeepSeek-V3 | 8 | --dp 8 --enable-dp-attention | 0.858",
        "0.5.1 | 81559 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.874",
        "0.5.1 | 81559 | meta-llama/Llama-3.1-70B-Instruct | 8 | | 0.831",
        "0.4.7.post1 | 143771 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.911",
        // P4a (0.5.3rc2 - 0.5.6.post2): 512 + 1.5 act + 2 max_bs + 128 tp, DP terms, round 3
        "0.5.4 | 143771 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.907",
        "0.5.4 | 143771 | meta-llama/Llama-3.1-70B-Instruct | 4 | | 0.900",
        "0.5.4 | 143771 | meta-llama/Llama-3.1-70B-Instruct | 8 | | 0.897",
        "0.5.4 | 143771 | deepseek-ai/DeepSeek-V3 | 8 | | 0.897",
        "0.5.4 | 143771 | deepseek-ai/DeepSeek-V3 | 8 | --dp 8 --enable-dp-attention | 0.769",
        "0.5.4 | 81559 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.835",
        "0.5.4 | 81559 | meta-llama/Llama-3.1-70B-Instruct | 8 | | 0.818",
        // main 8761b971: + reserve_for_graph_mb (2 max_bs, 8 x 58 prefill sizes or 1536 for MLA)
        "main | 143771 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.903",
        "main | 143771 | meta-llama/Llama-3.1-70B-Instruct | 4 | | 0.897",
        "main | 143771 | meta-llama/Llama-3.1-70B-Instruct | 8 | | 0.893",
        "main | 143771 | deepseek-ai/DeepSeek-V3 | 8 | | 0.886",
        "main | 143771 | deepseek-ai/DeepSeek-V3 | 8 | --dp 8 --enable-dp-attention | 0.758",
        "main | 143771 | deepseek-ai/DeepSeek-V3 | 8 | --dp 8 --enable-dp-attention"
            + " --cuda-graph-backend-prefill disabled | 0.769",
        "main | 143771 | deepseek-ai/DeepSeek-V3 | 8 | --dp 8 --enable-dp-attention"
            + " --moe-a2a-backend deepep | 0.736",
        "main | 81559 | meta-llama/Llama-3.1-8B-Instruct | 1 | | 0.830",
        "main | 81559 | meta-llama/Llama-3.1-70B-Instruct | 8 | | 0.812",
      })
  void defaultFraction_workedTable(
      String version, long gpuMib, String model, int tp, String extra, double expected) {
    List<String> args = new ArrayList<>(List.of("--tp", String.valueOf(tp)));
    if (extra != null) {
      args.addAll(List.of(extra.trim().split(" +")));
    }

    assertEquals(expected, fraction(version, gpuMib, model, args.toArray(String[]::new)), 0);
  }

  @Test
  void defaultFraction_speculativeVariants() {
    String[] eagle = {"--speculative-algorithm", "EAGLE", "--speculative-draft-model-path", "d"};
    // v0.4.7: 20 GiB on > 96 GiB GPUs for every tp, x 0.95 below
    double h200v047 = (143771 - 20480) / 143771.0;
    assertEquals(0.8576, h200v047, 5e-5);
    assertEquals(h200v047, fraction("0.4.7", H200, LLAMA8, eagle), 1e-12);
    assertEquals(h200v047, fraction("0.4.7", H200, LLAMA70, concat(eagle, "--tp", "8")), 1e-12);
    assertEquals(0.88 * 0.95, fraction("0.4.7", H100, LLAMA8, eagle), 1e-12);
    assertEquals(0.81 * 0.95, fraction("0.4.7", H100, LLAMA70, concat(eagle, "--tp", "8")), 1e-12);
    // P3: + 2 GiB
    assertEquals(0.872, fraction("0.5.1", H200, LLAMA70, concat(eagle, "--tp", "8")), 0);
    assertEquals(0.849, fraction("0.5.1", H100, LLAMA8, eagle), 0);
    // P4a: + 2 GiB after the floor
    assertEquals(0.882, fraction("0.5.4", H200, LLAMA70, concat(eagle, "--tp", "8")), 0);
  }

  @Test
  void defaultFraction_p3Standalone_sixGiBFrom052() {
    String[] standalone = {
      "--speculative-algorithm", "STANDALONE", "--speculative-draft-model-path", "d", "--tp", "8"
    };
    // 0.5.2: R = 16384 + 6144 = 22528 -> 0.843; 0.5.2rc2 (before PR #10090): + 2048 -> 0.872
    assertEquals(0.843, fraction("0.5.2", H200, LLAMA70, standalone), 0);
    assertEquals(0.872, fraction("0.5.2rc2", H200, LLAMA70, standalone), 0);
  }

  @Test
  void defaultFraction_vitFactor_scalesTheDefaultByTheTowerSize() {
    // depth 32, width 1280: r = 32 x 1280^2 / (24 x 1024^2) = 2.083, f = 0.95 x (1 - 0.1 x 1.083)
    SglangDefaults.FractionInputs in = inputs(true, OptionalInt.of(32), OptionalInt.of(1280));
    SglangFacts facts = SglangFacts.of(SglangVersion.parse("0.5.1"));
    double r = 32 * 1280.0 * 1280 / (24 * 1024.0 * 1024);
    double factor = 0.95 * (1 - 0.1 * (r - 1));

    Explained e = SglangDefaults.defaultFraction(facts, in);

    assertEquals(0.847, factor, 5e-4);
    assertEquals(0.911 * factor, e.value(), 1e-12);
    assertEquals(
        "round((G - R) / G, 3) with R = (12 + tp x pp / 2) GiB = 12800 MiB: (143771 - 12800) /"
            + " 143771 = 0.911; x 0.847 for the vision tower (0.95 x clamp(1 - 0.1 x (32 x 1280^2"
            + " / (24 x 1024^2) - 1), 0.8, 1.05))",
        e.formula());
  }

  @Test
  void defaultFraction_oldMultimodal_timesNineTenths() {
    SglangDefaults.FractionInputs in = inputs(true, OptionalInt.empty(), OptionalInt.empty());

    Explained e = SglangDefaults.defaultFraction(SglangFacts.of(SglangVersion.parse("0.4.9")), in);

    assertEquals(0.911 * 0.9, e.value(), 1e-12);
    assertTrue(e.formula().endsWith("; x 0.9 for a multimodal model"), e.formula());
  }

  @Test
  void defaultFraction_formulaText_onePerRule() {
    assertEquals(
        "(G - 13 GiB) / G = (143771 - 13312) / 143771 = 0.9074",
        plan("0.4.5.post3", H200, LLAMA8).sglangDefaultFraction().formula());
    assertEquals(
        "G = 81559 MiB <= 81920: by TP 8",
        plan("0.4.5.post3", H100, LLAMA70, "--tp", "8").sglangDefaultFraction().formula());
    assertEquals(
        "min(0.88 + 49152 x (1 - 0.88) / 143771, (143771 - 18432) / 143771) = 0.8718",
        plan("0.4.6.post2", H200, LLAMA8).sglangDefaultFraction().formula());
    String[] eagle = {"--speculative-algorithm", "EAGLE", "--speculative-draft-model-path", "d"};
    assertEquals(
        "0.88 x 0.95 (speculative decoding)",
        plan("0.4.7", H100, LLAMA8, eagle).sglangDefaultFraction().formula());
    assertEquals(
        "min(0.88 + 49152 x (1 - 0.88) / 143771, (143771 - 20480) / 143771) = 0.8576",
        plan("0.4.7", H200, LLAMA8, eagle).sglangDefaultFraction().formula());
    assertEquals(
        "G = 183359 MiB > 180000: 0.79",
        plan("0.4.7", 183359, LLAMA8).sglangDefaultFraction().formula());
    assertEquals(
        "round((G - R) / G, 3) with R = (12 + tp x pp / 2) GiB + 4 GiB (DP attention) = 20480"
            + " MiB: (143771 - 20480) / 143771 = 0.858",
        plan("0.5.1", H200, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention")
            .sglangDefaultFraction()
            .formula());
    assertEquals(
        "round((G - R) / G, 3) with R = 512 + 1.5 x 8192 + 1024 x 8 / 8 + 2 x 512 + 3 x 512 x 8"
            + " + 1.5 x 512 x 8 = 33280 MiB: (143771 - 33280) / 143771 = 0.769",
        plan("0.5.4", H200, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention")
            .sglangDefaultFraction()
            .formula());
    assertEquals(
        "round((G - R) / G, 3) with R = 512 + 1.5 x 8192 + 1024 x 8 / 8 + 2 x 512 + 3 x 512 x 8"
            + " + 1.5 x 512 x 8 + 1536 (MLA prefill graph) = 34816 MiB: (143771 - 34816) / 143771"
            + " = 0.758",
        plan("main", H200, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention")
            .sglangDefaultFraction()
            .formula());
  }

  private static SglangDefaults.FractionInputs inputs(
      boolean multimodal, OptionalInt visionLayers, OptionalInt visionHidden) {
    return new SglangDefaults.FractionInputs(
        OptionalLong.of(H200),
        1,
        1,
        1,
        false,
        Optional.empty(),
        multimodal,
        visionLayers,
        visionHidden,
        false,
        8192,
        16384,
        256,
        true,
        false,
        0,
        false,
        Optional.empty(),
        OptionalInt.empty(),
        1,
        false);
  }

  private static String[] concat(String[] a, String... b) {
    List<String> l = new ArrayList<>(List.of(a));
    l.addAll(List.of(b));
    return l.toArray(String[]::new);
  }

  // ------------------------------------------------------------------ chunked prefill

  @ParameterizedTest(name = "{0} on {1} MiB: {2}")
  @CsvSource({
    "0.4.5.post3, 24000, 2048",
    "0.4.5.post3, 81559, 8192",
    "0.4.5.post3, 143771, 8192",
    "0.4.7, 183359, 16384",
    "0.4.7, 143771, 8192",
    "0.5.1, 35839, 2048",
    "0.5.1, 46068, 8192",
    "0.5.1, 143771, 8192",
    "0.5.1, 183359, 16384",
    // 20-35 GiB: 2048 until PR #37898 (0.5.20), 4096 after (memory_hook.py L78-94 @a82da8da)
    "0.5.19, 23034, 2048",
    "0.5.20, 23034, 4096",
    "main, 23034, 4096",
    "main, 20479, 2048",
    "main, 46068, 4096",
    "main, 81559, 8192",
    "main, 143771, 8192",
    "main, 183359, 16384",
  })
  void defaultChunkedPrefill_byVersionAndCapacity(String version, long gpuMib, int expected) {
    Explained e =
        SglangDefaults.defaultChunkedPrefill(
            SglangFacts.of(SglangVersion.parse(version)),
            OptionalLong.of(gpuMib),
            Optional.empty());

    assertEquals(expected, (int) e.value());
  }

  @Test
  void defaultChunkedPrefill_pdDisaggregation_16kFromV046Post2() {
    SglangFacts post2 = SglangFacts.of(SglangVersion.parse("0.4.6.post2"));
    SglangFacts post1 = SglangFacts.of(SglangVersion.parse("0.4.6.post1"));

    assertEquals(
        16384,
        (int)
            SglangDefaults.defaultChunkedPrefill(
                    post2, OptionalLong.of(H100), Optional.of("prefill"))
                .value());
    assertEquals(
        8192,
        (int)
            SglangDefaults.defaultChunkedPrefill(
                    post1, OptionalLong.of(H100), Optional.of("prefill"))
                .value());
  }

  // ------------------------------------------------------------------ capture lists

  static List<Integer> list(String version, long gpuMib, int dp, OptionalInt maxBs) {
    return SglangDefaults.decodeCaptureList(
        SglangFacts.of(SglangVersion.parse(version)),
        OptionalLong.of(gpuMib),
        false,
        false,
        dp,
        maxBs,
        Optional.empty());
  }

  static int sum(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  void decodeCaptureList_p1H200_35SizesSummingTo4231() {
    List<Integer> l = list("0.4.5.post3", H200, 8, OptionalInt.empty());

    assertEquals(35, l.size());
    assertEquals(4231, sum(l));
    assertEquals(256, l.getLast());
    assertEquals(List.of(1, 2, 4, 8, 16, 24), l.subList(0, 6));
  }

  @Test
  void decodeCaptureList_p1On80Gb_23SizesSummingTo1687() {
    List<Integer> h100 = list("0.4.5.post3", H100, 1, OptionalInt.empty());
    List<Integer> a100 = list("0.4.5.post3", 81920, 1, OptionalInt.empty());

    assertEquals(23, h100.size());
    assertEquals(1687, sum(h100));
    assertEquals(160, h100.getLast());
    assertEquals(h100, a100); // G > 81920 is strict
  }

  @Test
  void decodeCaptureList_v046WithDp_cappedAt160() {
    assertEquals(160, list("0.4.6", H200, 8, OptionalInt.empty()).getLast());
    assertEquals(23, list("0.4.6.post1", H200, 8, OptionalInt.empty()).size());
    assertEquals(256, list("0.4.6", H200, 1, OptionalInt.empty()).getLast());
    // PR #5893 restores 168..256 on > 96 GiB GPUs with any dp
    assertEquals(256, list("0.4.6.post2", H200, 8, OptionalInt.empty()).getLast());
    // ... and takes it from 81920 < G <= 98304 GPUs (H20 97871 MiB)
    assertEquals(256, list("0.4.5.post3", 97871, 1, OptionalInt.empty()).getLast());
    assertEquals(160, list("0.4.6.post2", 97871, 1, OptionalInt.empty()).getLast());
  }

  @Test
  void decodeCaptureList_largeGpus_extendTo512() {
    // v0.4.7: + 256..512/16 above 180000 MiB; v0.4.7.post1: above 160000
    assertEquals(512, list("0.4.7", 183359, 1, OptionalInt.empty()).getLast());
    assertEquals(35 + 16, list("0.4.7", 183359, 1, OptionalInt.empty()).size());
    assertEquals(256, list("0.4.7", 179000, 1, OptionalInt.empty()).getLast());
    assertEquals(512, list("0.4.7.post1", 179000, 1, OptionalInt.empty()).getLast());
  }

  @Test
  void decodeCaptureList_mainH200TpAtLeast4_52SizesUpTo512() {
    OptionalInt maxBs =
        SglangDefaults.defaultCudaGraphMaxBs(
            SglangFacts.of(SglangVersion.MAIN), OptionalLong.of(H200), 8);
    List<Integer> l = list("main", H200, 1, maxBs);
    List<Integer> expected = new ArrayList<>(List.of(1, 2, 4, 8, 12));
    IntStream.iterate(16, b -> b <= 256, b -> b + 8).forEach(expected::add);
    IntStream.iterate(272, b -> b <= 496, b -> b + 16).forEach(expected::add);
    expected.add(512);

    assertEquals(OptionalInt.of(512), maxBs);
    assertEquals(52, l.size());
    assertEquals(expected, l);
    // tp < 4 on the same GPU: max_bs 256, 36 sizes
    assertEquals(
        OptionalInt.of(256),
        SglangDefaults.defaultCudaGraphMaxBs(
            SglangFacts.of(SglangVersion.MAIN), OptionalLong.of(H200), 2));
    assertEquals(36, list("main", H200, 1, OptionalInt.of(256)).size());
  }

  @Test
  void decodeCaptureList_cudaGraphMaxBs_cutsTheList() {
    List<Integer> l = list("0.4.5.post3", H200, 1, OptionalInt.of(100));

    assertEquals(96, l.getLast());
    assertEquals(List.of(1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96), l);
  }

  @Test
  void decodeCaptureList_cudaGraphMaxBsAboveTheList_extendsFromV046Post4() {
    // cuda_graph_runner.py L155-160 @v0.4.6.post4: range(max(list), max_bs + 1, 16)
    List<Integer> post4 = list("0.4.6.post4", H200, 1, OptionalInt.of(300));
    List<Integer> post3 = list("0.4.6.post3", H200, 1, OptionalInt.of(300));

    assertEquals(List.of(240, 248, 256, 272, 288), post4.subList(post4.size() - 5, post4.size()));
    assertEquals(256, post3.getLast());
    assertEquals(320, list("0.5.1", H200, 1, OptionalInt.of(320)).getLast());
  }

  @Test
  void decodeCaptureList_userList_replacesTheDefault() {
    SglangFacts p1 = SglangFacts.of(SglangVersion.parse("0.4.5.post3"));
    SglangFacts main = SglangFacts.of(SglangVersion.MAIN);
    Optional<List<Integer>> user = Optional.of(List.of(64, 1, 8, 300));

    assertEquals(
        List.of(1, 8, 64, 300),
        SglangDefaults.decodeCaptureList(
            p1, OptionalLong.of(H200), false, false, 1, OptionalInt.empty(), user));
    // old versions still cut a given list at --cuda-graph-max-bs
    assertEquals(
        List.of(1, 8, 64),
        SglangDefaults.decodeCaptureList(
            p1, OptionalLong.of(H200), false, false, 1, OptionalInt.of(100), user));
    // main: max_bs = max(list), never cut (server_args.py L4807-4808 @8761b971)
    assertEquals(
        List.of(1, 8, 64, 300),
        SglangDefaults.decodeCaptureList(
            main, OptionalLong.of(H200), false, false, 1, OptionalInt.of(256), user));
    assertEquals(
        OptionalInt.of(300),
        plan("main", H200, LLAMA8, "--cuda-graph-bs", "64", "1", "8", "300").cudaGraphMaxBs());
  }

  @Test
  void decodeCaptureList_speculativeAndPaddingLists() {
    SglangFacts p1 = SglangFacts.of(SglangVersion.parse("0.4.5.post3"));
    List<Integer> spec =
        SglangDefaults.decodeCaptureList(
            p1, OptionalLong.of(H100), false, true, 1, OptionalInt.empty(), Optional.empty());
    List<Integer> noPad =
        SglangDefaults.decodeCaptureList(
            p1, OptionalLong.of(H100), true, false, 1, OptionalInt.empty(), Optional.empty());

    assertEquals(
        List.of(
            1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 40, 56, 72, 88,
            104, 120, 136, 152),
        spec);
    assertEquals(32 + 8, noPad.size());
    assertEquals(152, noPad.getLast());
  }

  @Test
  void filterByRequestRows_addsRowsAndRowsMinusOneBeforeV047() {
    List<Integer> base = List.of(1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64);

    // speculative: 48 running requests -> 49 rows in P1 (model_runner.py L800-806 @v0.4.5.post3)
    assertEquals(
        List.of(1, 2, 4, 8, 16, 24, 32, 40, 48, 49),
        SglangDefaults.filterByRequestRows(
            SglangFacts.of(SglangVersion.parse("0.4.5.post3")), base, 49));
    assertEquals(
        List.of(1, 2, 4, 8, 16, 24, 32, 40, 44, 45),
        SglangDefaults.filterByRequestRows(
            SglangFacts.of(SglangVersion.parse("0.4.6.post4")), base, 45));
    assertEquals(
        List.of(1, 2, 4, 8, 16, 24, 32, 40, 45),
        SglangDefaults.filterByRequestRows(SglangFacts.of(SglangVersion.parse("0.4.7")), base, 45));
    // nothing to do when the list fits
    assertEquals(
        base, SglangDefaults.filterByRequestRows(SglangFacts.of(SglangVersion.MAIN), base, 2048));
  }

  @Test
  void prefillGraphTokens_mainList() {
    List<Integer> dense = SglangDefaults.prefillGraphTokens(8192);
    List<Integer> mla = SglangDefaults.prefillGraphTokens(2048);

    assertEquals(58, dense.size());
    assertEquals(8192, dense.getLast());
    assertEquals(42, mla.size());
    assertEquals(74, SglangDefaults.prefillGraphTokens(16384).size());
  }

  @ParameterizedTest(name = "{0} on {1} MiB tp {2}: {3}")
  @CsvSource({
    "0.4.5.post3, 24000, 2, 8",
    "0.4.5.post3, 24000, 4, 80",
    "0.4.5.post3, 143771, 8, ",
    "0.5.1, 24564, 1, 8",
    "0.5.1, 46068, 1, ",
    "0.5.3rc2, 24564, 1, 16",
    "0.5.4.post1, 24564, 1, 24",
    "main, 16000, 8, 8",
    "main, 46068, 1, 32",
    "main, 46068, 4, 160",
    "main, 81559, 2, 256",
    "main, 81559, 4, 512",
    "main, 183359, 1, 512",
  })
  void defaultCudaGraphMaxBs_byVersionCapacityAndTp(
      String version, long gpuMib, int tp, Integer expected) {
    OptionalInt got =
        SglangDefaults.defaultCudaGraphMaxBs(
            SglangFacts.of(SglangVersion.parse(version)), OptionalLong.of(gpuMib), tp);

    assertEquals(expected == null ? OptionalInt.empty() : OptionalInt.of(expected), got);
  }
}
