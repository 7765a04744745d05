package io.github.sglangpreflight.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The KV cache's bytes per token on one GPU, as SGLang sizes its token pool. Pure.
 *
 * <ul>
 *   <li>MLA: {@code (kv_lora_rank + qk_rope_head_dim) × layers × e}, not split by TP or DP
 *       (model_runner.py L700-705 @v0.4.5.post3; pool_configurator.py L221-231 @main).
 *   <li>MHA/GQA: {@code max(1, kv_heads / attn_tp) × (head_dim + v_head_dim) × layers × e}
 *       (pool_configurator.py L298-306 @main); v0.4.5.post3 writes {@code head_dim × 2}
 *       (model_runner.py L706-713), the same number unless {@code v_head_dim ≠ head_dim}.
 *   <li>{@code layers} are the layers of the GPU's pipeline stage ({@code num_effective_layers}
 *       from v0.4.9); {@code e} is the model dtype's size for {@code --kv-cache-dtype auto}, 1 for
 *       fp8. The page size does not change the bytes per token.
 *   <li>Gemma-2's sliding-window layers still get full-length slots at both revisions (gemma2 is
 *       not a hybrid-SWA architecture; model_config.py L2027-2058 @main), so they count like the
 *       others.
 * </ul>
 *
 * @param mla whether the cache is MLA (one latent vector per token per layer)
 * @param elementBytes bytes per cached value
 * @param kvHeadsPerRank MHA/GQA: {@code max(1, kv_heads / attn_tp)}; empty for MLA
 * @param valuesPerTokenPerLayer MLA: {@code kv_lora_rank + qk_rope_head_dim}; MHA: {@code
 *     kvHeadsPerRank × (head_dim + v_head_dim)} (or {@code × 2 × head_dim})
 * @param stages one entry per pipeline stage, first stage first
 * @param hybridSwa whether SGLang splits this model's pool into full and sliding-window pools (then
 *     {@link StageKv#bytesPerToken} counts every layer as full: an upper bound per token)
 * @param formula the computation with the numbers
 * @param source the SGLang code it follows
 */
public record KvCacheLayout(
    boolean mla,
    int elementBytes,
    OptionalInt kvHeadsPerRank,
    int valuesPerTokenPerLayer,
    List<StageKv> stages,
    boolean hybridSwa,
    String formula,
    String source) {

  /**
   * The KV cache of one pipeline stage's GPUs.
   *
   * @param ppRank the stage
   * @param layers the decoder layers of the stage (all hold KV)
   * @param fullAttentionLayers layers with full-length attention
   * @param slidingWindowLayers layers SGLang gives a sliding-window pool (hybrid SWA only)
   * @param bytesPerToken the cell size: bytes one token occupies on one GPU of the stage
   */
  public record StageKv(
      int ppRank,
      int layers,
      int fullAttentionLayers,
      int slidingWindowLayers,
      long bytesPerToken) {}

  public KvCacheLayout {
    Objects.requireNonNull(kvHeadsPerRank, "kvHeadsPerRank");
    Objects.requireNonNull(formula, "formula");
    Objects.requireNonNull(source, "source");
    stages = List.copyOf(stages);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("stages must not be empty");
    }
  }

  /**
   * The KV layout of {@code spec} under {@code parallelism}.
   *
   * @throws io.github.sglangpreflight.errors.InvalidInputException when {@code --kv-cache-dtype} is
   *     unknown or {@code SGLANG_PP_LAYER_PARTITION} does not fit
   */
  public static KvCacheLayout of(ModelSpec spec, Parallelism parallelism, KvCacheOptions options) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(parallelism, "parallelism");
    Objects.requireNonNull(options, "options");
    int e = options.elementBytes(spec);
    List<WeightPlacement.LayerRange> ranges =
        WeightPlacement.layerRanges(
            spec.numHiddenLayers(),
            parallelism.ppSize(),
            options.ppLayerSplit(),
            options.ppLayerPartition());
    boolean hybrid =
        options.hybridSwaPools()
            && (spec.architecture().equals("Llama4ForConditionalGeneration")
                    && spec.attentionChunkSize().isPresent()
                || spec.family() == ModelSpec.Family.GPT_OSS
                    && spec.arch().count(ArchFacts.LayerKind.SLIDING) > 0);
    // Linear-attention (mamba-ish) layers hold no per-token KV: only the full-attention layers
    // of the stage count (pool_configurator.py DefaultPoolConfigurator @003fca80).
    boolean mambaish = spec.arch().count(ArchFacts.LayerKind.LINEAR) > 0;
    // DSA (DeepSeek-V3.2, GLM-5): fp8 latent with block scales and a bf16 rope part per layer
    // (calculate_mla_kv_cache_dim, kv_cache_configurator.py @003fca80) plus the indexer key.
    boolean dsa = spec.usesMla() && spec.arch().indexer().isPresent();
    int perLayer;
    OptionalInt headsPerRank;
    String formulaHead;
    String source;
    if (spec.mla().isPresent()) {
      ModelSpec.Mla m = spec.mla().get();
      perLayer = m.kvCacheDim();
      if (dsa && "fp8_e4m3".equals(options.kvCacheDtype())) {
        perLayer = m.kvLoraRank() + m.kvLoraRank() / 128 * 4 + m.qkRopeHeadDim() * 2;
      }
      headsPerRank = OptionalInt.empty();
      formulaHead =
          String.format(
              Locale.ROOT,
              "MLA: (kv_lora_rank %d + qk_rope_head_dim %d) = %d values",
              m.kvLoraRank(),
              m.qkRopeHeadDim(),
              perLayer);
      source =
          "model_runner.py L700-705 @v0.4.5.post3; pool_configurator.py L221-231 @main;"
              + " memory_pool.py MLATokenToKVPool (one [tokens, 1, kv_lora_rank + rope] buffer per"
              + " layer)";
    } else {
      int attnTp = parallelism.attnTpSize();
      int heads = Math.max(1, spec.numKeyValueHeads() / attnTp);
      headsPerRank = OptionalInt.of(heads);
      boolean twoHeadDim = options.cellFormula() == KvCacheOptions.CellFormula.TWO_HEAD_DIM;
      int width = twoHeadDim ? 2 * spec.headDim() : spec.headDim() + spec.vHeadDim();
      perLayer = heads * width;
      formulaHead =
          String.format(
              Locale.ROOT,
              "MHA: max(1, %d KV heads / attn_tp %d) = %d × %s = %d values",
              spec.numKeyValueHeads(),
              attnTp,
              heads,
              twoHeadDim
                  ? "2 × head_dim " + spec.headDim()
                  : "(head_dim " + spec.headDim() + " + v_head_dim " + spec.vHeadDim() + ")",
              perLayer);
      source =
          twoHeadDim
              ? "model_runner.py L706-713 @v0.4.5.post3 (get_num_kv_heads, model_config.py"
                  + " L242-249)"
              : "pool_configurator.py L298-306 @main (get_num_kv_heads)";
    }
    List<StageKv> stages = new ArrayList<>();
    StringBuilder layersText = new StringBuilder();
    for (WeightPlacement.LayerRange r : ranges) {
      int swa = 0;
      if (hybrid) {
        swa =
            spec.arch().count(ArchFacts.LayerKind.SLIDING, r.startLayer(), r.endLayer())
                + spec.arch().count(ArchFacts.LayerKind.CHUNKED, r.startLayer(), r.endLayer());
      }
      int kvLayers =
          mambaish
              ? spec.arch().count(ArchFacts.LayerKind.FULL, r.startLayer(), r.endLayer())
              : r.layers();
      long cell = (long) perLayer * kvLayers * e;
      if (options.fp4()) {
        cell = fp4Cell(spec, perLayer, kvLayers, headsPerRank);
      }
      if (dsa) {
        int d = spec.arch().indexer().get().headDim();
        cell += (long) (d + d / 128 * 4) * kvLayers;
      }
      stages.add(new StageKv(r.ppRank(), kvLayers, kvLayers - swa, swa, cell));
      if (layersText.length() > 0) {
        layersText.append(", ");
      }
      layersText.append(kvLayers);
    }
    String formula =
        String.format(
            Locale.ROOT,
            "%s × %s layers × %d B = %s B per token",
            formulaHead,
            ranges.size() == 1 ? layersText : "[" + layersText + "] (per PP stage)",
            e,
            ranges.size() == 1
                ? String.format(Locale.ROOT, "%,d", stages.get(0).bytesPerToken())
                : stagesText(stages));
    if (mambaish) {
      formula +=
          "; only the full-attention layers hold KV, the linear-attention layers keep a"
              + " per-request state (KvPoolLayout)";
    }
    if (dsa) {
      formula += "; plus the DSA indexer key (index_head_dim + index_head_dim/128 × 4) B per layer";
    }
    if (options.fp4()) {
      formula += "; fp4_e2m1: half the values' bytes plus one scale per 16 values";
    }
    if (hybrid) {
      formula +=
          "; main splits Llama-4's pool into full-attention and chunked (SWA) layers, so the"
              + " per-token figure counts every layer as full";
    }
    return new KvCacheLayout(
        spec.mla().isPresent(), e, headsPerRank, perLayer, stages, hybrid, formula, source);
  }

  /**
   * SGLang's fp4_e2m1 cell: MHA {@code cell/2 + n·hd·L·2/16 + n·hd·2} (the last term is one shared
   * fp8 dequant workspace), MLA {@code cell/2 + (dim/16)·L} (pool_configurator.py
   * DefaultPoolConfigurator._compute_cell_size @003fca80).
   */
  private static long fp4Cell(ModelSpec spec, int perLayer, int layers, OptionalInt heads) {
    long cell = (long) perLayer * layers;
    if (spec.usesMla()) {
      return cell / 2 + (long) (spec.mla().get().kvCacheDim() / 16) * layers;
    }
    long n = heads.orElse(1);
    long k = spec.headDim();
    return cell / 2 + (n * k * layers * 2) / 16 + n * k * 2;
  }

  /** The largest cell of any stage: the bytes one token costs on the worst GPU. */
  public long bytesPerToken() {
    long max = 0;
    for (StageKv s : stages) {
      max = Math.max(max, s.bytesPerToken());
    }
    return max;
  }

  /**
   * The cell main uses with EAGLE/STANDALONE speculative decoding: {@code int(cell × (1 +
   * draft_layers / layers))} of the worst stage (pool_configurator.py L167-185 @main). Earlier
   * releases left the draft KV outside the budget.
   *
   * @param draftLayers the draft model's layers ({@code num_nextn_predict_layers} for NEXTN)
   */
  public long bytesPerTokenWithDraft(int draftLayers) {
    if (draftLayers < 0) {
      throw new IllegalArgumentException("draftLayers must not be negative, was " + draftLayers);
    }
    StageKv worst = stages.get(0);
    for (StageKv s : stages) {
      if (s.bytesPerToken() > worst.bytesPerToken()) {
        worst = s;
      }
    }
    if (draftLayers == 0 || worst.layers() == 0) {
      return worst.bytesPerToken();
    }
    return (long) (worst.bytesPerToken() * (1 + (double) draftLayers / worst.layers()));
  }

  /**
   * The draft model's KV bytes per token under main's scaling: {@link #bytesPerTokenWithDraft}
   * minus the target's.
   */
  public long draftBytesPerToken(int draftLayers) {
    return bytesPerTokenWithDraft(draftLayers) - bytesPerToken();
  }

  /**
   * The tokens SGLang's profiling gives the pool: {@code floor((A − T·(1 − mfs)) · 2^30 / cell)},
   * rounded down to the page size, where A and T are the free GiB after and before loading the
   * weights, as SGLang measures them ({@code profile_max_num_token}, model_runner.py L696-718, and
   * the page rounding at L789-793 @v0.4.5.post3). Zero or less means "Not enough memory".
   *
   * @param availAfterLoadGib free memory after the weights load, in GiB
   * @param availBeforeLoadGib free memory before the weights load, in GiB
   * @param memFractionStatic {@code --mem-fraction-static}
   * @param cellBytes bytes per token ({@link #bytesPerToken()})
   * @param pageSize {@code --page-size}
   */
  public static long profiledTokens(
      double availAfterLoadGib,
      double availBeforeLoadGib,
      double memFractionStatic,
      long cellBytes,
      int pageSize) {
    if (cellBytes < 1 || pageSize < 1) {
      throw new IllegalArgumentException(
          "cellBytes and pageSize must be at least 1, was " + cellBytes + " and " + pageSize);
    }
    double rest = availAfterLoadGib - availBeforeLoadGib * (1 - memFractionStatic);
    long tokens = (long) Math.floor(rest * (1L << 30) / cellBytes);
    return Math.floorDiv(tokens, pageSize) * pageSize;
  }

  /**
   * The pool's size as SGLang logs it ("K size" plus "V size", or MLA's "KV size"): the buffers
   * hold {@code tokens + pageSize} slots (memory_pool.py L244-262 and L436-445 @v0.4.5.post3).
   */
  public static long poolBytes(long tokens, int pageSize, long cellBytes) {
    return Math.multiplyExact(tokens + pageSize, cellBytes);
  }

  private static String stagesText(List<StageKv> stages) {
    StringBuilder s = new StringBuilder("[");
    for (StageKv k : stages) {
      if (s.length() > 1) {
        s.append(", ");
      }
      s.append(String.format(Locale.ROOT, "%,d", k.bytesPerToken()));
    }
    return s.append(']').toString();
  }
}
