package io.github.sglangpreflight.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The KV pools SGLang builds for a model on one GPU of the first pipeline stage, one entry per pool
 * kind, each with its bytes per unit (token or request), formula and source. Pure. The budget sizes
 * them with {@link #tokenCoefficientBytes} and {@link #mambaRequests} (SGLang 003fca80:
 * model_executor/pool_configurator.py, mem_cache/kv_cache_configurator.py).
 *
 * @param pools the pools, token pools first
 * @param hybridSwa whether SGLang splits full and sliding-window layers into two pools ({@code
 *     is_hybrid_swa_model}: Llama-4, GPT-OSS, MiMo-V2, Step-3.5, Gemma-4)
 * @param slidingWindow the window of the SWA pool's layers, 0 when none
 */
public record KvPoolLayout(List<Pool> pools, boolean hybridSwa, int slidingWindow) {

  /** What a pool holds. */
  public enum Kind {
    /** K and V of full-attention layers, per token. */
    FULL_ATTENTION,
    /** K and V of sliding-window (or chunked) layers in the separate SWA pool, per token. */
    SLIDING_WINDOW,
    /** MLA latent ({@code kv_lora_rank + qk_rope_head_dim}, or DSA's fp8 layout), per token. */
    MLA_LATENT,
    /** DSA/NSA indexer key: fp8 key + one float32 scale per 128 values, per token. */
    DSA_INDEXER,
    /** Linear-attention (gated DeltaNet / mamba) conv + recurrent state, per request. */
    LINEAR_STATE
  }

  /**
   * One pool.
   *
   * @param kind what it holds
   * @param layers the layers it serves on this GPU
   * @param bytesPerUnitPerLayer bytes of one token (or request, for {@link Kind#LINEAR_STATE}) in
   *     one layer on this GPU
   * @param formula the computation with the numbers
   * @param source the SGLang code it follows
   */
  public record Pool(
      Kind kind, int layers, long bytesPerUnitPerLayer, String formula, String source) {
    /** Bytes per unit over all its layers. */
    public long bytesPerUnit() {
      return bytesPerUnitPerLayer * layers;
    }

    /** Whether the unit is a request rather than a token. */
    public boolean perRequest() {
      return kind == Kind.LINEAR_STATE;
    }
  }

  private static final String SRC_POOLS =
      "pool_configurator.py DefaultPoolConfigurator._compute_cell_size and"
          + " HybridSWAPoolConfigurator @003fca80";

  public KvPoolLayout {
    pools = List.copyOf(pools);
  }

  /**
   * The pools of {@code spec} on a GPU of the first stage ({@code options}' kv dtype, attention TP
   * of {@code parallelism}).
   */
  public static KvPoolLayout of(ModelSpec spec, Parallelism parallelism, KvCacheOptions options) {
    Objects.requireNonNull(spec, "spec");
    KvCacheLayout kv = KvCacheLayout.of(spec, parallelism, options);
    int e = kv.elementBytes();
    ArchFacts a = spec.arch();
    List<Pool> pools = new ArrayList<>();
    int layers = kv.stages().get(0).layers();
    if (spec.usesMla()) {
      long per = (long) kv.valuesPerTokenPerLayer() * e;
      pools.add(
          new Pool(
              Kind.MLA_LATENT,
              layers,
              per,
              String.format(
                  Locale.ROOT,
                  "%d values × %d B = %d B per token per layer",
                  kv.valuesPerTokenPerLayer(),
                  e,
                  per),
              SRC_POOLS + "; calculate_mla_kv_cache_dim (kv_cache_configurator.py)"));
      a.indexer()
          .ifPresent(
              ix -> {
                long d = ix.headDim();
                long b = d + d / 128 * 4;
                pools.add(
                    new Pool(
                        Kind.DSA_INDEXER,
                        layers,
                        b,
                        String.format(
                            Locale.ROOT,
                            "index_head_dim %d + %d/128 × 4 B scale = %d B per token per layer",
                            d,
                            d,
                            b),
                        SRC_POOLS + " (DSATokenToKVPool.quant_block_size 128, uint8 buffer)"));
              });
    } else {
      long per = (long) kv.valuesPerTokenPerLayer() * e;
      int swa = kv.hybridSwa() ? kv.stages().get(0).slidingWindowLayers() : 0;
      String f =
          String.format(
              Locale.ROOT,
              "%s KV heads per GPU × (head_dim + v_head_dim) = %d"
                  + " values × %d B = %d B per token per layer",
              kv.kvHeadsPerRank().orElse(0),
              kv.valuesPerTokenPerLayer(),
              e,
              per);
      pools.add(new Pool(Kind.FULL_ATTENTION, layers - swa, per, f, SRC_POOLS));
      if (swa > 0) {
        pools.add(new Pool(Kind.SLIDING_WINDOW, swa, per, f, SRC_POOLS));
      }
    }
    a.linear()
        .ifPresent(
            la -> {
              int tp = parallelism.attnTpSize();
              long conv = la.convDim() / tp * (la.convKernel() - 1) * 2L;
              long ssm =
                  (long) la.numValueHeads()
                      / tp
                      * la.keyHeadDim()
                      * la.valueHeadDim()
                      * la.ssmStateBytes();
              int linLayers =
                  a.count(ArchFacts.LayerKind.LINEAR, 0, firstStageEnd(spec, parallelism, options));
              pools.add(
                  new Pool(
                      Kind.LINEAR_STATE,
                      linLayers,
                      conv + ssm,
                      String.format(
                          Locale.ROOT,
                          "conv (%d/%d × (kernel %d − 1) × 2 B bf16 = %d B) + state (%d/%d heads ×"
                              + " %d × %d × %d B = %d B) per request per layer",
                          la.convDim(),
                          tp,
                          la.convKernel(),
                          conv,
                          la.numValueHeads(),
                          tp,
                          la.keyHeadDim(),
                          la.valueHeadDim(),
                          la.ssmStateBytes(),
                          ssm),
                      "configs/mamba_utils.py Mamba2CacheParams.mamba_cache_per_req and"
                          + " qwen3_next config hybrid_gdn_params (conv bf16, SSM"
                          + " SGLANG_MAMBA_SSM_DTYPE, float32 default)"));
            });
    boolean hybrid =
        kv.hybridSwa() && pools.stream().anyMatch(p -> p.kind() == Kind.SLIDING_WINDOW);
    return new KvPoolLayout(pools, hybrid, hybrid ? a.slidingWindow().orElse(0) : 0);
  }

