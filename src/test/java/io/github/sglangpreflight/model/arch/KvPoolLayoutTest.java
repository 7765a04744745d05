package io.github.sglangpreflight.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.model.KvCacheLayout;
import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.model.KvPoolLayout;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.source.ModelCatalog;
import org.junit.jupiter.api.Test;

/** KV cells derived by hand, one model per pool kind (pool_configurator.py @003fca80). */
class KvPoolLayoutTest {
  private static final KvCacheOptions MAIN = KvCacheOptions.newestMain();

  private static ModelSpec spec(String id) {
    return ModelCatalog.builtIn().describe(id).orElseThrow().spec();
  }

  private static Parallelism tp(int n) {
    return new Parallelism(n, 1, 1, 1, false, 1);
  }

  @Test
  void gptOss120bSplitsEighteenFullAndEighteenSlidingLayers() {
    // 8 KV heads × (64 + 64) × 2 B = 2,048 B per token per layer; layer_types alternate.
    KvPoolLayout p = KvPoolLayout.of(spec("openai/gpt-oss-120b"), tp(1), MAIN);
    assertTrue(p.hybridSwa());
    assertEquals(128, p.slidingWindow());
    assertEquals(KvPoolLayout.Kind.FULL_ATTENTION, p.pools().get(0).kind());
    assertEquals(18, p.pools().get(0).layers());
    assertEquals(2_048, p.pools().get(0).bytesPerUnitPerLayer());
    assertEquals(KvPoolLayout.Kind.SLIDING_WINDOW, p.pools().get(1).kind());
    assertEquals(18, p.pools().get(1).layers());
    // full × 18 + 0.8 × swa × 18 = 36,864 + 29,491.2
    assertEquals(36_864 + 29_491.2, p.tokenCoefficientBytes(0.8), 1e-6);
    // the budget's per-token figure stays the every-layer upper bound: 36 × 2,048
    assertEquals(
        73_728, KvCacheLayout.of(spec("openai/gpt-oss-120b"), tp(1), MAIN).bytesPerToken());
  }

  @Test
  void qwen3NextKeepsKvForTwelveLayersAndStateForThirtySix() {
    ModelSpec s = spec("Qwen/Qwen3-Next-80B-A3B-Thinking");
    // 12 full layers × max(1, 2/2) head × (256 + 256) × 2 B
    assertEquals(12L * 512 * 2, KvCacheLayout.of(s, tp(2), MAIN).bytesPerToken());
    KvPoolLayout p = KvPoolLayout.of(s, tp(2), MAIN);
    KvPoolLayout.Pool state = p.pools().get(p.pools().size() - 1);
    assertEquals(KvPoolLayout.Kind.LINEAR_STATE, state.kind());
    assertEquals(36, state.layers());
    // conv: (2·16·128 + 32·128)/2 = 4,096 × 3 × 2 B = 24,576; state: 16 × 128 × 128 × 4 B
    assertEquals(24_576 + 1_048_576, state.bytesPerUnitPerLayer());
    assertEquals(36L * 1_073_152, p.stateBytesPerRequest());
    // 10 GiB × 0.9 / 1.9 / 38,633,472 B = 131.65 requests
    assertEquals(131, p.mambaRequests(10.0 * (1L << 30), 0.9));
    assertFalse(p.hybridSwa());
  }

  @Test
  void deepseekV32AddsTheIndexerKeyToTheMlaLatent() {
    ModelSpec s = spec("deepseek-ai/DeepSeek-V3.2");
    // 61 × ((512 + 64) × 2 B + 128 + 128/128 × 4)
    assertEquals(61L * (1_152 + 132), KvCacheLayout.of(s, tp(8), MAIN).bytesPerToken());
    // fp8: 512 + 512/128 × 4 + 64 × 2 (bf16 rope) = 656 B, plus the 132 B indexer key
    assertEquals(
        61L * (656 + 132),
        KvCacheLayout.of(s, tp(8), MAIN.withKvCacheDtype("fp8_e4m3")).bytesPerToken());
    KvPoolLayout p = KvPoolLayout.of(s, tp(8), MAIN);
    assertEquals(KvPoolLayout.Kind.MLA_LATENT, p.pools().get(0).kind());
    assertEquals(KvPoolLayout.Kind.DSA_INDEXER, p.pools().get(1).kind());
    assertEquals(132, p.pools().get(1).bytesPerUnitPerLayer());
    assertEquals(61 * 1_284, p.tokenCoefficientBytes(0.8), 1e-9);
  }

