package io.github.sglangpreflight.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.fuzz.Fuzz;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SGLang's start-up checks of heads, KV heads, linear-attention heads, vision-tower heads and
 * experts for the 2025/2026 families, one test per rule: the launch is refused, SGLang's rule is
 * the first reason, and the reason names the model file and line it comes from. Catalog configs
 * where a real model trips the rule; a catalog config with one field changed where none does.
 */
class SglangModelChecksFamiliesTest {

  private static final String GPT_OSS = "openai/gpt-oss-120b";
  private static final String QWEN3_NEXT = "Qwen/Qwen3-Next-80B-A3B-Thinking";
  private static final String GLM45_AIR = "zai-org/GLM-4.5-Air";
  private static final String MINIMAX_M2 = "MiniMaxAI/MiniMax-M2";
  private static final String GEMMA3_27B = "google/gemma-3-27b-it";
  private static final String QWEN3_VL_8B = "Qwen/Qwen3-VL-8B-Instruct";

  private static ModelSpec catalog(String id) {
    return ModelCatalog.builtIn().describe(id).orElseThrow().spec();
  }

  /** The catalog's config of {@code id} with {@code edits} applied to it (or its text_config). */
  @SuppressWarnings("unchecked")
  private static ModelSpec edited(String id, Map<String, Object> edits) {
    ModelCatalog c = ModelCatalog.builtIn();
    ModelCatalog.Entry entry =
        c.entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    Map<String, Object> config = (Map<String, Object>) Fuzz.deepCopy(c.rawConfig(entry));
    Map<String, Object> text =
        config.containsKey("text_config")
            ? (Map<String, Object>) config.get("text_config")
            : config;
    text.putAll(edits);
    return ModelSpec.fromConfig(config, "config.json of " + id + " (edited)");
  }