  private static int firstStageEnd(ModelSpec spec, Parallelism par, KvCacheOptions options) {
    return WeightPlacement.layerRanges(
            spec.numHiddenLayers(),
            par.ppSize(),
            options.ppLayerSplit(),
            options.ppLayerPartition())
        .get(0)
        .endLayer();
  }

  /**
   * SGLang's bytes per {@code max_total_num_tokens} token: every token pool's bytes per token; with
   * hybrid SWA, {@code full × n_full + ratio × swa × n_swa} ({@code HybridSWAPoolConfigurator});
   * with no full layer at all, {@code swa × n_swa}.
   *
   * @param swaFullTokensRatio {@code --swa-full-tokens-ratio} (default 0.8)
   */
  public double tokenCoefficientBytes(double swaFullTokensRatio) {
    boolean anyFull =
        pools.stream().anyMatch(p -> p.kind() == Kind.FULL_ATTENTION && p.layers() > 0);
    double sum = 0;
    for (Pool p : pools) {
      if (p.perRequest()) {
        continue;
      }
      double b = p.bytesPerUnit();
      sum += p.kind() == Kind.SLIDING_WINDOW && anyFull ? swaFullTokensRatio * b : b;
    }
    return sum;
  }

  /** Bytes of one request's linear-attention state over all layers, 0 when none. */
  public long stateBytesPerRequest() {
    long sum = 0;
    for (Pool p : pools) {
      if (p.perRequest()) {
        sum += p.bytesPerUnit();
      }
    }
    return sum;
  }

  /**
   * The requests SGLang's state pool holds without {@code --max-mamba-cache-size} and without
   * speculative decoding: {@code floor(rest × r / (1 + r) / per_request)} with {@code r =
   * --mamba-full-memory-ratio} (default 0.9); the token pools get the rest minus that
   * (kv_cache_configurator.py _handle_max_mamba_cache).
   *
   * @param restBytes the bytes left for all pools after weights and reserves
   * @param mambaFullMemoryRatio {@code --mamba-full-memory-ratio}
   */
  public long mambaRequests(double restBytes, double mambaFullMemoryRatio) {
    long per = stateBytesPerRequest();
    if (per == 0) {
      return 0;
    }
    return (long) Math.floor(restBytes * mambaFullMemoryRatio / (1 + mambaFullMemoryRatio) / per);
  }

  /** SGLang's default {@code --mamba-full-memory-ratio} (server_args.py @main, PR #15337). */
  public static final double DEFAULT_MAMBA_FULL_MEMORY_RATIO = 0.9;

  /** SGLang's default {@code --swa-full-tokens-ratio} (server_args.py @main). */
  public static final double DEFAULT_SWA_FULL_TOKENS_RATIO = 0.8;

