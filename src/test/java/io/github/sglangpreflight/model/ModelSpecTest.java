package io.github.sglangpreflight.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ModelSpecTest {

  private static ModelSpec parse(String json) throws IOException {
    return ModelSpec.fromConfig(JSON.std.mapFrom(json), "config.json at /m/x");
  }

  private static ModelSpec catalog(String id) {
    return ModelCatalog.builtIn().describe(id).orElseThrow().spec();
  }

  @Test
  void fromConfig_llama31_derivesHeadDimAndKeepsLlama3Context() {
    ModelSpec s = catalog("meta-llama/Llama-3.1-8B-Instruct");

    assertEquals(ModelSpec.Family.LLAMA, s.family());
    assertEquals(4096 / 32, s.headDim());
    assertEquals(s.headDim(), s.vHeadDim());
    assertEquals(8, s.numKeyValueHeads());
    assertEquals(OptionalInt.of(14336), s.denseIntermediateSize());
    // rope_type llama3: SGLang does not multiply by the factor
    assertEquals(131072, s.contextLength());
    assertFalse(s.tieWordEmbeddings());
    assertEquals(Optional.of(WeightDtype.BF16), s.torchDtype());
  }

  @Test
  void fromConfig_textConfigWrapper_readsTheLanguageModel() {
    ModelSpec s = catalog("meta-llama/Llama-4-Scout-17B-16E-Instruct");

    assertEquals(ModelSpec.Family.LLAMA4, s.family());
    assertEquals(5120, s.hiddenSize());
    assertEquals(48, s.numHiddenLayers());
    assertEquals(16, s.moe().orElseThrow().numExperts());
    assertEquals(IntStream.range(0, 48).boxed().toList(), s.moe().orElseThrow().moeLayers());
    assertEquals(1, s.moe().orElseThrow().sharedExperts());
    assertEquals(OptionalInt.of(16384), s.denseIntermediateSize());
    assertEquals(OptionalInt.of(8192), s.attentionChunkSize());
    assertTrue(s.multimodal());
  }

  @Test
  void fromConfig_deepSeekV3_readsMlaMoeMtpAndBlockFp8() {
    ModelSpec s = catalog("deepseek-ai/DeepSeek-V3");

    assertEquals(576, s.mla().orElseThrow().kvCacheDim());
    assertEquals(OptionalInt.of(1536), s.mla().orElseThrow().qLoraRank());
    assertEquals(IntStream.range(3, 61).boxed().toList(), s.moe().orElseThrow().moeLayers());
    assertEquals(2048, s.moe().orElseThrow().sharedIntermediateSize());
    assertEquals(1, s.numNextnPredictLayers());
    assertTrue(s.quantization().orElseThrow().isBlockFp8());
    assertEquals(
        "fp8, 8-bit weights, blocks 128x128, dynamic activations",
        s.quantization().orElseThrow().describe());
    // yarn with original_max_position_embeddings: the factor is not applied
    assertEquals(163840, s.contextLength());
  }

  @Test
  void fromConfig_qwenMoeWithMlpOnlyLayersAndSparseStep_placesMoeLayersLikeSglang()
      throws IOException {
    ModelSpec s =
        parse(
            """
            {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe",
             "hidden_size": 64, "num_hidden_layers": 6, "num_attention_heads": 4,
             "vocab_size": 100, "num_experts": 4, "num_experts_per_tok": 2,
             "moe_intermediate_size": 32, "intermediate_size": 128,
             "decoder_sparse_step": 2, "mlp_only_layers": [3]}
            """);

    // (layer + 1) % 2 == 0 and not in mlp_only_layers (qwen3_moe.py L247-253 @v0.4.5.post3)
    assertEquals(List.of(1, 5), s.moe().orElseThrow().moeLayers());
  }

  @Test
  void fromConfig_ropeFactorWithoutOriginalLength_scalesTheContext() throws IOException {
    ModelSpec s =
        parse(
            """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128,
             "max_position_embeddings": 4096, "rope_scaling": {"type": "linear", "factor": 4.0}}
            """);

    assertEquals(16384, s.contextLength());
  }

  @Test
  void fromConfig_missingRequiredField_namesFileFieldAndPurpose() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parse(
                    """
                    {"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
                     "num_attention_heads": 4, "vocab_size": 100}
                    """));

    assertEquals("config.json at /m/x", e.input());
    assertEquals(
        "config.json at /m/x: num_hidden_layers is missing; it is required to size the KV cache;"
            + " add it to the file or pass --model-config with a complete config.json",
        e.getMessage());
  }

  @Test
  void fromConfig_missingFieldInsideTextConfig_namesThePath() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parse(
                    """
                    {"architectures": ["Llama4ForConditionalGeneration"],
                     "text_config": {"hidden_size": 64, "num_hidden_layers": 2, "vocab_size": 10}}
                    """));

    assertEquals(
        "config.json at /m/x: text_config.num_attention_heads is missing; it is required to"
            + " derive head_dim and the KV heads per GPU; add it to the file or pass"
            + " --model-config with a complete config.json",
        e.getMessage());
  }

  @Test
  void fromConfig_fieldOfTheWrongType_saysWhatItHolds() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parse(
                    """
                    {"architectures": ["LlamaForCausalLM"], "hidden_size": "4096",
                     "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100}
                    """));

    assertEquals(
        "config.json at /m/x: hidden_size is \"4096\" (a string), not a whole number; fix the"
            + " file",
        e.getMessage());
  }

  @Test
  void fromConfig_noArchitectures_isRefused() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                parse(
                    """
                    {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                     "vocab_size": 100}
                    """));

    assertEquals(
        "config.json at /m/x: architectures is missing; it is required to pick SGLang's model"
            + " class and its weight layout; add it to the file or pass --model-config with a"
            + " complete config.json",
        e.getMessage());
  }

  @Test
  void fromConfig_otherQuantizations_areRecognisedWithTheirBits() throws IOException {
    String base =
        """
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
         "num_attention_heads": 4, "vocab_size": 100, "quantization_config": %s}
        """;
    Quantization awq =
        parse(base.formatted("{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 128}"))
            .quantization()
            .orElseThrow();
    Quantization ct =
        parse(
                base.formatted(
                    "{\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"group_0\":"
                        + " {\"weights\": {\"num_bits\": 8, \"type\": \"int\"}}},"
                        + " \"ignore\": [\"lm_head\"]}"))
            .quantization()
            .orElseThrow();

    assertEquals("awq, 4-bit weights", awq.describe());
    assertEquals(OptionalInt.of(8), ct.weightBits());
    assertTrue(ct.keepsUnquantized("lm_head"));
  }

  @Test
  void fromConfig_gemmaWithoutTieKey_usesTheTransformersDefault() {
    ModelSpec s = catalog("google/gemma-2-9b-it");

    assertTrue(s.tieWordEmbeddings());
    assertEquals(256, s.headDim());
    assertEquals(OptionalInt.of(4096), s.slidingWindow());
  }

  @Test
  void fromConfig_qwenSlidingWindowWithoutUseFlag_isInactive() {
    assertEquals(OptionalInt.empty(), catalog("Qwen/Qwen2.5-7B-Instruct").slidingWindow());
    assertTrue(catalog("Qwen/Qwen2.5-7B-Instruct").attentionBias());
  }

  @Test
  void fromConfig_noKvHeads_usesTheAttentionHeads() throws IOException {
    ModelSpec s =
        parse(
            """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "vocab_size": 100, "vision_config": {}}
            """);

    assertEquals(4, s.numKeyValueHeads());
    assertTrue(s.multimodal());
    assertEquals(2048, s.contextLength());
  }

  @Test
  void modelDtype_followsSglangAutoRule() throws IOException {
    String cfg =
        """
        {"architectures": ["LlamaForCausalLM"], "model_type": "%s", "hidden_size": 64,
         "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100%s}
        """;
    ModelSpec fp32Llama = parse(cfg.formatted("llama", ", \"torch_dtype\": \"float32\""));
    ModelSpec fp32Gemma = parse(cfg.formatted("gemma2", ", \"torch_dtype\": \"float32\""));
    ModelSpec none = parse(cfg.formatted("llama", ""));
    ModelSpec bf16 = parse(cfg.formatted("llama", ", \"torch_dtype\": \"bfloat16\""));

    assertEquals(WeightDtype.F16, fp32Llama.modelDtype(Optional.empty()));
    assertEquals(WeightDtype.BF16, fp32Gemma.modelDtype(Optional.empty()));
    assertEquals(WeightDtype.F16, none.modelDtype(Optional.empty()));
    assertEquals(WeightDtype.BF16, bf16.modelDtype(Optional.empty()));
    assertEquals(WeightDtype.F32, bf16.modelDtype(Optional.of(WeightDtype.F32)));
  }

  @Test
  void fromConfig_kimiK2_isDeepSeekMlaWith384Experts() {
    ModelSpec s = catalog("moonshotai/Kimi-K2-Instruct");

    assertEquals(ModelSpec.Family.DEEPSEEK, s.family());
    assertEquals(384, s.moe().orElseThrow().numExperts());
    assertEquals(60, s.moe().orElseThrow().moeLayers().size());
    assertEquals(0, s.numNextnPredictLayers());
  }

  @Test
  void weightDtype_namesRoundTrip() {
    assertEquals(Optional.of(WeightDtype.F8_E4M3), WeightDtype.fromSafetensors("F8_E4M3"));
    assertEquals(Optional.of(WeightDtype.BF16), WeightDtype.fromTorchName("torch.bfloat16"));
    assertEquals(Optional.of(WeightDtype.F16), WeightDtype.fromTorchName("half"));
    assertEquals(Optional.empty(), WeightDtype.fromSafetensors("F4"));
  }

  @Test
  void fromConfig_visionHeads_fromNumHeadsOrNumAttentionHeads() {
    assertEquals(OptionalInt.of(16), catalog("Qwen/Qwen3-VL-8B-Instruct").visionHeads());
    assertEquals(OptionalInt.of(16), catalog("google/gemma-3-27b-it").visionHeads());
    assertEquals(OptionalInt.empty(), catalog("meta-llama/Llama-3.1-8B-Instruct").visionHeads());
  }

  @Test
  void fromConfig_zeroVisionPatchOrLinearHeads_isRefusedNamingTheFieldNotDividedByZero()
      throws IOException {
    String gemma =
        "{\"architectures\": [\"Gemma3ForConditionalGeneration\"], \"text_config\":"
            + " {\"model_type\": \"gemma3_text\", \"hidden_size\": 2560,"
            + " \"num_hidden_layers\": 6, \"num_attention_heads\": 8, \"num_key_value_heads\": 4,"
            + " \"head_dim\": 256, \"vocab_size\": 1000}, \"vision_config\":"
            + " {\"num_hidden_layers\": 2, \"hidden_size\": 64, \"intermediate_size\": 128,"
            + " \"num_attention_heads\": 4, \"image_size\": 896, \"patch_size\": 0}}";
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(gemma));
    assertTrue(
        e.getMessage().contains("vision_config.patch_size is 0, outside the accepted range"),
        e.getMessage());
    String next =
        "{\"architectures\": [\"Qwen3NextForCausalLM\"], \"hidden_size\": 2048,"
            + " \"num_hidden_layers\": 4, \"num_attention_heads\": 16, \"num_key_value_heads\": 2,"
            + " \"head_dim\": 256, \"vocab_size\": 1000, \"linear_num_key_heads\": 0,"
            + " \"linear_num_value_heads\": 32, \"linear_key_head_dim\": 128,"
            + " \"linear_value_head_dim\": 128, \"linear_conv_kernel_dim\": 4}";
    e = assertThrows(InvalidInputException.class, () -> parse(next));
    assertTrue(
        e.getMessage().contains("linear_num_key_heads is 0, outside the accepted range"),
        e.getMessage());
  }

  @Test
  void fromConfig_expertsTimesLayersBeyondAnyModel_isRefusedBeforeTheWeightsAreListed()
      throws IOException {
    // 100,000 layers of 512 experts would list 51 million expert blocks and exhaust the heap
    String json =
        "{\"architectures\": [\"Qwen3MoeForCausalLM\"], \"hidden_size\": 2048,"
            + " \"num_hidden_layers\": 100000, \"num_attention_heads\": 32,"
            + " \"num_key_value_heads\": 4, \"head_dim\": 128, \"vocab_size\": 1000,"
            + " \"num_experts\": 512, \"num_experts_per_tok\": 8,"
            + " \"moe_intermediate_size\": 768}";
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse(json));
    assertTrue(
        e.getMessage()
            .contains(
                "num_experts is 512 over 100000 MoE layers, 51,200,000 expert blocks in all,"
                    + " beyond the 262,144 this program accepts"),
        e.getMessage());
  }
}
