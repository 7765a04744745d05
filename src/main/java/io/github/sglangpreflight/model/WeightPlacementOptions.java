package io.github.sglangpreflight.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The launch flags and the SGLang-version facts that change how weights land on a GPU.
 *
 * <p>The presets {@link #v0_4_5_post3()}, {@link #v0_4_9()} and {@link #newestMain()} state the
 * facts at those revisions (each constant cites the code); the {@code with...} methods add a
 * launch's flags.
 *
 * @param dtypeOverride {@code --dtype} for the unquantized tensors; empty for {@code auto}
 * @param onlineFp8 {@code --quantization fp8} on a checkpoint that is not fp8: SGLang loads the
 *     linear weights in the model dtype and requantizes them to fp8 after loading
 * @param vocabUnderDpAttention how the input embedding is split when DP attention is on
 * @param dpLmHead {@code --enable-dp-lm-head} (main): the lm_head is split over the attention-TP
 *     group instead of the whole TP group
 * @param moeDenseTpSize {@code --moe-dense-tp-size}: 1 replicates the dense MLP layers of a
 *     DeepSeek-style MoE model on every GPU; empty means the whole TP group
 * @param sharedExpertFusion how DeepSeek-V3's shared expert is held (see {@link
 *     SharedExpertFusion})
 * @param ppLayerSplit how layers are split over {@code --pp-size} stages without an explicit
 *     partition
 * @param ppLayerPartition {@code SGLANG_PP_LAYER_PARTITION}: layers per stage, first stage first
 * @param mlaAbsorbedCopies the element size of the {@code w_kc}/{@code w_vc} copies SGLang derives
 *     from a block-fp8 {@code kv_b_proj}
 * @param qwen3MoeOnlineFp8KeepsExperts whether {@code Qwen3MoeForCausalLM} keeps references to its
 *     bf16 expert weights across the online fp8 requantization, so both copies stay resident
 */
