package io.github.sglangpreflight.model;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The launch flags and SGLang-version facts that change the KV cache's bytes per token.
 *
 * @param kvCacheDtype {@code --kv-cache-dtype}: {@code auto} (the model dtype), {@code fp8_e5m2},
 *     {@code fp8_e4m3}, {@code bf16}/{@code bfloat16}
 * @param dtypeOverride {@code --dtype}, which {@code auto} follows; empty for {@code auto}
 * @param cellFormula how an MHA/GQA token's K and V are counted
 * @param ppLayerSplit how layers are split over PP stages (the KV pool of a stage holds only its
 *     layers)
 * @param ppLayerPartition {@code SGLANG_PP_LAYER_PARTITION}
 * @param hybridSwaPools whether SGLang gives Llama-4's chunked-attention layers a separate pool
 *     (main: {@code is_hybrid_swa_model}, model_config.py L2027-2058 @main); v0.4.5.post3 keeps one
 *     pool for every layer
 */
public record KvCacheOptions(
    String kvCacheDtype,
    Optional<WeightDtype> dtypeOverride,
    CellFormula cellFormula,
    WeightPlacementOptions.PpLayerSplit ppLayerSplit,
    Optional<List<Integer>> ppLayerPartition,
    boolean hybridSwaPools) {

  /** How SGLang counts the values of one MHA/GQA token in one layer. */
  public enum CellFormula {
    /**
     * {@code kv_heads × head_dim × 2}: K and V of the same width (model_runner.py L706-713
     *
     * @v0.4.5.post3, unchanged to v0.5.1).
     */
    TWO_HEAD_DIM,
    /**
     * {@code kv_heads × (head_dim + v_head_dim)} (pool_configurator.py L298-306 @main); equal to
     * {@link #TWO_HEAD_DIM} for every model whose {@code v_head_dim} is its {@code head_dim}.
     */
    HEAD_DIM_PLUS_V_HEAD_DIM
  }

  public KvCacheOptions {
    Objects.requireNonNull(kvCacheDtype, "kvCacheDtype");
    Objects.requireNonNull(dtypeOverride, "dtypeOverride");
    Objects.requireNonNull(cellFormula, "cellFormula");
    Objects.requireNonNull(ppLayerSplit, "ppLayerSplit");
    Objects.requireNonNull(ppLayerPartition, "ppLayerPartition");
    ppLayerPartition = ppLayerPartition.map(List::copyOf);
    kvCacheDtype = kvCacheDtype.toLowerCase(Locale.ROOT).strip();
  }

  /** Whether {@code --kv-cache-dtype} is the packed 4-bit E2M1 format with block scales. */
  public boolean fp4() {
    return kvCacheDtype.equals("fp4_e2m1");
  }

  /** v0.4.5.post3: {@code 2 × head_dim}, one pool for all layers. */
  public static KvCacheOptions v0_4_5_post3() {
    return new KvCacheOptions(
        "auto",
        Optional.empty(),
        CellFormula.TWO_HEAD_DIM,
        WeightPlacementOptions.PpLayerSplit.LAST_TAKES_REMAINDER,
        Optional.empty(),
        false);
  }

  /** Newest main (8761b971): {@code head_dim + v_head_dim}, Llama-4 with hybrid SWA pools. */
  public static KvCacheOptions newestMain() {
    return new KvCacheOptions(
        "auto",
        Optional.empty(),
        CellFormula.HEAD_DIM_PLUS_V_HEAD_DIM,
        WeightPlacementOptions.PpLayerSplit.LAST_STAGES_TAKE_ONE_MORE,
        Optional.empty(),
        true);
  }

  /** With {@code --kv-cache-dtype}. */
  public KvCacheOptions withKvCacheDtype(String dtype) {
    return new KvCacheOptions(
        dtype, dtypeOverride, cellFormula, ppLayerSplit, ppLayerPartition, hybridSwaPools);
  }

  /** With {@code --dtype}; empty for {@code auto}. */
  public KvCacheOptions withDtype(Optional<WeightDtype> dtype) {
    return new KvCacheOptions(
        kvCacheDtype, dtype, cellFormula, ppLayerSplit, ppLayerPartition, hybridSwaPools);
  }

  /**
   * The bytes of one cached value: the model dtype for {@code auto} (model_runner.py L726-740
   *
   * @v0.4.5.post3), 1 for the fp8 formats (stored as uint8).
   * @throws InvalidInputException when {@link #kvCacheDtype} is not a value SGLang accepts
   */
  public int elementBytes(ModelSpec spec) {
    return switch (kvCacheDtype) {
      case "auto" -> spec.modelDtype(dtypeOverride).bytes();
      case "fp8_e5m2", "fp8_e4m3" -> 1;
      // float4_e2m1fn_x2: one byte holds two values; KvCacheLayout halves the cell and adds the
      // block scales (pool_configurator.py DefaultPoolConfigurator @003fca80)
      case "fp4_e2m1" -> 1;
      case "bf16", "bfloat16", "fp16", "float16" -> 2;
      default ->
          throw new InvalidInputException(
              "--kv-cache-dtype",
              "--kv-cache-dtype "
                  + kvCacheDtype
                  + " is not a value this build sizes; use auto, fp8_e5m2, fp8_e4m3, fp4_e2m1 or bf16");
    };
  }
}
