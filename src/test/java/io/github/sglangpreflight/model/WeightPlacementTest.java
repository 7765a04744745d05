package io.github.sglangpreflight.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class WeightPlacementTest {
  private static final WeightPlacementOptions V045 = WeightPlacementOptions.v0_4_5_post3();
  private static final WeightPlacementOptions MAIN = WeightPlacementOptions.newestMain();

  private static ModelDescription catalog(String id) {
    return ModelCatalog.builtIn().describe(id).orElseThrow();
  }

  private static ModelDescription synthesized(String configJson) throws IOException {
    ModelSpec spec = ModelSpec.fromConfig(JSON.std.mapFrom(configJson), "test");
    return new ModelDescription(
        "test",
        ModelDescription.Origin.CONFIG_FILE,
        "test",
        spec,
        TensorInventory.synthesize(spec, "test"),
        ModelDescription.TensorSource.SYNTHESIZED,
        List.of());
  }

  private static Parallelism tp(int tp) {
    return new Parallelism(tp, 1, 1, 1, false, 1);
  }

  /** Bytes of a block-fp8 weight [n, k]: 1 B per element plus a float32 per 128×128 block. */
  private static long fp8(long n, long k) {
    return n * k + 4 * ceil(n, 128) * ceil(k, 128);
  }

  private static long ceil(long a, long b) {
    return (a + b - 1) / b;
  }

  private static long part(WeightsPerGpu.RankWeights r, String name) {
    return r.part(name).orElseThrow(() -> new AssertionError("no part " + name)).bytes();
  }

  @Test
  void perGpu_deepSeekV3DpAttentionOn8Gpus_replicatesAttentionAndEmbedding() {
    // v0.4.5.post3, --tp 8 --dp 8 --enable-dp-attention: attn_tp = 1.
    WeightsPerGpu w =
        WeightPlacement.perGpu(
            catalog("deepseek-ai/DeepSeek-V3"), new Parallelism(8, 1, 8, 1, true, 1), V045);
    WeightsPerGpu.RankWeights r = w.worstRank();
    long h = 7168;
    long layers = 61;
    long moeLayers = 58;
    long denseLayers = 3;

    // Attention whole on every GPU: q_a, q_b (128 heads x 192), kv_a (512 + 64), kv_b
    // (128 x 256), o_proj (16384 -> 7168), each block-fp8.
    long attention =
        layers
            * (fp8(1536, h)
                + fp8(128 * 192, 1536)
                + fp8(576, h)
                + fp8(128 * 256, 512)
                + fp8(h, 128 * 128));
    // Routed experts: the MoE stays split over the 8-GPU TP group: 2048 / 8 = 256 per expert.
    long experts = moeLayers * 256 * (2 * fp8(256, h) + fp8(h, 256));
    // Shared expert fused as 8 replicas of its TP shard (n_share_experts_fusion = tp_size).
    long shared = moeLayers * 8 * (2 * fp8(256, h) + fp8(h, 256));
    long embedding = 129280 * h * 2;
    long lmHead = 129280 / 8 * h * 2;
    long router = moeLayers * (256 * h * 2 + 256 * 2);
    long denseMlp = denseLayers * (2 * fp8(18432 / 8, h) + fp8(h, 18432 / 8));
    long mlaCopies = layers * 128 * 256 * 512;
    long norms = layers * (1536 + 512 + 2 * h) * 2 + h * 2;

    assertEquals(attention, part(r, "attention"));
    assertEquals(experts, part(r, "routed experts"));
    assertEquals(shared, part(r, "shared experts"));
    assertEquals(embedding, part(r, "embedding"));
    assertEquals(lmHead, part(r, "lm_head"));
    assertEquals(router, part(r, "MoE router"));
    assertEquals(denseMlp, part(r, "dense MLP"));
    assertEquals(mlaCopies, part(r, "MLA w_kc/w_vc copies"));
    assertEquals(norms, part(r, "norms"));
    assertEquals(
        attention + experts + shared + embedding + lmHead + router + denseMlp + mlaCopies + norms,
        w.worstRankBytes());
  }

  @Test
  void perGpu_deepSeekV3DpAttention_costsTheUnsplitAttentionEmbeddingAndCopies() {
    ModelDescription m = catalog("deepseek-ai/DeepSeek-V3");
    WeightsPerGpu.RankWeights dp =
        WeightPlacement.perGpu(m, new Parallelism(8, 1, 8, 1, true, 1), V045).worstRank();
    WeightsPerGpu.RankWeights plain = WeightPlacement.perGpu(m, tp(8), V045).worstRank();

    long extra = dp.bytes() - plain.bytes();
    long expected =
        (part(dp, "attention") - part(plain, "attention"))
            + (part(dp, "embedding") - part(plain, "embedding"))
            + (part(dp, "MLA w_kc/w_vc copies") - part(plain, "MLA w_kc/w_vc copies"));
    assertEquals(expected, extra);
    // q_a/kv_a are replicated in both; q_b, kv_b, o_proj and their scales are 8x larger.
    long splitAttention = 61 * (fp8(128 * 192, 1536) + fp8(128 * 256, 512) + fp8(7168, 128 * 128));
    long splitAttentionPerRank =
        61 * (fp8(128 * 192 / 8, 1536) + fp8(128 * 256 / 8, 512) + fp8(7168, 128 * 128 / 8));
    assertEquals(
        splitAttention - splitAttentionPerRank, part(dp, "attention") - part(plain, "attention"));
  }

  @Test
  void perGpu_mainAttentionTpGroupOf2_splitsTheEmbeddingOverIt() {
    // --tp 8 --dp 4 --enable-dp-attention: attn_tp = 2. v0.4.5.post3 replicates the
    // embedding; main splits it over the attention-TP group.
    ModelDescription m = catalog("deepseek-ai/DeepSeek-V3");
    Parallelism p = new Parallelism(8, 1, 4, 1, true, 1);

    assertEquals(
        129280L * 7168 * 2, part(WeightPlacement.perGpu(m, p, V045).worstRank(), "embedding"));
    assertEquals(
        129280L / 2 * 7168 * 2, part(WeightPlacement.perGpu(m, p, MAIN).worstRank(), "embedding"));
    assertEquals(
        129280L / 2 * 7168 * 2,
        part(WeightPlacement.perGpu(m, p, MAIN.withDpLmHead(true)).worstRank(), "lm_head"));
  }

  @Test
  void perGpu_kvHeadsFewerThanTp_duplicatesKAndV() {
    // Qwen3-235B: 4 KV heads on 8 GPUs -> each GPU holds 1 head (linear.py L803-809).
    WeightsPerGpu.RankWeights r =
        WeightPlacement.perGpu(catalog("Qwen/Qwen3-235B-A22B"), tp(8), V045).worstRank();

    long perLayer = (8192 / 8 + 2 * 128) * 4096L * 2 + 4096L * (8192 / 8) * 2;
    assertEquals(94 * perLayer, part(r, "attention"));
  }

  @Test
  void perGpu_vocabNotAMultipleOf64_isPaddedBeforeTheSplit() throws IOException {
    ModelDescription m =
        synthesized(
            """
            {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "vocab_size": 32001, "intermediate_size": 128,
             "torch_dtype": "bfloat16"}
            """);

    WeightsPerGpu.RankWeights r = WeightPlacement.perGpu(m, tp(2), V045).worstRank();

    assertEquals(32064 / 2 * 64 * 2, part(r, "embedding"));
    assertEquals(32064 / 2 * 64 * 2, part(r, "lm_head"));
  }

  @Test
  void perGpu_tiedEmbeddings_areHeldOnceWithoutPpAndTwiceWithPp() {
    ModelDescription gemma = catalog("google/gemma-2-9b-it");
    long embedding = 256000L * 3584 * 2;

    WeightsPerGpu one = WeightPlacement.perGpu(gemma, tp(1), MAIN);
    WeightsPerGpu two = WeightPlacement.perGpu(gemma, new Parallelism(1, 2, 1, 1, false, 1), MAIN);

    assertEquals(Optional.empty(), one.worstRank().part("lm_head"));
    assertEquals(embedding, part(two.stages().get(0), "embedding"));
    assertEquals(embedding, part(two.stages().get(1), "lm_head"));
    assertEquals(
        one.worstRankBytes() + embedding,
        two.stages().get(0).bytes() + two.stages().get(1).bytes());
  }

  @Test
  void layerRanges_94LayersOn4Stages_followEachVersionsSplit() {
    assertEquals(
        List.of(
            new WeightPlacement.LayerRange(0, 0, 23),
            new WeightPlacement.LayerRange(1, 23, 46),
            new WeightPlacement.LayerRange(2, 46, 69),
            new WeightPlacement.LayerRange(3, 69, 94)),
        WeightPlacement.layerRanges(
            94, 4, WeightPlacementOptions.PpLayerSplit.LAST_TAKES_REMAINDER, Optional.empty()));
    assertEquals(
        List.of(
            new WeightPlacement.LayerRange(0, 0, 23),
            new WeightPlacement.LayerRange(1, 23, 46),
            new WeightPlacement.LayerRange(2, 46, 70),
            new WeightPlacement.LayerRange(3, 70, 94)),
        WeightPlacement.layerRanges(
            94,
            4,
            WeightPlacementOptions.PpLayerSplit.LAST_STAGES_TAKE_ONE_MORE,
            Optional.empty()));
  }

  @Test
  void layerRanges_partitionThatDoesNotFit_isRefusedLikeSglang() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                WeightPlacement.layerRanges(
                    94,
                    4,
                    WeightPlacementOptions.PpLayerSplit.LAST_TAKES_REMAINDER,
                    Optional.of(List.of(30, 30, 30))));

    assertEquals("SGLANG_PP_LAYER_PARTITION", e.input());
    assertEquals(
        "SGLANG_PP_LAYER_PARTITION [30, 30, 30] gives 3 stages and 90 layers, but the launch has"
            + " --pp-size 4 and the model 94 layers; list one layer count per stage that adds up"
            + " to 94",
        e.getMessage());
  }

  @Test
  void perGpu_pipeline_putsEmbeddingFirstAndLmHeadLastExceptForQwen3Moe() {
    Parallelism pp2 = new Parallelism(1, 2, 1, 1, false, 1);
    WeightsPerGpu llama = WeightPlacement.perGpu(catalog("Qwen/Qwen3-8B"), pp2, MAIN);
    WeightsPerGpu moe = WeightPlacement.perGpu(catalog("Qwen/Qwen3-30B-A3B"), pp2, MAIN);

    assertTrue(llama.stages().get(0).part("lm_head").isEmpty());
    assertTrue(llama.stages().get(1).part("embedding").isEmpty());
    // qwen3_moe.py builds its ParallelLMHead on every PP stage (L959-965 @main)
    assertTrue(moe.stages().get(0).part("lm_head").isPresent());
    assertTrue(moe.stages().get(1).part("lm_head").isPresent());
  }

  @Test
  void perGpu_expertParallel_holdsWholeExpertsWithTheSameBytes() {
    ModelDescription mixtral = catalog("mistralai/Mixtral-8x7B-Instruct-v0.1");
    WeightsPerGpu.RankWeights ep =
        WeightPlacement.perGpu(mixtral, new Parallelism(2, 1, 1, 2, false, 1), V045).worstRank();
    WeightsPerGpu.RankWeights tpOnly = WeightPlacement.perGpu(mixtral, tp(2), V045).worstRank();

    // 4 of 8 experts whole, or 8 experts with half the intermediate size each
    long expected = 32L * 4 * 3 * 14336 * 4096 * 2;
    assertEquals(expected, part(ep, "routed experts"));
    assertEquals(expected, part(tpOnly, "routed experts"));
    assertTrue(ep.part("routed experts").orElseThrow().formula().contains("[14336, 4096]"));
  }

  @Test
  void perGpu_sharedExpertFusionV045_holdsTheWholeSharedExpertOnEveryGpu() {
    ModelDescription m = catalog("deepseek-ai/DeepSeek-V3");
    long fused = part(WeightPlacement.perGpu(m, tp(8), V045).worstRank(), "shared experts");
    long separate =
        part(
            WeightPlacement.perGpu(
                    m,
                    tp(8),
                    V045.withSharedExpertFusion(WeightPlacementOptions.SharedExpertFusion.NONE))
                .worstRank(),
            "shared experts");

    assertEquals(58 * (2 * fp8(2048, 7168) + fp8(7168, 2048)), fused);
    assertEquals(58 * (2 * fp8(256, 7168) + fp8(7168, 256)), separate);
  }

  @Test
  void perGpu_moeDenseTpSize1_replicatesTheDenseLayers() {
    ModelDescription m = catalog("deepseek-ai/DeepSeek-V3");
    long dense =
        part(
            WeightPlacement.perGpu(m, tp(8), V045.withMoeDenseTpSize(OptionalInt.of(1)))
                .worstRank(),
            "dense MLP");

    assertEquals(3 * (2 * fp8(18432, 7168) + fp8(7168, 18432)), dense);
  }

  @Test
  void perGpu_mainDequantizesMlaCopiesToBf16() {
    ModelDescription m = catalog("deepseek-ai/DeepSeek-V3");

    assertEquals(
        61L * 4096 * 512,
        part(WeightPlacement.perGpu(m, tp(8), V045).worstRank(), "MLA w_kc/w_vc copies"));
    assertEquals(
        61L * 4096 * 512 * 2,
        part(WeightPlacement.perGpu(m, tp(8), MAIN).worstRank(), "MLA w_kc/w_vc copies"));
  }

  @Test
  void perGpu_onlineFp8OnQwen3Moe_keepsTheBf16ExpertsOnlyWhereTheCodeDoes() {
    ModelDescription m = catalog("Qwen/Qwen3-235B-A22B");
    Parallelism p = new Parallelism(8, 4, 1, 1, false, 4);
    WeightsPerGpu.RankWeights bf16 =
        WeightPlacement.perGpu(m, p, WeightPlacementOptions.v0_4_9()).stages().get(0);
    WeightsPerGpu.RankWeights v049 =
        WeightPlacement.perGpu(m, p, WeightPlacementOptions.v0_4_9().withOnlineFp8(true))
            .stages()
            .get(0);
    WeightsPerGpu.RankWeights main =
        WeightPlacement.perGpu(m, p, MAIN.withOnlineFp8(true)).stages().get(0);

    assertEquals(part(bf16, "routed experts"), part(v049, "bf16 experts kept by online fp8"));
    assertEquals(part(bf16, "routed experts") / 2, part(v049, "routed experts"));
    assertTrue(main.part("bf16 experts kept by online fp8").isEmpty());
    assertEquals(part(bf16, "attention") / 2, part(main, "attention"));
    assertEquals(part(bf16, "embedding"), part(main, "embedding"));
  }

  @Test
  void perGpu_dtypeFloat32_doublesTheBf16Weights() {
    ModelDescription m = catalog("Qwen/Qwen3-8B");
    long bf16 = WeightPlacement.perGpu(m, tp(1), MAIN).worstRankBytes();
    long fp32 =
        WeightPlacement.perGpu(m, tp(1), MAIN.withDtype(Optional.of(WeightDtype.F32)))
            .worstRankBytes();

    assertEquals(2 * bf16, fp32);
    assertEquals(m.tensorBytes(), bf16);
  }

  @Test
  void perGpu_deepSeekMtpLayer_isDraftOnly() {
    WeightsPerGpu w = WeightPlacement.perGpu(catalog("deepseek-ai/DeepSeek-V3"), tp(8), V045);
    WeightsPerGpu.RankWeights draft = w.nextnDraft().orElseThrow();

    assertEquals(61, w.worstRank().endLayer());
    assertEquals(61, draft.startLayer());
    assertEquals(7168L * 14336 * 2, part(draft, "MTP eh_proj"));
    assertEquals(0, part(draft, "embedding and lm_head (shared with the target)"));
    assertTrue(
        WeightPlacement.perGpu(catalog("Qwen/Qwen3-8B"), tp(8), V045).nextnDraft().isEmpty());
  }

  @Test
  void perGpu_measuredVisionTensors_stayWholeOnTheFirstStage() throws IOException {
    ModelDescription text = catalog("Qwen/Qwen3-8B");
    List<TensorInfo> tensors = new ArrayList<>(text.tensors());
    tensors.add(TensorInfo.of("visual.blocks.0.attn.qkv.weight", WeightDtype.BF16, 3840, 1280));
    ModelDescription vl =
        new ModelDescription(
            "vl",
            ModelDescription.Origin.LOCAL_DIR,
            "/m/vl",
            text.spec(),
            tensors,
            ModelDescription.TensorSource.MEASURED,
            List.of());

    WeightsPerGpu w = WeightPlacement.perGpu(vl, new Parallelism(2, 2, 1, 1, false, 1), MAIN);

    assertEquals(3840L * 1280 * 2, part(w.stages().get(0), "vision tower"));
    assertTrue(w.stages().get(1).part("vision tower").isEmpty());
  }

  @Test
  void perGpu_blockFp8ExpertsNotFillingBlocks_isRefusedLikeSglang() {
    ModelDescription m = catalog("Qwen/Qwen3-235B-A22B-FP8");

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> WeightPlacement.perGpu(m, tp(8), MAIN));

    assertEquals("--tp-size", e.input());
    assertEquals(
        "Qwen/Qwen3-235B-A22B-FP8 cannot load with --tp-size 8: each GPU's share of the expert"
            + " intermediate size is 1536 / 8 = 192, not a multiple of the fp8 block 128, and"
            + " SGLang refuses such a layer; choose a --tp-size (or --ep-size) that leaves a"
            + " multiple of 128 per GPU",
        e.getMessage());
    assertTrue(
        WeightPlacement.perGpu(m, new Parallelism(8, 1, 1, 8, false, 1), MAIN).worstRankBytes()
            > 0);
  }
}
