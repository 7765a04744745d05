package io.github.sglangpreflight.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The 2026 rules of SGLang's defaults, each at its switch point (sglang-switch-points.tsv):
 * memory_hook.py at a82da8da (the 20-35 GiB tier, PD-decode activations, post-capture KV sizing,
 * the VLM headroom, the 0.95 fallback), the multimodal feature pool (0.5.17) and the prefill graph
 * backend (0.5.10 piecewise, 0.5.15 breakable).
 */
class SglangRules2026Test {
  static final long L4 = 23034;
  static final long H200 = 143771;
  static final String LLAMA8 = "meta-llama/Llama-3.1-8B-Instruct";
  static final String SCOUT = "meta-llama/Llama-4-Scout-17B-16E-Instruct";
  static final String DSV3 = "deepseek-ai/DeepSeek-V3";

  static LaunchPlan plan(
      String version, long gpuMib, String model, Map<String, String> env, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(args));
    return LaunchPlan.of(
        SglangFacts.of(SglangVersion.parse(version)),
        LaunchCommand.parse(argv, env),
        ModelCatalog.builtIn().describe(model).orElseThrow().spec(),
        OptionalLong.of(gpuMib),
        Optional.of(new ComputeCapability(8, 9)));
  }

  static LaunchPlan plan(String version, long gpuMib, String model, String... args) {
    return plan(version, gpuMib, model, Map.of(), args);
  }

  // ------------------------------------------------------------------ 20-35 GiB tier

  @Test
  void tier20To35Gib_raisedIn0520_chunk4096_maxBs48() {
    // 0.5.19: chunk 2048, max_bs 24; 42 prefill buckets up to 2048
    // R = 512 + 1.5 x 2048 + 1024 x 1 / 8 + 2 x 24 + 8 x 42 = 4096
    LaunchPlan old = plan("0.5.19", L4, LLAMA8);
    assertEquals(2048, old.chunkedPrefillSize());
    assertEquals(OptionalInt.of(24), old.cudaGraphMaxBs());
    assertEquals(42, old.prefillGraphTokens().size());
    assertEquals(0.822, old.sglangDefaultFraction().value(), 0);

    // 0.5.20 (PR #37898, memory_hook.py L78-94 @a82da8da): chunk 4096, max_bs 48, 50 buckets
    // R = 512 + 1.5 x 4096 + 128 + 2 x 48 + 8 x 50 = 7280: (23034 - 7280) / 23034 = 0.684
    LaunchPlan now = plan("0.5.20", L4, LLAMA8);
    assertEquals(4096, now.chunkedPrefillSize());
    assertEquals(OptionalInt.of(48), now.cudaGraphMaxBs());
    assertEquals(50, now.prefillGraphTokens().size());
    assertEquals(0.684, now.sglangDefaultFraction().value(), 0);
    assertEquals(
        "round((G - R) / G, 3) with R = 512 + 1.5 x 4096 + 1024 x 1 / 8 + 2 x 48 + 8 x 50 (prefill"
            + " graph sizes) = 7280 MiB: (23034 - 7280) / 23034 = 0.684",
        now.sglangDefaultFraction().formula());
    assertTrue(now.sglangDefaultFraction().source().startsWith("memory_hook.py"));
    assertTrue(old.sglangDefaultFraction().source().startsWith("server_args.py"));
  }

  @Test
  void tier20To35Gib_tp4_maxBs160() {
    assertEquals(OptionalInt.of(80), plan("0.5.19", L4, LLAMA8, "--tp", "4").cudaGraphMaxBs());
    assertEquals(OptionalInt.of(160), plan("0.5.20", L4, LLAMA8, "--tp", "4").cudaGraphMaxBs());
    assertEquals(OptionalInt.of(160), plan("main", L4, LLAMA8, "--tp", "4").cudaGraphMaxBs());
  }

  // ------------------------------------------------------------------ PD decode

  @Test
  void pdDecode_activationFromRunningRequests_from0520() {
    String[] args = {"--disaggregation-mode", "decode", "--max-running-requests", "8192"};
    // 0.5.19: max(decode max_bs 256, 2048) = 2048 tokens: R = 512 + 3072 + 128 + 512 = 4224,
    // raised to the 10 GiB floor: (143771 - 10240) / 143771 = 0.929
    assertEquals(0.929, plan("0.5.19", H200, LLAMA8, args).sglangDefaultFraction().value(), 0);
    // 0.5.20 (memory_hook.py L262-267): max(8192 x 1, 2048) = 8192 tokens:
    // R = 512 + 12288 + 128 + 512 = 13440: (143771 - 13440) / 143771 = 0.907
    LaunchPlan now = plan("0.5.20", H200, LLAMA8, args);
    assertEquals(0.907, now.sglangDefaultFraction().value(), 0);
    assertTrue(now.sglangDefaultFraction().formula().contains("1.5 x 8192"));
    assertFalse(now.prefillGraphs());
  }

  // ------------------------------------------------------------------ post-capture KV sizing

  @Test
  void postCaptureKvSizing_reserveIsTheFloorAndParallelSlack_from0516() {
    Map<String, String> on = Map.of("SGLANG_ENABLE_POST_CAPTURE_KV_SIZING", "1");
    // R = 1536 + 1024 x 1 / 8 = 1664: (143771 - 1664) / 143771 = 0.988
    LaunchPlan p = plan("0.5.16", H200, LLAMA8, on);
    assertTrue(p.postCaptureKvSizing());
    assertEquals(0.988, p.sglangDefaultFraction().value(), 0);
    assertEquals(
        "post-capture KV sizing: round((G - R) / G, 3) with R = 1536 + 1024 x 1 / 8 = 1664 MiB:"
            + " (143771 - 1664) / 143771 = 0.988",
        p.sglangDefaultFraction().formula());
    // before PR #30157 shipped the variable does nothing
    assertFalse(plan("0.5.15", H200, LLAMA8, on).postCaptureKvSizing());
    assertEquals(0.903, plan("0.5.15", H200, LLAMA8, on).sglangDefaultFraction().value(), 0);
    // unset: off
    assertFalse(plan("main", H200, LLAMA8).postCaptureKvSizing());
    // MLA models are turned down by the planner
    assertFalse(plan("main", H200, DSV3, on, "--tp", "8").postCaptureKvSizing());
  }

  @Test
  void postCaptureKvSizing_saysTheCaptureComesOutOfThePool() {
    // model_runner post_capture_resize_kv_pool: the pool is re-sized to the free memory after
    // capture less T x (1 - fraction); the guard's budget keeps the capture outside the pool
    Map<String, String> on = Map.of("SGLANG_ENABLE_POST_CAPTURE_KV_SIZING", "1");
    String note =
        "SGLANG_ENABLE_POST_CAPTURE_KV_SIZING=1: SGLang 0.5.16 re-sizes the KV pool after"
            + " CUDA-graph capture to the free memory less T x (1 - fraction)"
            + " (post_capture_resize_kv_pool), so the capture comes out of the pool; the guard"
            + " still budgets it outside the pool: its pool is smaller and its fraction lower than"
            + " SGLang needs (on the safe side)";
    assertTrue(plan("0.5.16", H200, LLAMA8, on).notes().contains(note));
    assertTrue(
        plan("0.5.15", H200, LLAMA8, on).notes().stream()
            .noneMatch(n -> n.startsWith("SGLANG_ENABLE_POST_CAPTURE_KV_SIZING")));
  }

  @Test
  void vlm_postCaptureHeadroom_8GibOverG_from0520() {
    Map<String, String> on = Map.of("SGLANG_ENABLE_POST_CAPTURE_KV_SIZING", "1");
    // R = 1536 + 1024 x 8 / 8 = 2560: 0.982, then - 8192 / 143771 (adjust_mem_fraction_for_vlm)
    LaunchPlan p = plan("0.5.20", H200, SCOUT, on, "--tp", "8");
    assertEquals(0.982 - 8192.0 / H200, p.sglangDefaultFraction().value(), 1e-12);
    assertTrue(
        p.sglangDefaultFraction().formula().endsWith("; - 8192 / 143771 for the image encoder"));
  }

  // ------------------------------------------------------------------ fallback fraction

  @Test
  void fallbackFraction_095From0520_088Before() {
    assertEquals(0.88, unknownGpu("0.5.19").value(), 0);
    assertEquals(0.95, unknownGpu("0.5.20").value(), 0);
    assertEquals("GPU capacity unknown: 0.95", unknownGpu("main").formula());
    assertEquals(
        "memory_hook.py L283-287 @a82da8da (gpu_mem is None)", unknownGpu("main").source());
  }

  private static Explained unknownGpu(String version) {
    return SglangDefaults.defaultFraction(
        SglangFacts.of(SglangVersion.parse(version)),
        new SglangDefaults.FractionInputs(
            OptionalLong.empty(),
            1,
            1,
            1,
            false,
            Optional.empty(),
            false,
            OptionalInt.empty(),
            OptionalInt.empty(),
            false,
            4096,
            16384,
            160,
            true,
            true,
            50,
            false,
            Optional.empty(),
            OptionalInt.empty(),
            1,
            false));
  }

  // ------------------------------------------------------------------ multimodal feature pool

  @Test
  void multimodalFeaturePool_cudaIpcByDefaultFrom0517() {
    assertEquals(0, plan("0.5.16", H200, SCOUT, "--tp", "8").mmFeatureCacheMib());
    assertEquals(1024, plan("0.5.17", H200, SCOUT, "--tp", "8").mmFeatureCacheMib());
    assertEquals(
        2048,
        plan("0.5.17", H200, SCOUT, Map.of("SGLANG_MM_FEATURE_CACHE_MB", "2048"), "--tp", "8")
            .mmFeatureCacheMib());
    assertEquals(
        0,
        plan("main", H200, SCOUT, "--tp", "8", "--mm-feature-transport", "cpu")
            .mmFeatureCacheMib());
    // two nodes: cpu transport
    assertEquals(
        0,
        plan(
                "main",
                H200,
                SCOUT,
                "--tp",
                "16",
                "--nnodes",
                "2",
                "--node-rank",
                "0",
                "--dist-init-addr",
                "10.0.0.1:5000")
            .mmFeatureCacheMib());
    // a text model reserves nothing
    assertEquals(0, plan("main", H200, LLAMA8).mmFeatureCacheMib());
    // before 0.5.17 only the opt-in transport, 4 GiB by default in that environ.py
    assertEquals(
        4096,
        plan("0.5.16", H200, SCOUT, Map.of("SGLANG_USE_CUDA_IPC_TRANSPORT", "1"), "--tp", "8")
            .mmFeatureCacheMib());
  }

  // ------------------------------------------------------------------ prefill graph backend

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "0.5.9, disabled",
    "0.5.10, tc_piecewise",
    "0.5.14, tc_piecewise",
    "0.5.15, breakable",
    "0.5.21, breakable",
    "main, breakable",
  })
  void prefillGraphBackend_piecewiseFrom0510_breakableFrom0515(String version, String backend) {
    assertEquals(backend, plan(version, H200, LLAMA8).prefillGraphBackend());
  }

  // ------------------------------------------------------------------ every release 0.5.7-0.5.21

  @ParameterizedTest(name = "{0} on L4: chunk {1}, max_bs {2}, fraction {3}, prefill {4}")
  @CsvSource({
    // server_args.py era: 2048 / 24; prefill graphs from 0.5.10 add 8 x 42 MiB to R
    "0.5.7, 2048, 24, 0.837, disabled, server_args.py",
    "0.5.8, 2048, 24, 0.837, disabled, server_args.py",
    "0.5.9, 2048, 24, 0.837, disabled, server_args.py",
    "0.5.10, 2048, 24, 0.822, tc_piecewise, server_args.py",
    "0.5.11, 2048, 24, 0.822, tc_piecewise, server_args.py",
    "0.5.12, 2048, 24, 0.822, tc_piecewise, server_args.py",
    "0.5.13, 2048, 24, 0.822, tc_piecewise, server_args.py",
    "0.5.14, 2048, 24, 0.822, tc_piecewise, server_args.py",
    "0.5.15, 2048, 24, 0.822, breakable, server_args.py",
    "0.5.16, 2048, 24, 0.822, breakable, server_args.py",
    "0.5.17, 2048, 24, 0.822, breakable, server_args.py",
    "0.5.18, 2048, 24, 0.822, breakable, server_args.py",
    "0.5.19, 2048, 24, 0.822, breakable, server_args.py",
    // memory_hook.py era: the 20-35 GiB tier raised (PR #37898)
    "0.5.20, 4096, 48, 0.684, breakable, memory_hook.py",
    "0.5.21, 4096, 48, 0.684, breakable, memory_hook.py",
  })
  void everyRelease_answersWithItsOwnRules(
      String version, int chunk, int maxBs, double fraction, String prefill, String source) {
    LaunchPlan p = plan(version, L4, LLAMA8);

    assertEquals(chunk, p.chunkedPrefillSize());
    assertEquals(OptionalInt.of(maxBs), p.cudaGraphMaxBs());
    assertEquals(fraction, p.sglangDefaultFraction().value(), 0);
    assertEquals(prefill, p.prefillGraphBackend());
    assertTrue(
        p.sglangDefaultFraction().source().startsWith(source), p.sglangDefaultFraction().source());
    assertEquals(SglangVersion.parse(version), p.facts().modelledAs());
  }

  @Test
  void nightly_isAnsweredByTheNearestReleaseBefore() {
    // a real nightly string from PyPI (0.5.22.dev20261009+g37ae292e6f): 0.5.21's rules, noted
    LaunchPlan p = plan("0.5.22.dev20261009+g37ae292e6f", L4, LLAMA8);
    assertEquals(SglangVersion.parse("0.5.21"), p.facts().modelledAs());
    assertEquals(0.684, p.sglangDefaultFraction().value(), 0);
    assertTrue(
        p.notes().getFirst().startsWith("SGLang 0.5.22.dev20261009+g37ae292e6f is not a release"));
    // a 0.5.21 nightly comes before 0.5.21 in PEP 440: 0.5.20
    assertEquals(
        SglangVersion.parse("0.5.20"),
        SglangFacts.of(SglangVersion.parse("0.5.21.dev20260925")).modelledAs());
  }
}
