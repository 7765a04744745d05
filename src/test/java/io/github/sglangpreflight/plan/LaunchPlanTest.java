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
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LaunchPlanTest {
  static final long H200 = 143771;
  static final String DSV3 = "deepseek-ai/DeepSeek-V3";
  static final String LLAMA8 = "meta-llama/Llama-3.1-8B-Instruct";
  static final String QWEN3 = "Qwen/Qwen3-8B";
  static final String SCOUT = "meta-llama/Llama-4-Scout-17B-16E-Instruct";

  static LaunchPlan plan(
      String version, int sm, String model, Map<String, String> env, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(args));
    return LaunchPlan.of(
        SglangFacts.of(SglangVersion.parse(version)),
        LaunchCommand.parse(argv, env),
        ModelCatalog.builtIn().describe(model).orElseThrow().spec(),
        OptionalLong.of(H200),
        Optional.of(new ComputeCapability(sm / 10, sm % 10)));
  }

  static LaunchPlan plan(String version, int sm, String model, String... args) {
    return plan(version, sm, model, Map.of(), args);
  }

  // ------------------------------------------------------------------ attention backend

  @Test
  void of_p1MlaOnHopper_defaultsToFa3WithTheCu121Caveat() {
    LaunchPlan p = plan("0.4.5.post3", 90, DSV3, "--tp", "8");

    assertEquals("fa3", p.attentionBackend());
    assertTrue(p.attentionBackendDefaulted());
    assertTrue(
        p.notes()
            .contains(
                "attention backend not given: SGLang 0.4.5.post3 picks fa3 on sm90 (with a CUDA >="
                    + " 12.3 torch; the -cu121 image picks triton: pass --attention-backend to be"
                    + " exact)"),
        p.notes().toString());
  }

  @Test
  void of_p1Mha_flashinferUnlessTheArchitectureIsOnTheFa3List() {
    // model_runner.py L245-256 @v0.4.5.post3: Qwen3 is not on is_fa3_default_architecture yet
    assertEquals("flashinfer", plan("0.4.5.post3", 90, QWEN3).attentionBackend());
    assertEquals("flashinfer", plan("0.4.5.post3", 89, LLAMA8).attentionBackend());
    // ... LlamaForCausalLM is
    LaunchPlan llama = plan("0.4.5.post3", 90, LLAMA8);
    assertEquals("fa3", llama.attentionBackend());
    assertTrue(
        llama.notes().stream().anyMatch(n -> n.contains("the -cu121 image picks flashinfer")),
        llama.notes().toString());
  }

  @Test
  void of_mainMha_fa3OnHopperTrtllmOnBlackwellFlashinferElsewhere() {
    assertEquals("fa3", plan("main", 90, QWEN3).attentionBackend());
    assertEquals("trtllm_mha", plan("main", 100, QWEN3).attentionBackend());
    assertEquals("flashinfer", plan("main", 89, QWEN3).attentionBackend());
    assertEquals("flashinfer", plan("main", 100, DSV3, "--tp", "8").attentionBackend());
    assertEquals("triton", plan("0.4.6", 100, DSV3, "--tp", "8").attentionBackend());
  }

  @Test
  void of_speculativeTopkAboveOne_keepsMhaOffFa3() {
    LaunchPlan topk4 =
        plan(
            "0.4.5.post3",
            90,
            LLAMA8,
            "--speculative-algorithm",
            "EAGLE",
            "--speculative-draft-model-path",
            "d",
            "--speculative-eagle-topk",
            "4");
    LaunchPlan topk1 =
        plan(
            "0.4.5.post3",
            90,
            LLAMA8,
            "--speculative-algorithm",
            "EAGLE",
            "--speculative-draft-model-path",
            "d",
            "--speculative-eagle-topk",
            "1");

    assertEquals("flashinfer", topk4.attentionBackend());
    assertEquals("fa3", topk1.attentionBackend());
  }

  @Test
  void of_givenBackend_isKept() {
    LaunchPlan p = plan("0.4.5.post3", 90, DSV3, "--tp", "8", "--attention-backend", "triton");

    assertEquals("triton", p.attentionBackend());
    assertFalse(p.attentionBackendDefaulted());
  }

  // ------------------------------------------------------------------ JIT DeepGEMM

  @Test
  void of_jitDeepGemm_offByDefaultIn045Post3() {
    LaunchPlan p = plan("0.4.5.post3", 90, DSV3, "--tp", "8");

    assertFalse(p.jitDeepGemm());
    assertEquals("JIT DeepGEMM is off by default in SGLang 0.4.5.post3", p.jitDeepGemmReason());
  }

  @Test
  void of_jitDeepGemm_envTurnsItOnIn045Post3() {
    LaunchPlan p =
        plan("0.4.5.post3", 90, DSV3, Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1"), "--tp", "8");

    assertTrue(p.jitDeepGemm());
    assertEquals("SGL_ENABLE_JIT_DEEPGEMM=1 turns JIT DeepGEMM on", p.jitDeepGemmReason());
  }

  @Test
  void of_jitDeepGemm_onByDefaultOnMainUnlessTurnedOff() {
    LaunchPlan on = plan("main", 90, DSV3, "--tp", "8");
    LaunchPlan off = plan("main", 90, DSV3, Map.of("SGLANG_ENABLE_JIT_DEEPGEMM", "0"), "--tp", "8");

    assertTrue(on.jitDeepGemm());
    assertEquals("JIT DeepGEMM is on by default in SGLang main", on.jitDeepGemmReason());
    assertFalse(off.jitDeepGemm());
    assertEquals("SGLANG_ENABLE_JIT_DEEPGEMM turns JIT DeepGEMM off", off.jitDeepGemmReason());
  }

  @Test
  void of_jitDeepGemm_offOnSm89() {
    LaunchPlan p = plan("main", 89, DSV3, "--tp", "8");

    assertFalse(p.jitDeepGemm());
    assertEquals("JIT DeepGEMM does not run on sm89 in SGLang main", p.jitDeepGemmReason());
  }

  @Test
  void of_jitDeepGemm_unusedWithoutABlockFp8Checkpoint() {
    LaunchPlan p = plan("main", 90, LLAMA8);

    assertFalse(p.jitDeepGemm());
    assertEquals(
        "JIT DeepGEMM is on by default in SGLang main; the checkpoint has no block-fp8 weights, so"
            + " no GEMM uses it",
        p.jitDeepGemmReason());
  }

  // ------------------------------------------------------------------ speculative decoding

  @Test
  void of_speculativeWithoutParameters_assumesSglangsChoiceAnd48Requests() {
    LaunchPlan p =
        plan(
            "0.5.1",
            90,
            LLAMA8,
            "--speculative-algorithm",
            "EAGLE",
            "--speculative-draft-model-path",
            "d");

    assertEquals(
        Optional.of(new LaunchPlan.Speculative("EAGLE", 5, 4, 8, Optional.of("d"))),
        p.speculative());
    assertEquals(OptionalInt.of(48), p.maxRunningRequests());
    assertTrue(
        p.notes()
            .contains(
                "speculative parameters not all given: assuming SGLang's usual choice steps 5,"
                    + " topk 4, draft tokens 8"),
        p.notes().toString());
  }

  @Test
  void of_speculativeWithMaxRunningRequests_keepsTheFlag() {
    LaunchPlan p =
        plan(
            "0.5.1",
            90,
            LLAMA8,
            "--speculative-algorithm",
            "EAGLE",
            "--speculative-draft-model-path",
            "d",
            "--speculative-num-steps",
            "3",
            "--speculative-eagle-topk",
            "1",
            "--speculative-num-draft-tokens",
            "4",
            "--max-running-requests",
            "32");

    assertEquals(
        Optional.of(new LaunchPlan.Speculative("EAGLE", 3, 1, 4, Optional.of("d"))),
        p.speculative());
    assertEquals(OptionalInt.of(32), p.maxRunningRequests());
    assertTrue(p.notes().stream().noneMatch(n -> n.startsWith("speculative parameters")));
  }

  @Test
  void of_noSpeculative_leavesMaxRunningRequestsToSglang() {
    assertEquals(OptionalInt.empty(), plan("0.5.1", 90, LLAMA8).maxRunningRequests());
    assertEquals(Optional.empty(), plan("0.5.1", 90, LLAMA8).speculative());
  }

  // ------------------------------------------------------------------ chunked prefill

  @Test
  void of_dpAttention_dividesTheChunkByDp() {
    LaunchPlan p = plan("0.4.5.post3", 90, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention");

    assertEquals(8192, p.chunkedPrefillSize());
    assertEquals(1024, p.chunkPerRank());
    assertEquals(8192, plan("0.4.5.post3", 90, DSV3, "--tp", "8").chunkPerRank());
  }

  @Test
  void of_chunkedPrefillOff_activationsUseMaxPrefillTokens() {
    LaunchPlan p = plan("0.5.1", 90, LLAMA8, "--chunked-prefill-size", "-1");

    assertEquals(-1, p.chunkedPrefillSize());
    assertEquals(16384, p.chunkPerRank());
  }

  @Test
  void of_multimodalInOldVersions_losesChunkedPrefill() {
    LaunchPlan post4 = plan("0.4.6.post4", 90, SCOUT, "--tp", "8");
    LaunchPlan post5 = plan("0.4.6.post5", 90, SCOUT, "--tp", "8");

    assertTrue(post4.multimodal());
    assertEquals(-1, post4.chunkedPrefillSize());
    assertTrue(
        post4.notes().contains("SGLang 0.4.6.post4 disables chunked prefill for multimodal models"),
        post4.notes().toString());
    assertEquals(8192, post5.chunkedPrefillSize());
  }

  // ------------------------------------------------------------------ other switches

  @Test
  void of_imbalanceSwitch_followsTheVersionsVariable() {
    Map<String, String> oldOff = Map.of("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK", "1");
    Map<String, String> newOff = Map.of("SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK", "0");

    assertTrue(plan("0.4.5.post3", 90, LLAMA8, "--tp", "2").imbalanceCheckEnabled());
    assertFalse(plan("0.4.5.post3", 90, LLAMA8, oldOff, "--tp", "2").imbalanceCheckEnabled());
    // 0.5.4 and 0.5.6.post2 still read SGL_DISABLE_... (model_runner.py L799 @1053e1be1)
    assertFalse(plan("0.5.4", 90, LLAMA8, oldOff, "--tp", "2").imbalanceCheckEnabled());
    assertFalse(plan("0.5.6.post2", 90, LLAMA8, oldOff, "--tp", "2").imbalanceCheckEnabled());
    // main: SGLANG_ENABLE_...=0 turns it off; the old variable's value is copied into it
    assertFalse(plan("main", 90, LLAMA8, newOff, "--tp", "2").imbalanceCheckEnabled());
    LaunchPlan gotcha = plan("main", 90, LLAMA8, oldOff, "--tp", "2");
    assertTrue(gotcha.imbalanceCheckEnabled());
    assertTrue(
        gotcha.notes().stream()
            .anyMatch(n -> n.startsWith("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK is set")),
        gotcha.notes().toString());
  }

  @Test
  void of_deepEpNormalMode_runsWithoutDecodeGraphs() {
    LaunchPlan p =
        plan("0.5.1", 90, DSV3, "--tp", "8", "--enable-deepep-moe", "--deepep-mode", "normal");

    assertFalse(p.decodeGraphs());
    assertEquals(List.of(), p.decodeCaptureList());
    assertTrue(p.deepEp());
    assertTrue(
        p.notes().contains("--deepep-mode normal makes SGLang run without decode CUDA graphs"));
  }

  @Test
  void requestedFraction_flagWinsOverTheDefault() {
    LaunchPlan flag = plan("0.4.5.post3", 90, LLAMA8, "--mem-fraction-static", "0.85");
    LaunchPlan dflt = plan("0.4.5.post3", 90, LLAMA8);

    assertEquals(0.85, flag.requestedFraction());
    assertTrue(flag.fractionFromFlag());
    assertEquals(OptionalDouble.of(0.85), flag.userFraction());
    assertEquals((143771 - 13312) / 143771.0, dflt.requestedFraction(), 1e-12);
    assertFalse(dflt.fractionFromFlag());
  }

  @Test
  void of_decodeListAndMaxBs_p1H200Default() {
    LaunchPlan p = plan("0.4.5.post3", 90, DSV3, "--tp", "8", "--dp", "8", "--enable-dp-attention");

    assertEquals(35, p.decodeCaptureList().size());
    assertEquals(OptionalInt.empty(), p.cudaGraphMaxBs());
    assertTrue(p.decodeGraphs());
    assertFalse(p.prefillGraphs());
  }

  @Test
  void of_mainMla_prefillGraphsUpTo2048Tokens() {
    LaunchPlan p = plan("main", 90, DSV3, "--tp", "8");

    assertTrue(p.prefillGraphs());
    assertEquals(42, p.prefillGraphTokens().size());
    assertEquals(2048, p.prefillGraphTokens().getLast());
    assertFalse(plan("main", 90, DSV3, "--tp", "8", "--disable-cuda-graph").prefillGraphs());
  }

  @Test
  void userFraction_multimodalModelUpTo0_4_7_post1_isScaledByPointNine() {
    // model_runner.py L302-311 @v0.4.5.post3: mem_fraction_static *= 0.90 for multimodal models,
    // whatever set it; from 0.4.8 only the default is adjusted
    LaunchPlan old =
        plan(
            "0.4.5.post3",
            90,
            "meta-llama/Llama-4-Scout-17B-16E-Instruct",
            "--tp",
            "8",
            "--mem-fraction-static",
            "0.8");
    LaunchPlan newer =
        plan(
            "0.4.9",
            90,
            "meta-llama/Llama-4-Scout-17B-16E-Instruct",
            "--tp",
            "8",
            "--mem-fraction-static",
            "0.8");

    assertEquals(0.72, old.requestedFraction(), 1e-9);
    assertEquals(0.8, old.flagValueFor(0.72), 1e-9);
    assertEquals(0.8, newer.requestedFraction(), 1e-9);
    assertEquals(0.72, newer.flagValueFor(0.72), 1e-9);
  }
}