  /**
   * How SGLang turns the bytes left for the pools into {@code max_total_num_tokens} and state slots
   * (kv_cache_configurator.py {@code _handle_max_mamba_cache}, pool_configurator.py {@code
   * HybridSWAPoolConfigurator.calculate_pool_sizes} @003fca80).
   *
   * @param swaFullTokensRatio {@code --swa-full-tokens-ratio}
   * @param mambaFullMemoryRatio {@code --mamba-full-memory-ratio}
   * @param maxMambaCacheSize {@code --max-mamba-cache-size} per attention-DP worker, when given
   */
  public record Sizing(
      double swaFullTokensRatio, double mambaFullMemoryRatio, OptionalInt maxMambaCacheSize) {
    public Sizing {
      Objects.requireNonNull(maxMambaCacheSize, "maxMambaCacheSize");
      if (!(swaFullTokensRatio > 0) || !(mambaFullMemoryRatio > 0)) {
        throw new IllegalArgumentException(
            "ratios must be positive, were " + swaFullTokensRatio + " and " + mambaFullMemoryRatio);
      }
    }

    /** SGLang's defaults. */
    public static Sizing defaults() {
      return new Sizing(
          DEFAULT_SWA_FULL_TOKENS_RATIO, DEFAULT_MAMBA_FULL_MEMORY_RATIO, OptionalInt.empty());
    }
  }

  /**
   * The state slots SGLang gives the linear-attention pool out of {@code restBytes}: {@code
   * --max-mamba-cache-size} when given, else {@link #mambaRequests}; 0 without such layers.
   */
  public long stateRequests(double restBytes, Sizing sizing) {
    if (stateBytesPerRequest() == 0) {
      return 0;
    }
    if (sizing.maxMambaCacheSize().isPresent()) {
      return sizing.maxMambaCacheSize().getAsInt();
    }
    return mambaRequests(restBytes, sizing.mambaFullMemoryRatio());
  }

  /**
   * {@code max_total_num_tokens} before the cap and the page rounding: the state slots come out of
   * {@code restBytes} first ({@code total_rest_memory − max_mamba_cache_size ×
   * mamba_cache_per_req}), the rest is divided by {@link #tokenCoefficientBytes} ({@code
   * available_bytes // cell_size}). Zero or less when nothing is left.
   */
  public long profiledTokens(double restBytes, Sizing sizing) {
    if (restBytes <= 0) {
      return 0;
    }
    double tokenBytes =
        restBytes - (double) stateRequests(restBytes, sizing) * stateBytesPerRequest();
    double coefficient = tokenCoefficientBytes(sizing.swaFullTokensRatio());
    if (tokenBytes <= 0 || coefficient <= 0) {
      return 0;
    }
    return (long) Math.floor(tokenBytes / coefficient);
  }

  /**
   * The bytes of every pool for {@code tokens} full-attention tokens: the token pools ({@code
   * tokens × }{@link #tokenCoefficientBytes}) and the state slots. Without {@code
   * --max-mamba-cache-size} the slots are recovered from the tokens ({@code r × token bytes / per
   * request}, within one slot of what {@link #stateRequests} gave for the same rest).
   */
  public long poolBytes(long tokens, Sizing sizing) {
    if (tokens <= 0) {
      return 0;
    }
    double tokenBytes = tokens * tokenCoefficientBytes(sizing.swaFullTokensRatio());
    return (long) Math.ceil(tokenBytes)
        + stateRequestsForTokens(tokens, sizing) * stateBytesPerRequest();
  }

  /**
   * The state slots that go with {@code tokens} full-attention tokens: {@code
   * --max-mamba-cache-size}, else {@code floor(r × tokens × coefficient / per request)}; 0 without
   * linear-attention layers.
   */
  public long stateRequestsForTokens(long tokens, Sizing sizing) {
    long per = stateBytesPerRequest();
    if (per == 0 || tokens <= 0) {
      return 0;
    }
    if (sizing.maxMambaCacheSize().isPresent()) {
      return sizing.maxMambaCacheSize().getAsInt();
    }
    double tokenBytes = tokens * tokenCoefficientBytes(sizing.swaFullTokensRatio());
    return (long) Math.floor(tokenBytes * sizing.mambaFullMemoryRatio() / per);
  }

  /**
   * The units of {@code pool} for {@code tokens} full-attention tokens: the tokens; the SWA pool's
   * {@code floor(tokens × ratio / page) × page} ({@code _solve_pool_sizes}); the state slots.
   */
  public long units(Pool pool, long tokens, Sizing sizing, int pageSize) {
    return switch (pool.kind()) {
      case LINEAR_STATE -> stateRequestsForTokens(tokens, sizing);
      case SLIDING_WINDOW -> {
        boolean anyFull =
            pools.stream().anyMatch(p -> p.kind() == Kind.FULL_ATTENTION && p.layers() > 0);
        int page = Math.max(1, pageSize);
        yield anyFull ? (long) (tokens * sizing.swaFullTokensRatio()) / page * page : tokens;
      }
      default -> tokens;
    };
  }
}
