package io.github.sglangpreflight.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TensorInventoryTest {

  /**
   * Catalog entries whose _source gives an index total that the data README says equals parameters
   * × 2 B (BF16): the synthesized tensors must reproduce it to the byte.
   */
  static Stream<Arguments> exactTotals() {
    return Stream.of(
        Arguments.of("Qwen/Qwen3-8B", "safetensors_total_size"),
        Arguments.of("Qwen/Qwen3-14B", "safetensors_total_size"),
        Arguments.of("Qwen/Qwen3-32B", "safetensors_total_size"),
        Arguments.of("Qwen/Qwen3-235B-A22B", "safetensors_total_size"),
        Arguments.of("Qwen/Qwen3-30B-A3B", "related_total_size"),
        Arguments.of("Qwen/QwQ-32B", "related_total_size"),
        Arguments.of("Qwen/Qwen2.5-7B-Instruct", "safetensors_total_size"),
        Arguments.of("Qwen/Qwen2.5-72B-Instruct", "safetensors_total_size"),
        Arguments.of("meta-llama/Llama-3.1-8B-Instruct", "related_total_size"),
        Arguments.of("meta-llama/Llama-3.1-70B-Instruct", "safetensors_total_size"),
        Arguments.of("meta-llama/Llama-3.3-70B-Instruct", "related_total_size"),
        Arguments.of("mistralai/Mixtral-8x7B-Instruct-v0.1", "safetensors_total_size"),
        Arguments.of("mistralai/Mistral-7B-Instruct-v0.2", "related_total_size"),
        Arguments.of("google/gemma-2-9b-it", "safetensors_total_size"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("exactTotals")
  void synthesize_catalogModelWithIndexTotal_reproducesTotalExactly(String id, String key) {
    ModelDescription d = ModelCatalog.builtIn().describe(id).orElseThrow();

    assertEquals(sourceLong(id, key), d.tensorBytes());
  }

  /**
   * Where the data gives the sum of the shard FILES, the files also hold the safetensors headers (a
   * few hundred bytes to a few MB per shard): the synthesized bytes must be below the file total by
   * at most 0.005 % (DeepSeek-V3: 163 shards, about 73 KB of header each).
   */
  static Stream<Arguments> fileTotals() {
    return Stream.of(
        Arguments.of("deepseek-ai/DeepSeek-V3", "weight_files_total_bytes"),
        Arguments.of("meta-llama/Llama-3.1-8B-Instruct", "weight_files_total_bytes"),
        Arguments.of("meta-llama/Llama-3.1-405B-Instruct", "related_weight_files_total_bytes"));
  }

  @ParameterizedTest(name = "{0} ≈ {1}")
  @MethodSource("fileTotals")
  void synthesize_catalogModelWithFileTotal_isBelowItByTheHeaders(String id, String key) {
    long files = sourceLong(id, key);
    long synthesized = ModelCatalog.builtIn().describe(id).orElseThrow().tensorBytes();

    long headers = files - synthesized;
    assertTrue(headers > 0 && headers <= files / 20_000, "headers " + headers + " of " + files);
  }

  @Test
  void synthesize_deepSeekV3_givesTheKnownFileTotalMinusTheHeaders() {
    ModelDescription d = ModelCatalog.builtIn().describe("deepseek-ai/DeepSeek-V3").orElseThrow();

    // 688,586,727,753 file bytes (data README) minus 11,888,393 B of headers in 163 shards.
    assertEquals(688_574_839_360L, d.tensorBytes());
  }

  @Test
  void synthesize_llama4Scout_isBelowTheMultimodalFilesByTheVisionTower() {
    long files =
        sourceLong("meta-llama/Llama-4-Scout-17B-16E-Instruct", "weight_files_total_bytes");
    long text =
        ModelCatalog.builtIn()
            .describe("meta-llama/Llama-4-Scout-17B-16E-Instruct")
            .orElseThrow()
            .tensorBytes();

    // The trimmed config has no vision_config: the vision tower (under 1.5 % of the files) is
    // not synthesized.
    double missing = (files - text) / (double) files;
    assertTrue(missing > 0 && missing < 0.015, "missing share " + missing);
  }

  @Test
  void synthesize_deepSeekV3_namesTensorsLikeTheCheckpoint() {
    List<TensorInfo> t =
        ModelCatalog.builtIn().describe("deepseek-ai/DeepSeek-V3").orElseThrow().tensors();

    TensorInfo kvA = find(t, "model.layers.0.self_attn.kv_a_proj_with_mqa.weight");
    TensorInfo scale = find(t, "model.layers.3.mlp.experts.255.down_proj.weight_scale_inv");
    TensorInfo eh = find(t, "model.layers.61.eh_proj.weight");
    assertEquals(List.of(576L, 7168L), kvA.shape());
    assertEquals(WeightDtype.F8_E4M3, kvA.dtype());
    assertEquals(List.of(56L, 16L), scale.shape());
    assertEquals(WeightDtype.F32, scale.dtype());
    assertEquals(List.of(7168L, 14336L), eh.shape());
    assertEquals(WeightDtype.BF16, eh.dtype());
  }

  @Test
  void synthesize_qwen3Fp8_keepsModulesNotConvertedInBf16() {
    List<TensorInfo> t =
        ModelCatalog.builtIn().describe("Qwen/Qwen3-235B-A22B-FP8").orElseThrow().tensors();

    assertEquals(WeightDtype.BF16, find(t, "lm_head.weight").dtype());
    assertEquals(WeightDtype.BF16, find(t, "model.layers.5.mlp.gate.weight").dtype());
    assertEquals(WeightDtype.F8_E4M3, find(t, "model.layers.5.self_attn.k_proj.weight").dtype());
    assertEquals(
        List.of(4L, 32L), find(t, "model.layers.5.self_attn.k_proj.weight_scale_inv").shape());
  }

  @Test
  void synthesize_unknownArchitecture_isRefusedWithTheFix() {
    ModelSpec spec =
        ModelSpec.fromConfig(
            Map.of(
                "architectures", List.of("FalconForCausalLM"),
                "hidden_size", 64,
                "num_hidden_layers", 2,
                "num_attention_heads", 4,
                "vocab_size", 100),
            "config.json at /m/f");

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> TensorInventory.synthesize(spec, "config.json at /m/f"));
    assertEquals(
        "config.json at /m/f: architecture FalconForCausalLM has no tensor layout in this build,"
            + " so its weights cannot be synthesized from config.json; point --model-path at the"
            + " downloaded checkpoint so its safetensors headers can be measured",
        e.getMessage());
  }

  private static TensorInfo find(List<TensorInfo> t, String name) {
    return t.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static long sourceLong(String id, String key) {
    ModelCatalog c = ModelCatalog.builtIn();
    ModelCatalog.Entry e =
        c.entries().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    Map<String, Object> source = (Map<String, Object>) c.rawConfig(e).get("_source");
    return ((Number) source.get(key)).longValue();
  }
}
