package io.github.sglangpreflight.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Architecture facts of the late-2025/2026 model families beyond the classic decoder: which layers
 * attend how, linear-attention (gated DeltaNet) state sizes, the DSA/NSA indexer, the vision tower,
 * and per-family switches the weight layouts need. Pure; parsed by {@link ModelSpec#fromConfig}.
 *
 * @param layerKinds one entry per decoder layer of the main model, layer 0 first
 * @param slidingWindow the window SGLang reads for sliding layers ({@code sliding_window_size},
 *     {@code sliding_window} or {@code window_size} of the text config, model_config.py {@code
 *     _get_sliding_window_size}); empty when the model has no sliding layers
 * @param linear the gated-DeltaNet facts of {@link LayerKind#LINEAR} layers
 * @param indexer the DSA (NSA) lightning-indexer facts (DeepSeek-V3.2, GLM-5)
 * @param vision the vision tower, when the config describes one
 * @param qkNorm whether attention has per-head q/k RMSNorm weights ({@code use_qk_norm}, or the
 *     family always has them)
 * @param attentionSinks whether attention has a learned per-head sink (GPT-OSS)
 * @param attnOutputGate whether full attention has an output gate doubling q_proj (Qwen3-Next)
 * @param mtpLayers multi-token-prediction layers the checkpoint stores after the main layers
 *     ({@code num_nextn_predict_layers}, {@code mtp_num_hidden_layers}, {@code num_mtp_modules})
 */
public record ArchFacts(
    List<LayerKind> layerKinds,
    OptionalInt slidingWindow,
    Optional<LinearAttention> linear,
    Optional<Indexer> indexer,
    Optional<VisionTower> vision,
    boolean qkNorm,
    boolean attentionSinks,
    boolean attnOutputGate,
    int mtpLayers) {

  /** How one decoder layer attends, which decides the KV pool it uses. */
  public enum LayerKind {
    /** Full attention: K/V of every token in the token pool. */
    FULL,
    /** Sliding-window attention: in SGLang's SWA pool when the model is hybrid-SWA. */
    SLIDING,
    /** Llama-4 chunked local attention (SGLang treats it as SWA in its hybrid pool). */
    CHUNKED,
    /** Linear attention (gated DeltaNet): per-request conv + recurrent state, no KV. */
    LINEAR
  }

  /**
   * Gated-DeltaNet facts (Qwen3-Next, Qwen3.5 {@code linear_*} keys).
   *
   * @param numKeyHeads {@code linear_num_key_heads}
   * @param numValueHeads {@code linear_num_value_heads}
   * @param keyHeadDim {@code linear_key_head_dim}
   * @param valueHeadDim {@code linear_value_head_dim}
   * @param convKernel {@code linear_conv_kernel_dim}
   * @param ssmStateBytes bytes of one recurrent-state value: 4 for float32 ({@code
   *     mamba_ssm_dtype}, SGLang's default), 2 for bfloat16
   */
  public record LinearAttention(
      int numKeyHeads,
      int numValueHeads,
      int keyHeadDim,
      int valueHeadDim,
      int convKernel,
      int ssmStateBytes) {
    /** {@code 2 × key_heads × key_dim + value_heads × value_dim}: the conv channels. */
    public long convDim() {
      return 2L * numKeyHeads * keyHeadDim + (long) numValueHeads * valueHeadDim;
    }
  }

  /**
   * DSA/NSA indexer facts.
   *
   * @param numHeads {@code index_n_heads}
   * @param headDim {@code index_head_dim}
   * @param topk {@code index_topk}
   */
  public record Indexer(int numHeads, int headDim, int topk) {}

  /**
   * A vision tower's dimensions, from {@code vision_config}.
   *
   * @param kind which tower naming the layout writes
   * @param depth blocks ({@code depth} or {@code num_hidden_layers})
   * @param hidden {@code hidden_size}
   * @param intermediate {@code intermediate_size}
   * @param patchSize {@code patch_size}
   * @param temporalPatchSize {@code temporal_patch_size}, 1 when absent
   * @param inChannels {@code in_channels}, 3 when absent
   * @param outHidden {@code out_hidden_size} (the merger's output), else the text hidden size
   * @param spatialMerge {@code spatial_merge_size}, 1 when absent
   * @param positions learned position embeddings ({@code num_position_embeddings}, or {@code
   *     (image_size / patch_size)^2} for SigLIP)
   * @param deepstackMergers {@code deepstack_visual_indexes} count (Qwen3-VL)
   */
  public record VisionTower(
      Kind kind,
      int depth,
      int hidden,
      int intermediate,
      int patchSize,
      int temporalPatchSize,
      int inChannels,
      int outHidden,
      int spatialMerge,
      int positions,
      int deepstackMergers) {
    /** Tower naming. */
    public enum Kind {
      /** SigLIP under {@code vision_tower.vision_model.} (Gemma-3). */
      SIGLIP,
      /** Qwen2.5-VL / Qwen3-VL / Qwen3.5 {@code visual.} blocks with a patch merger. */
      QWEN_VIT
    }
  }

  public ArchFacts {
    layerKinds = List.copyOf(layerKinds);
    Objects.requireNonNull(slidingWindow, "slidingWindow");
    Objects.requireNonNull(linear, "linear");
    Objects.requireNonNull(indexer, "indexer");
    Objects.requireNonNull(vision, "vision");
    if (mtpLayers < 0) {
      throw new IllegalArgumentException("mtpLayers must not be negative, was " + mtpLayers);
    }
  }

  /** Every layer full attention, nothing else: the classic decoder. */
  public static ArchFacts classic(int layers) {
    return new ArchFacts(
        java.util.Collections.nCopies(layers, LayerKind.FULL),
        OptionalInt.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        false,
        false,
        0);
  }

  /** The number of layers of {@code kind} in {@code [start, end)}. */
  public int count(LayerKind kind, int start, int end) {
    int n = 0;
    for (int i = Math.max(0, start); i < Math.min(end, layerKinds.size()); i++) {
      if (layerKinds.get(i) == kind) {
        n++;
      }
    }
    return n;
  }

  /** The number of layers of {@code kind} in the whole model. */
  public int count(LayerKind kind) {
    return count(kind, 0, layerKinds.size());
  }
}
