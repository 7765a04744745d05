package io.github.sglangpreflight.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One check per family layout; totals and shapes derived by hand from the configs. */
class ArchLayoutsTest {
  private final ModelCatalog catalog = ModelCatalog.builtIn();

  private Map<String, TensorInfo> byName(String id) {
    Map<String, TensorInfo> out = new HashMap<>();
    for (TensorInfo t : catalog.describe(id).orElseThrow().tensors()) {
      out.put(t.name(), t);
    }
    return out;
  }

  private static long total(List<TensorInfo> t) {
    return t.stream().mapToLong(TensorInfo::bytes).sum();
  }

  @Test
  void gptOss20bReproducesTheIndexTotalAndStoresMxfp4Experts() {
    assertEquals(
        13_761_264_768L, catalog.describe("openai/gpt-oss-20b").orElseThrow().tensorBytes());
    Map<String, TensorInfo> t = byName("openai/gpt-oss-20b");
    TensorInfo blocks = t.get("model.layers.0.mlp.experts.gate_up_proj_blocks");
    assertEquals(WeightDtype.U8, blocks.dtype());
    assertEquals(List.of(32L, 5_760L, 90L, 16L), blocks.shape());
    assertEquals(
        List.of(32L, 2_880L, 90L), t.get("model.layers.0.mlp.experts.down_proj_scales").shape());
    assertEquals(WeightDtype.BF16, t.get("model.layers.0.self_attn.q_proj.weight").dtype());
    assertEquals(List.of(64L), t.get("model.layers.0.self_attn.sinks").shape());
  }

  @Test
  void qwen3NextHasGatedQueryAndDeltaNetProjections() {
    Map<String, TensorInfo> t = byName("Qwen/Qwen3-Next-80B-A3B-Thinking");
    // layer 3 is full attention: q_proj carries query and gate, 2 × 16 × 256
    assertEquals(List.of(8_192L, 2_048L), t.get("model.layers.3.self_attn.q_proj.weight").shape());
    // layer 0 is linear: 2 × 16·128 + 2 × 32·128 = 12,288 rows; conv over 8,192 channels
    assertEquals(
        List.of(12_288L, 2_048L), t.get("model.layers.0.linear_attn.in_proj_qkvz.weight").shape());
    assertEquals(
        List.of(8_192L, 1L, 4L), t.get("model.layers.0.linear_attn.conv1d.weight").shape());
    assertTrue(t.containsKey("model.layers.0.mlp.shared_expert_gate.weight"));
    assertTrue(!t.containsKey("model.layers.0.self_attn.q_proj.weight"));
  }

  @Test
  void deepseekV32HasAReplicatedIndexerPerLayerIncludingMtp() {
    Map<String, TensorInfo> t = byName("deepseek-ai/DeepSeek-V3.2");
    assertEquals(
        List.of(8_192L, 1_536L), t.get("model.layers.0.self_attn.indexer.wq_b.weight").shape());
    assertEquals(WeightDtype.F8_E4M3, t.get("model.layers.0.self_attn.indexer.wk.weight").dtype());
    assertTrue(t.containsKey("model.layers.61.self_attn.indexer.weights_proj.weight"));
  }

  @Test
  void glmMiniMaxGemmaQwenVlLayoutsUseTheirCheckpointNames() {
    Map<String, TensorInfo> glm = byName("zai-org/GLM-4.5-Air");
    assertEquals(List.of(12_288L), glm.get("model.layers.0.self_attn.q_proj.bias").shape());
    assertTrue(glm.containsKey("model.layers.46.eh_proj.weight"));
    assertTrue(glm.containsKey("model.layers.1.mlp.shared_experts.down_proj.weight"));
    Map<String, TensorInfo> mm = byName("MiniMaxAI/MiniMax-M2.5");
    assertEquals(List.of(6_144L), mm.get("model.layers.0.self_attn.q_norm.weight").shape());
    assertEquals(
        WeightDtype.F8_E4M3, mm.get("model.layers.0.block_sparse_moe.experts.0.w1.weight").dtype());
    assertTrue(mm.get("model.layers.0.block_sparse_moe.gate.weight").dtype().castToModelDtype());
    Map<String, TensorInfo> g = byName("google/gemma-3-27b-it");
    assertEquals(
        List.of(1_152L, 5_376L), g.get("multi_modal_projector.mm_input_projection_weight").shape());
    assertEquals(
        List.of(4_096L, 1_152L),
        g.get("vision_tower.vision_model.embeddings.position_embedding.weight").shape());
    Map<String, TensorInfo> vl = byName("Qwen/Qwen3-VL-8B-Instruct");
    assertEquals(
        List.of(1_152L, 3L, 2L, 16L, 16L), vl.get("model.visual.patch_embed.proj.weight").shape());
    assertTrue(vl.containsKey("model.visual.deepstack_merger_list.2.linear_fc2.weight"));
  }