  private static LaunchCommand launch(String model, String... flags) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(flags));
    return LaunchCommand.parse(argv, Map.of());
  }

  private static List<SglangRefusal> check(ModelSpec spec, String model, String... flags) {
    return SglangModelChecks.check(Snapshot.MAIN, launch(model, flags), spec);
  }

  private static List<String> ids(List<SglangRefusal> r) {
    return r.stream().map(SglangRefusal::ruleId).toList();
  }

  /** The first refusal is {@code ruleId}; its REJECT opens with SGLang's rule and cites source. */
  private static void assertFirst(
      List<SglangRefusal> r, String ruleId, String opening, String source) {
    assertTrue(!r.isEmpty(), "nothing refused");
    SglangRefusal first = r.get(0);
    assertEquals(ruleId, first.ruleId(), ids(r).toString());
    String reason = first.reason("main");
    assertTrue(
        reason.startsWith("REJECT: SGLang main refuses this launch: " + opening),
        "the REJECT does not open with SGLang's rule: " + reason);
    assertTrue(first.source().contains(source), first.source());
  }

  /** A small Mistral-Small-3.1-shaped config: a Mistral text model and a Pixtral tower. */
  private static ModelSpec mistral3() {
    Map<String, Object> text = new LinkedHashMap<>();
    text.put("model_type", "mistral");
    text.put("hidden_size", 5120);
    text.put("num_hidden_layers", 40);
    text.put("num_attention_heads", 32);
    text.put("num_key_value_heads", 8);
    text.put("head_dim", 128);
    text.put("intermediate_size", 32768);
    text.put("vocab_size", 131072);
    text.put("max_position_embeddings", 131072);
    Map<String, Object> vision = new LinkedHashMap<>();
    vision.put("model_type", "pixtral");
    vision.put("hidden_size", 1024);
    vision.put("num_hidden_layers", 24);
    vision.put("num_attention_heads", 16);
    vision.put("intermediate_size", 4096);
    vision.put("patch_size", 14);
    vision.put("image_size", 1540);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architectures", List.of("Mistral3ForConditionalGeneration"));
    config.put("model_type", "mistral3");
    config.put("torch_dtype", "bfloat16");
    config.put("text_config", text);
    config.put("vision_config", vision);
    return ModelSpec.fromConfig(config, "config.json of a Mistral-3 model");
  }

  /** A Phi-4-shaped config ({@code Phi3ForCausalLM}: 40 heads, 10 KV heads). */
  private static ModelSpec phi4() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architectures", List.of("Phi3ForCausalLM"));
    config.put("model_type", "phi3");
    config.put("hidden_size", 5120);
    config.put("num_hidden_layers", 40);
    config.put("num_attention_heads", 40);
    config.put("num_key_value_heads", 10);
    config.put("intermediate_size", 17920);
    config.put("vocab_size", 100352);
    config.put("max_position_embeddings", 16384);
    config.put("torch_dtype", "bfloat16");
    return ModelSpec.fromConfig(config, "config.json of a Phi-4 model");
  }

  // ---- GPT-OSS --------------------------------------------------------------------------------

  @Test
  void gptOss_headsOverTp3_refusedByGptOssAttention() {
    List<SglangRefusal> r = check(catalog(GPT_OSS), GPT_OSS, "--tp", "3");
    assertEquals(List.of("attention-heads-vs-tp", "kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "attention-heads-vs-tp",
        "--tp 3 does not divide the model's 64 attention heads",
        "models/gpt_oss.py L231, L237, L241 @009c6808");
  }

  @Test
  void gptOss_dividesByTheAttentionTpGroup_soDpAttentionCanMakeTp12Fit() {
    // tp 12 splits 64 heads unevenly; with dp 3 the attention group is 4 GPUs (64 / 4, 8 / 4)
    assertEquals(
        List.of("attention-heads-vs-tp", "kv-heads-vs-tp"),
        ids(check(catalog(GPT_OSS), GPT_OSS, "--tp", "12")));
    assertEquals(
        List.of(),
        ids(
            check(
                catalog(GPT_OSS),
                GPT_OSS,
                "--tp",
                "12",
                "--enable-dp-attention",
                "--dp-size",
                "3")));
  }

  // ---- Qwen3-Next -----------------------------------------------------------------------------

  @Test
  void qwen3Next_fullAttentionHeadsOverTp3_refusedByTheHybridAttentionLayer() {
    List<SglangRefusal> r = check(catalog(QWEN3_NEXT), QWEN3_NEXT, "--tp", "3");
    assertFirst(
        r,
        "attention-heads-vs-tp",
        "--tp 3 does not divide the model's 16 attention heads",
        "models/qwen3_next.py L585, L591, L595 @0201bc80");
    assertTrue(ids(r).contains("kv-heads-vs-tp"), ids(r).toString());
  }

  @Test
  void qwen3Next_linearValueHeadsOverTp_refusedWhereSglangSizesTheRecurrentState() {
    // 24 value heads over tp 16 (full attention: 16 heads / 16, 2 KV heads replicated 8 times)
    ModelSpec spec = edited(QWEN3_NEXT, Map.of("linear_num_value_heads", 24));
    List<SglangRefusal> r = check(spec, QWEN3_NEXT, "--tp", "16");
    assertEquals(List.of("linear-value-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "linear-value-heads-vs-tp",
        "--tp 16 does not divide the model's 24 linear-attention value heads",
        "configs/mamba_utils.py L193, L198 @02e208de");
    assertTrue(r.get(0).message().contains("\"24 is not divisible by 16\""), r.get(0).message());
  }

  @Test
  void qwen3Next_linearKeyHeadsOverTp_refusedByTheDeltaNetReshape() {
    ModelSpec spec = edited(QWEN3_NEXT, Map.of("linear_num_key_heads", 4));
    List<SglangRefusal> r = check(spec, QWEN3_NEXT, "--tp", "8");
    assertEquals(List.of("linear-key-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "linear-key-heads-vs-tp",
        "--tp 8 does not divide the model's 4 linear-attention key heads",
        "models/qwen3_next.py L214, L334-353 @0201bc80");
    // the real checkpoint (16 key, 32 value heads) splits over tp 8 and over tp 16
    assertEquals(List.of(), ids(check(catalog(QWEN3_NEXT), QWEN3_NEXT, "--tp", "8")));
    assertEquals(List.of(), ids(check(catalog(QWEN3_NEXT), QWEN3_NEXT, "--tp", "16")));
  }

  // ---- GLM-4.5 / 4.6 --------------------------------------------------------------------------

  @Test
  void glm45Air_kvHeadsOverTp12_refusedByGlm4MoeAttention() {
    // 96 heads split over 12 GPUs; 8 KV heads neither divide 12 nor are divided by it
    List<SglangRefusal> r = check(catalog(GLM45_AIR), GLM45_AIR, "--tp", "12");
    assertEquals(List.of("kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "kv-heads-vs-tp",
        "--tp 12 is not a multiple of the model's 8 KV heads",
        "models/glm4_moe.py L220, L226, L230 @005ffc65");
  }

  @Test
  void glm4Moe_tpAboveTheRoutedExperts_refusedByTheMoeBlock() {
    ModelSpec spec = edited(GLM45_AIR, Map.of("n_routed_experts", 4, "num_experts_per_tok", 2));
    List<SglangRefusal> r = check(spec, GLM45_AIR, "--tp", "8");
    assertEquals(List.of("experts-vs-tp"), ids(r));
    assertFirst(
        r,
        "experts-vs-tp",
        "--tp 8 is more GPUs than the model's 4 routed experts",
        "models/glm4_moe.py L428-432 @005ffc65");
    assertTrue(
        r.get(0).message().contains("\"Tensor parallel size 8 is greater than the number of"),
        r.get(0).message());
  }

  // ---- MiniMax-M2 -----------------------------------------------------------------------------

  @Test
  void miniMaxM2_kvHeadsOverTp6_refusedByMiniMaxM2Attention() {
    List<SglangRefusal> r = check(catalog(MINIMAX_M2), MINIMAX_M2, "--tp", "6");
    assertEquals(List.of("kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "kv-heads-vs-tp",
        "--tp 6 does not divide the model's 8 KV heads",
        "models/minimax_m2.py L753, L760, L764 @01b5f572");
  }

  @Test
  void miniMaxM2_tpAboveTheRoutedExperts_refusedByTheMoeBlock() {
    ModelSpec spec =
        edited(
            MINIMAX_M2,
            Map.of(
                "architectures",
                List.of("MiniMaxM2ForCausalLM"),
                "num_local_experts",
                4,
                "num_experts_per_tok",
                2));
    List<SglangRefusal> r = check(spec, MINIMAX_M2, "--tp", "8");
    assertEquals(List.of("experts-vs-tp"), ids(r));
    assertFirst(
        r,
        "experts-vs-tp",
        "--tp 8 is more GPUs than the model's 4 routed experts",
        "models/minimax_m2.py L524-528 @01b5f572");
  }

  // ---- Gemma-3 --------------------------------------------------------------------------------

  @Test
  void gemma3_textHeadsOverTp3_refusedByGemma3Attention() {
    // the vision tower data-parallel, only the text layer checks: 32 heads, 16 KV heads over 3
    List<SglangRefusal> r =
        check(catalog(GEMMA3_27B), GEMMA3_27B, "--tp", "3", "--mm-enable-dp-encoder");
    assertEquals(List.of("attention-heads-vs-tp", "kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "attention-heads-vs-tp",
        "--tp 3 does not divide the model's 32 attention heads",
        "models/gemma3_causal.py L139, L148, L152 @038c87d4");
  }

  @Test
  void gemma3_visionTowerIsCheckedBeforeTheTextLayers_asSglangBuildsIt() {
    // Gemma3ForConditionalGeneration builds the SigLIP tower before the language model
    List<SglangRefusal> r = check(catalog(GEMMA3_27B), GEMMA3_27B, "--tp", "3");
    assertEquals(List.of("vision-heads-vs-tp", "attention-heads-vs-tp", "kv-heads-vs-tp"), ids(r));
  }

  @Test
  void gemma3_visionHeadsOverTp32_refusedBySiglipsVisionAttention() {
    // 32 text heads and 16 KV heads split over 32 GPUs; SigLIP's 16 heads do not
    List<SglangRefusal> r = check(catalog(GEMMA3_27B), GEMMA3_27B, "--tp", "32");
    assertEquals(List.of("vision-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "vision-heads-vs-tp",
        "--tp 32 does not divide the vision tower's 16 attention heads",
        "distributed/utils.py L22-33 @1107be11");
    assertTrue(r.get(0).message().contains("models/siglip.py L118-120"), r.get(0).message());
  }

  @Test
  void visionHeads_withTheDataParallelEncoder_areNotChecked() {
    assertEquals(
        List.of(),
        ids(check(catalog(GEMMA3_27B), GEMMA3_27B, "--tp", "32", "--mm-enable-dp-encoder")));
  }

  // ---- Qwen-VL --------------------------------------------------------------------------------

  @Test
  void qwen3Vl_textHeadsOverTp3_refusedByQwen3sAttentionThroughTheVlWrapper() {
    List<SglangRefusal> r =
        check(catalog(QWEN3_VL_8B), QWEN3_VL_8B, "--tp", "3", "--mm-enable-dp-encoder");
    assertEquals(List.of("attention-heads-vs-tp", "kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "attention-heads-vs-tp",
        "--tp 3 does not divide the model's 32 attention heads",
        "models/qwen3.py L89, L95, L99 @main");
    assertTrue(r.get(0).source().contains("models/qwen3_vl.py L48 @005fa833"), r.get(0).source());
  }

  @Test
  void qwen3Vl_visionHeadsOverTp32_refusedByTheVitsVisionAttention() {
    List<SglangRefusal> r = check(catalog(QWEN3_VL_8B), QWEN3_VL_8B, "--tp", "32");
    assertEquals(List.of("vision-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "vision-heads-vs-tp",
        "--tp 32 does not divide the vision tower's 16 attention heads",
        "VisionAttention.__init__");
    assertTrue(r.get(0).message().contains("models/qwen3_vl.py L160-162"), r.get(0).message());
  }

  // ---- Mistral-3 ------------------------------------------------------------------------------

  @Test
  void mistral3_visionThenTextHeadsOverTp3_refusedInSglangsOrder() {
    List<SglangRefusal> r = check(mistral3(), "mistralai/Mistral-Small-3.1-24B", "--tp", "3");
    assertEquals(List.of("vision-heads-vs-tp", "attention-heads-vs-tp", "kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "vision-heads-vs-tp",
        "--tp 3 does not divide the vision tower's 16 attention heads",
        "layers/attention/vision.py");
    assertTrue(r.get(0).message().contains("models/pixtral.py L244-246"), r.get(0).message());
    assertTrue(
        r.get(1).source().startsWith("models/llama.py L160, L166, L170 @main"), r.get(1).source());
    assertTrue(r.get(1).source().contains("Mistral3ForConditionalGeneration"), r.get(1).source());
  }

  // ---- Phi-3 / Phi-4 --------------------------------------------------------------------------

  @Test
  void phi4_kvHeadsOverTp8_refusedByLlamaAttention() {
    // 40 heads split over 8 GPUs; the 10 KV heads do not
    List<SglangRefusal> r = check(phi4(), "microsoft/phi-4", "--tp", "8");
    assertEquals(List.of("kv-heads-vs-tp"), ids(r));
    assertFirst(
        r,
        "kv-heads-vs-tp",
        "--tp 8 does not divide the model's 10 KV heads",
        "models/llama.py L160, L166, L170 @main");
    assertTrue(r.get(0).source().contains("Phi3ForCausalLM subclasses"), r.get(0).source());
    assertEquals(List.of(), ids(check(phi4(), "microsoft/phi-4", "--tp", "2")));
  }
}