public record WeightPlacementOptions(
    Optional<WeightDtype> dtypeOverride,
    boolean onlineFp8,
    VocabUnderDpAttention vocabUnderDpAttention,
    boolean dpLmHead,
    OptionalInt moeDenseTpSize,
    SharedExpertFusion sharedExpertFusion,
    PpLayerSplit ppLayerSplit,
    Optional<List<Integer>> ppLayerPartition,
    MlaAbsorbedCopies mlaAbsorbedCopies,
    boolean qwen3MoeOnlineFp8KeepsExperts) {

  /** How the input embedding ({@code embed_tokens}) is split under DP attention. */
  public enum VocabUnderDpAttention {
    /**
     * Not split at all ({@code enable_tp=not enable_dp_attention}, deepseek_v2.py L1349-1353 and
     * llama4.py L411-417 at v0.4.5.post3).
     */
    REPLICATED,
    /**
     * Split over the attention-TP group, so replicated only when {@code tp / dp == 1} ({@code
     * get_embedding_tp_kwargs}, vocab_parallel_embedding.py L166-185 at main).
     */
    ATTENTION_TP
  }

  /** How DeepSeek-V3's shared expert (256 routed experts, {@code n_shared_experts} 1) is held. */
  public enum SharedExpertFusion {
    /** A separate MLP split over the TP group like any dense MLP. */
    NONE,
    /**
     * v0.4.5.post3 on SM90+ without DeepEP: {@code n_share_experts_fusion = tp_size} replicas of
     * the shared expert are appended to the routed experts (deepseek_v2.py L1432-1445, cloned in
     * load_weights L1612-1636), each split like an expert; every GPU so holds the whole shared
     * expert.
     */
    REPLICA_PER_TP_RANK,
    /**
     * v0.4.7 to main: one fused shared expert is a local expert of every EP rank, split over {@code
     * moe_tp = tp / ep} (deepseek_v2.py L575-603, fused_moe_triton/layer.py L286-309 at main).
     */
    LOCAL_EXPERT
  }

  /** SGLang's default split of layers over pipeline stages. */
  public enum PpLayerSplit {
    /**
     * {@code layers // pp} per stage and the last stage takes the remainder ({@code
     * get_pp_indices}, distributed/utils.py L63-93 at v0.4.9; PP exists from v0.4.6.post5).
     */
    LAST_TAKES_REMAINDER,
    /**
     * The last {@code layers % pp} stages take one layer more (distributed/utils.py L95-131 at
     * main, PR #13977 of 2025-11-26).
     */
    LAST_STAGES_TAKE_ONE_MORE
  }

  /** The element size of the MLA {@code w_kc}/{@code w_vc} copies of a block-fp8 kv_b_proj. */
  public enum MlaAbsorbedCopies {
    /**
     * Requantized per tensor to fp8, 1 byte per element ({@code block_quant_to_tensor_quant},
     * deepseek_v2.py L1529-1565 at v0.4.5.post3).
     */
    FP8,
    /**
     * Dequantized to bf16, 2 bytes per element, when the block is 128×128 on CUDA ({@code
     * block_quant_dequant}, deepseek_v2.py L2177 at v0.4.9,
     * deepseek_common/deepseek_weight_loader.py L575-592 at main).
     */
    BF16
  }

  public WeightPlacementOptions {
    Objects.requireNonNull(dtypeOverride, "dtypeOverride");
    Objects.requireNonNull(vocabUnderDpAttention, "vocabUnderDpAttention");
    Objects.requireNonNull(moeDenseTpSize, "moeDenseTpSize");
    Objects.requireNonNull(sharedExpertFusion, "sharedExpertFusion");
    Objects.requireNonNull(ppLayerSplit, "ppLayerSplit");
    Objects.requireNonNull(ppLayerPartition, "ppLayerPartition");
    Objects.requireNonNull(mlaAbsorbedCopies, "mlaAbsorbedCopies");
    ppLayerPartition = ppLayerPartition.map(List::copyOf);
    if (dtypeOverride.isPresent() && !dtypeOverride.get().castToModelDtype()) {
      throw new IllegalArgumentException(
          "dtypeOverride must be a float dtype, was " + dtypeOverride.get());
    }
    if (moeDenseTpSize.isPresent() && moeDenseTpSize.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "moeDenseTpSize must be at least 1, was " + moeDenseTpSize.getAsInt());
    }
  }

  /**
   * SGLang v0.4.5.post3 (b9c87e78): embedding replicated under DP attention, lm_head over the whole
   * TP group, DeepSeek-V3 shared expert fused as one replica per TP rank, MLA copies in fp8. There
   * is no PP in this release; the split rule given is the first one SGLang shipped.
   */
  public static WeightPlacementOptions v0_4_5_post3() {
    return new WeightPlacementOptions(
        Optional.empty(),
        false,
        VocabUnderDpAttention.REPLICATED,
        false,
        OptionalInt.empty(),
        SharedExpertFusion.REPLICA_PER_TP_RANK,
        PpLayerSplit.LAST_TAKES_REMAINDER,
        Optional.empty(),
        MlaAbsorbedCopies.FP8,
        false);
  }

  /**
   * SGLang v0.4.9: embedding replicated under DP attention (qwen2_moe.py L413-421 at v0.4.9), one
   * fused shared expert ({@code num_fused_shared_experts = n_shared_experts}, deepseek_v2.py L2077
   * at v0.4.9, from v0.4.7), MLA copies dequantized to bf16 (deepseek_v2.py L2177 at v0.4.9), PP
   * with the last stage taking the remainder, and Qwen3-MoE keeping its bf16 experts across an
   * online fp8 requantization ({@code routed_experts_weights_of_layer} built eagerly at the end of
   * load_weights, qwen3_moe.py L861-866 at v0.4.9, from PR #6533 in v0.4.6.post5 until PR #15904
   * made it lazy on main in 2026-01).
   */
  public static WeightPlacementOptions v0_4_9() {
    return new WeightPlacementOptions(
        Optional.empty(),
        false,
        VocabUnderDpAttention.REPLICATED,
        false,
        OptionalInt.empty(),
        SharedExpertFusion.LOCAL_EXPERT,
        PpLayerSplit.LAST_TAKES_REMAINDER,
        Optional.empty(),
        MlaAbsorbedCopies.BF16,
        true);
  }

  /**
   * Newest main (8761b971, 2026-08-12): embedding over the attention-TP group, shared expert as a
   * local expert, MLA copies dequantized to bf16, the last PP stages take the extra layers.
   */
  public static WeightPlacementOptions newestMain() {
    return new WeightPlacementOptions(
        Optional.empty(),
        false,
        VocabUnderDpAttention.ATTENTION_TP,
        false,
        OptionalInt.empty(),
        SharedExpertFusion.LOCAL_EXPERT,
        PpLayerSplit.LAST_STAGES_TAKE_ONE_MORE,
        Optional.empty(),
        MlaAbsorbedCopies.BF16,
        false);
  }

  /** With {@code --dtype}; empty for {@code auto}. */
  public WeightPlacementOptions withDtype(Optional<WeightDtype> dtype) {
    return new WeightPlacementOptions(
        dtype,
        onlineFp8,
        vocabUnderDpAttention,
        dpLmHead,
        moeDenseTpSize,
        sharedExpertFusion,
        ppLayerSplit,
        ppLayerPartition,
        mlaAbsorbedCopies,
        qwen3MoeOnlineFp8KeepsExperts);
  }

  /** With {@code --quantization fp8} (true) or without. */
  public WeightPlacementOptions withOnlineFp8(boolean on) {
    return new WeightPlacementOptions(
        dtypeOverride,
        on,
        vocabUnderDpAttention,
        dpLmHead,
        moeDenseTpSize,
        sharedExpertFusion,
        ppLayerSplit,
        ppLayerPartition,
        mlaAbsorbedCopies,
        qwen3MoeOnlineFp8KeepsExperts);
  }

  /** With {@code --enable-dp-lm-head} (true) or without. */
  public WeightPlacementOptions withDpLmHead(boolean on) {
    return new WeightPlacementOptions(
        dtypeOverride,
        onlineFp8,
        vocabUnderDpAttention,
        on,
        moeDenseTpSize,
        sharedExpertFusion,
        ppLayerSplit,
        ppLayerPartition,
        mlaAbsorbedCopies,
        qwen3MoeOnlineFp8KeepsExperts);
  }

  /** With {@code --moe-dense-tp-size}; empty for the default (the whole TP group). */
  public WeightPlacementOptions withMoeDenseTpSize(OptionalInt size) {
    return new WeightPlacementOptions(
        dtypeOverride,
        onlineFp8,
        vocabUnderDpAttention,
        dpLmHead,
        size,
        sharedExpertFusion,
        ppLayerSplit,
        ppLayerPartition,
        mlaAbsorbedCopies,
        qwen3MoeOnlineFp8KeepsExperts);
  }

  /**
   * With another shared-expert layout (e.g. {@link SharedExpertFusion#NONE} below SM90 or with
   * DeepEP).
   */
  public WeightPlacementOptions withSharedExpertFusion(SharedExpertFusion fusion) {
    return new WeightPlacementOptions(
        dtypeOverride,
        onlineFp8,
        vocabUnderDpAttention,
        dpLmHead,
        moeDenseTpSize,
        fusion,
        ppLayerSplit,
        ppLayerPartition,
        mlaAbsorbedCopies,
        qwen3MoeOnlineFp8KeepsExperts);
  }

  /** With {@code SGLANG_PP_LAYER_PARTITION} (layers per stage); empty for the default split. */
  public WeightPlacementOptions withPpLayerPartition(Optional<List<Integer>> partition) {
    return new WeightPlacementOptions(
        dtypeOverride,
        onlineFp8,
        vocabUnderDpAttention,
        dpLmHead,
        moeDenseTpSize,
        sharedExpertFusion,
        ppLayerSplit,
        partition,
        mlaAbsorbedCopies,
        qwen3MoeOnlineFp8KeepsExperts);
  }
}