  @Test
  void fp4KvHalvesTheValuesAndAddsScalesAndOneWorkspace() {
    // Qwen3-32B tp1: 8 heads, head_dim 128, 64 layers: 8·256·64/2 + 8·128·64·2/16 + 8·128·2
    assertEquals(
        65_536 + 8_192 + 2_048,
        KvCacheLayout.of(spec("Qwen/Qwen3-32B"), tp(1), MAIN.withKvCacheDtype("fp4_e2m1"))
            .bytesPerToken());
    // DeepSeek-V3 MLA: 576 · 61 / 2 + 576/16 · 61
    assertEquals(
        17_568 + 2_196,
        KvCacheLayout.of(spec("deepseek-ai/DeepSeek-V3"), tp(8), MAIN.withKvCacheDtype("fp4_e2m1"))
            .bytesPerToken());
  }

  @Test
  void gemma3IsNotHybridSwaInSglangSoEveryLayerIsFull() {
    // 62 layers × 16/2 heads × (128 + 128) × 2 B
    ModelSpec g = spec("google/gemma-3-27b-it");
    assertEquals(62L * 8 * 256 * 2, KvCacheLayout.of(g, tp(2), MAIN).bytesPerToken());
    assertFalse(KvPoolLayout.of(g, tp(2), MAIN).hybridSwa());
    assertEquals(52, g.arch().count(io.github.sglangpreflight.model.ArchFacts.LayerKind.SLIDING));
  }

  @Test
  void profiledTokens_hybridSwa_dividesByFullPlusRatioTimesSwa() {
    KvPoolLayout p = KvPoolLayout.of(spec("openai/gpt-oss-120b"), tp(1), MAIN);
    // 10 GiB // (18 × 2,048 + 0.8 × 18 × 2,048) = 10,737,418,240 / 66,355.2 = 161,817.3
    assertEquals(161_817, p.profiledTokens(10.0 * (1L << 30), KvPoolLayout.Sizing.defaults()));
    // ratio 1.0: every layer a full cell, 10 GiB / 73,728 B
    assertEquals(
        145_635,
        p.profiledTokens(
            10.0 * (1L << 30), new KvPoolLayout.Sizing(1.0, 0.9, java.util.OptionalInt.empty())));
    // bytes: 161,817 × 66,355.2 rounded up, no state pool
    assertEquals(10_737_399_399L, p.poolBytes(161_817, KvPoolLayout.Sizing.defaults()));
  }

  @Test
  void profiledTokens_stateSlotsFirst_thenFullAttentionTokens() {
    KvPoolLayout p = KvPoolLayout.of(spec("Qwen/Qwen3-Next-80B-A3B-Thinking"), tp(2), MAIN);
    double rest = 10.0 * (1L << 30);
    // 131 slots × 38,633,472 B = 5,060,984,832 B; (10,737,418,240 − that) // 12,288 B
    assertEquals(131, p.stateRequests(rest, KvPoolLayout.Sizing.defaults()));
    assertEquals(461_949, p.profiledTokens(rest, KvPoolLayout.Sizing.defaults()));
    // --max-mamba-cache-size 50: 50 slots, (rest − 1,931,673,600) // 12,288
    KvPoolLayout.Sizing capped = new KvPoolLayout.Sizing(0.8, 0.9, java.util.OptionalInt.of(50));
    assertEquals(50, p.stateRequests(rest, capped));
    assertEquals(716_613, p.profiledTokens(rest, capped));
    assertEquals(716_613L * 12_288 + 50L * 38_633_472, p.poolBytes(716_613, capped));
    // nothing left after the slots: no token
    assertEquals(
        0,
        p.profiledTokens(1.0e9, new KvPoolLayout.Sizing(0.8, 0.9, java.util.OptionalInt.of(50))));
  }
}
