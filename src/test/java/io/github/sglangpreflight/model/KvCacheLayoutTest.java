package io.github.sglangpreflight.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class KvCacheLayoutTest {
  private static final KvCacheOptions V045 = KvCacheOptions.v0_4_5_post3();
  private static final KvCacheOptions MAIN = KvCacheOptions.newestMain();

  private static ModelSpec spec(String id) {
    return ModelCatalog.builtIn().describe(id).orElseThrow().spec();
  }

  private static Parallelism tp(int tp) {
    return new Parallelism(tp, 1, 1, 1, false, 1);
  }

  @Test
  void of_mla_isNotSplitByTpOrDp() {
    ModelSpec v3 = spec("deepseek-ai/DeepSeek-V3");
    long cell = (512 + 64) * 61 * 2;

    assertEquals(cell, KvCacheLayout.of(v3, tp(1), V045).bytesPerToken());
    assertEquals(cell, KvCacheLayout.of(v3, tp(8), V045).bytesPerToken());
    assertEquals(
        cell, KvCacheLayout.of(v3, new Parallelism(8, 1, 8, 1, true, 1), MAIN).bytesPerToken());
    assertEquals(
        cell / 2, KvCacheLayout.of(v3, tp(8), V045.withKvCacheDtype("fp8_e4m3")).bytesPerToken());
    assertTrue(KvCacheLayout.of(v3, tp(8), V045).mla());
  }

  @Test
  void of_gqa_keepsAtLeastOneKvHeadPerGpu() {
    ModelSpec q = spec("Qwen/Qwen3-235B-A22B");

    assertEquals(OptionalInt.of(2), KvCacheLayout.of(q, tp(2), V045).kvHeadsPerRank());
    assertEquals(2L * 256 * 94 * 2, KvCacheLayout.of(q, tp(2), V045).bytesPerToken());
    assertEquals(1L * 256 * 94 * 2, KvCacheLayout.of(q, tp(4), V045).bytesPerToken());
    assertEquals(1L * 256 * 94 * 2, KvCacheLayout.of(q, tp(8), V045).bytesPerToken());
  }

  @Test
  void of_dpAttention_splitsKvHeadsOverTheAttentionTpGroupOnly() {
    ModelSpec q = spec("Qwen/Qwen3-235B-A22B");

    // tp 8, dp 4: attn_tp 2 -> 4 / 2 = 2 heads per GPU
    assertEquals(
        OptionalInt.of(2),
        KvCacheLayout.of(q, new Parallelism(8, 1, 4, 1, true, 1), MAIN).kvHeadsPerRank());
  }

  @Test
  void of_autoKvDtype_followsTheModelDtypeAndDtypeFlag() {
    ModelSpec llama = spec("meta-llama/Llama-3.1-8B-Instruct");
    long bf16 = 8L * 256 * 32 * 2;

    assertEquals(bf16, KvCacheLayout.of(llama, tp(1), V045).bytesPerToken());
    assertEquals(
        2 * bf16,
        KvCacheLayout.of(llama, tp(1), V045.withDtype(Optional.of(WeightDtype.F32)))
            .bytesPerToken());
    assertEquals(
        bf16 / 2,
        KvCacheLayout.of(llama, tp(1), V045.withKvCacheDtype("fp8_e5m2")).bytesPerToken());
  }

  @Test
  void of_vHeadDimUnlikeHeadDim_differsBetweenVersions() throws IOException {
    ModelSpec s =
        ModelSpec.fromConfig(
            JSON.std.mapFrom(
                """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 512,
                 "num_hidden_layers": 10, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "head_dim": 128, "v_head_dim": 64, "vocab_size": 100, "torch_dtype": "bfloat16"}
                """),
            "test");

    assertEquals(2L * 256 * 10 * 2, KvCacheLayout.of(s, tp(1), V045).bytesPerToken());
    assertEquals(2L * 192 * 10 * 2, KvCacheLayout.of(s, tp(1), MAIN).bytesPerToken());
  }

  @Test
  void of_pipeline_sizesEachStageForItsLayers() {
    ModelSpec q = spec("Qwen/Qwen3-235B-A22B");
    KvCacheLayout kv = KvCacheLayout.of(q, new Parallelism(8, 4, 1, 1, false, 4), MAIN);

    assertEquals(
        List.of(23, 23, 24, 24), kv.stages().stream().map(KvCacheLayout.StageKv::layers).toList());
    assertEquals(256L * 24 * 2, kv.bytesPerToken());
  }

  @Test
  void of_gemma2SlidingWindowLayers_stillCountAsFull() {
    ModelSpec g = spec("google/gemma-2-9b-it");
    KvCacheLayout kv = KvCacheLayout.of(g, tp(1), MAIN);

    assertEquals(8L * 512 * 42 * 2, kv.bytesPerToken());
    assertEquals(0, kv.stages().get(0).slidingWindowLayers());
  }

  @Test
  void of_llama4OnMain_marksTheHybridSwaPools() {
    ModelSpec scout = spec("meta-llama/Llama-4-Scout-17B-16E-Instruct");
    KvCacheLayout main = KvCacheLayout.of(scout, tp(8), MAIN);
    KvCacheLayout old = KvCacheLayout.of(scout, tp(8), V045);

    assertTrue(main.hybridSwa());
    assertEquals(12, main.stages().get(0).fullAttentionLayers());
    assertEquals(36, main.stages().get(0).slidingWindowLayers());
    assertEquals(false, old.hybridSwa());
    assertEquals(old.bytesPerToken(), main.bytesPerToken());
  }

  @Test
  void bytesPerTokenWithDraft_scalesByDraftLayersOverLayers() {
    KvCacheLayout kv = KvCacheLayout.of(spec("deepseek-ai/DeepSeek-V3"), tp(8), MAIN);

    // int(70272 * (1 + 1/61)) (pool_configurator.py L167-185 @main)
    assertEquals((long) (70272 * (1 + 1.0 / 61)), kv.bytesPerTokenWithDraft(1));
    assertEquals(70272 / 61, kv.draftBytesPerToken(1));
    assertEquals(70272, kv.bytesPerTokenWithDraft(0));
  }

  @Test
  void profiledTokens_mirrorsProfileMaxNumTokenAndPageRounding() {
    // SGLang docs run: 63.72 - 78.81 * 0.12 = 54.2628 GiB over 131072 B per token
    long tokens = (long) Math.floor((63.72 - 78.81 * (1 - 0.88)) * (1L << 30) / 131072);

    assertEquals(tokens, KvCacheLayout.profiledTokens(63.72, 78.81, 0.88, 131072, 1));
    assertEquals(tokens / 64 * 64, KvCacheLayout.profiledTokens(63.72, 78.81, 0.88, 131072, 64));
    assertTrue(KvCacheLayout.profiledTokens(5.0, 78.81, 0.88, 131072, 1) <= 0);
  }

  @Test
  void of_unknownKvCacheDtype_isRefusedWithTheAcceptedValues() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> KvCacheLayout.of(spec("Qwen/Qwen3-8B"), tp(1), V045.withKvCacheDtype("int4")));

    assertEquals("--kv-cache-dtype", e.input());
    assertEquals(
        "--kv-cache-dtype int4 is not a value this build sizes; use auto, fp8_e5m2, fp8_e4m3,"
            + " fp4_e2m1 or bf16",
        e.getMessage());
  }

  @Test
  void of_formula_showsTheNumbers() {
    KvCacheLayout kv = KvCacheLayout.of(spec("Qwen/Qwen3-14B"), tp(1), V045);

    assertEquals(
        "MHA: max(1, 8 KV heads / attn_tp 1) = 8 × 2 × head_dim 128 = 2048 values × 40 layers"
            + " × 2 B = 163,840 B per token",
        kv.formula());
  }
}