  @Test
  void quantizedVariantsStoreTheirPackedTensors() {
    Map<String, TensorInfo> gptq = byName("Qwen/Qwen3-235B-A22B-GPTQ-Int4");
    // expert gate_proj [1536, 4096]: qweight [4096·4/32, 1536] I32, scales [4096/128, 1536] F16
    assertEquals(
        List.of(512L, 1_536L), gptq.get("model.layers.0.mlp.experts.0.gate_proj.qweight").shape());
    assertEquals(
        WeightDtype.F16, gptq.get("model.layers.0.mlp.experts.0.gate_proj.scales").dtype());
    assertTrue(gptq.get("model.layers.0.mlp.gate.weight").dtype().castToModelDtype());
    Map<String, TensorInfo> nvfp4 = byName("nvidia/Qwen3-235B-A22B-NVFP4");
    TensorInfo w = nvfp4.get("model.layers.0.mlp.experts.0.down_proj.weight");
    assertEquals(List.of(4_096L, 768L), w.shape());
    assertEquals(WeightDtype.U8, w.dtype());
    assertEquals(
        List.of(4_096L, 96L),
        nvfp4.get("model.layers.0.mlp.experts.0.down_proj.weight_scale").shape());
    Map<String, TensorInfo> kimi = byName("moonshotai/Kimi-K2.5");
    assertTrue(kimi.containsKey("model.layers.1.mlp.experts.0.up_proj.weight_packed"));
    // self_attn is in the compressed-tensors ignore list ("re:.*self_attn.*")
    assertTrue(kimi.get("model.layers.1.self_attn.o_proj.weight").dtype().castToModelDtype());
  }

  @Test
  void phi3FusesQkvAndGateUp() {
    Map<String, Object> c = new HashMap<>();
    // a Phi-3-shaped test config (not a catalog entry): 4 layers
    c.put("architectures", List.of("Phi3ForCausalLM"));
    c.put("hidden_size", 512);
    c.put("num_hidden_layers", 4);
    c.put("num_attention_heads", 8);
    c.put("num_key_value_heads", 2);
    c.put("intermediate_size", 1_024);
    c.put("vocab_size", 1_000);
    c.put("torch_dtype", "bfloat16");
    ModelSpec s = ModelSpec.fromConfig(c, "test config");
    List<TensorInfo> t = ArchLayouts.synthesize(s, "test config");
    long perLayer = (12L * 64 * 512 + 512L * 512 + 2L * 1_024 * 512 + 512L * 1_024 + 2 * 512) * 2;
    assertEquals(2L * 1_000 * 512 * 2 + 4 * perLayer + 512 * 2, total(t));
  }

  @Test
  void aMissingLayoutFieldNamesTheFieldAndTheModel() {
    Map<String, Object> c =
        new HashMap<>(
            catalog.rawConfig(
                catalog.entries().stream()
                    .filter(e -> e.id().equals("Qwen/Qwen3-Next-80B-A3B-Thinking"))
                    .findFirst()
                    .orElseThrow()));
    c.remove("_source");
    c.remove("linear_num_value_heads");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> ModelSpec.fromConfig(c, "config.json at /m"));
    assertEquals(
        "config.json at /m: linear_num_value_heads is missing; it is required to size the"
            + " linear-attention layers and their per-request state; add it to the file or pass"
            + " --model-config with a complete config.json",
        e.getMessage());
  }

  @Test
  void gptOssMxfp4Experts_rankIntermediatePaddedTo64() {
    var model = ModelCatalog.builtIn().describe("openai/gpt-oss-120b").orElseThrow();
    var opts = io.github.sglangpreflight.model.WeightPlacementOptions.newestMain();
    // tp 2: each rank's intermediate 2880 / 2 = 1440 is padded to 1472 (mxfp4.py create_weights);
    // with --ep 2 a rank holds 64 whole experts (intermediate 2880, no padding) and 64 row biases
    long tp2 =
        io.github.sglangpreflight.model.WeightPlacement.perGpu(
                model, new io.github.sglangpreflight.model.Parallelism(2, 1, 1, 1, false, 1), opts)
            .worstRankBytes();
    long ep2 =
        io.github.sglangpreflight.model.WeightPlacement.perGpu(
                model, new io.github.sglangpreflight.model.Parallelism(2, 1, 1, 2, false, 1), opts)
            .worstRankBytes();
    // per expert per padded intermediate row: gate_up blocks H + scales 2 × H/32 + bias 2 × 2 B,
    // down blocks H/2 + scales H/32 = 2880 + 180 + 4 + 1440 + 90 = 4,594 B; 32 rows × 128 experts
    // × 36 layers; plus the 64 more down biases [H] bf16 per layer that tp 2 keeps whole
    long padding = 32L * 128 * 36 * 4_594;
    long rowBias = 64L * 2880 * 2 * 36;
    assertEquals(padding + rowBias, tp2 - ep2);
  }
}
