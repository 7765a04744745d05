package io.github.sglangpreflight.model;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The memory-relevant architecture facts of a model, as SGLang reads them from a Hugging Face
 * {@code config.json}. Pure: built from an already parsed JSON map by {@link #fromConfig}.
 *
 * <p>Where a VLM or Llama-4 wraps the language model in {@code text_config}, the language facts
 * come from there (SGLang's {@code get_hf_text_config}, model_config.py L390-408 at v0.4.5.post3)
 * while {@code architectures}, {@code quantization_config} and a missing {@code torch_dtype} fall
 * back to the top level.
 *
 * @param architectures {@code architectures}; SGLang picks its model class from the first
 * @param modelType {@code model_type} (of {@code text_config} when present), empty string if absent
 * @param family the SGLang model file the first architecture maps to
 * @param hiddenSize {@code hidden_size}
 * @param numHiddenLayers {@code num_hidden_layers}: the layers of the main model (DeepSeek's MTP
 *     layers come after them and are not counted)
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads}, or the attention heads when absent (SGLang's
 *     {@code get_total_num_kv_heads}, model_config.py L194-240 at v0.4.5.post3)
 * @param headDim {@code head_dim}, else {@code hidden_size / num_attention_heads} (model_config.py
 *     L127-131 at v0.4.5.post3); for MLA {@code qk_nope_head_dim + qk_rope_head_dim}
 * @param vHeadDim {@code v_head_dim}, else {@code headDim} (model_config.py L852-855 at main)
 * @param vocabSize {@code vocab_size}, before SGLang's padding
 * @param denseIntermediateSize the intermediate size of the dense (non-expert) MLP layers: {@code
 *     intermediate_size}, or Llama-4's {@code intermediate_size_mlp}; empty for Mixtral (all layers
 *     are MoE, {@code intermediate_size} is the expert size there)
 * @param tieWordEmbeddings {@code tie_word_embeddings}, else the default of the transformers config
 *     class (true for Gemma, false for the others this build knows)
 * @param torchDtype {@code torch_dtype} (or {@code dtype}); empty when the config has neither
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param contextLength the context length SGLang derives without {@code --context-length} ({@code
 *     get_context_length}, hf_transformers_utils.py L117-134 at v0.4.5.post3)
 * @param moe the mixture-of-experts facts, empty for dense models
 * @param mla the multi-head latent attention facts, empty for MHA/GQA models
 * @param numNextnPredictLayers {@code num_nextn_predict_layers} (DeepSeek-V3 MTP), 0 when absent
 * @param slidingWindow the sliding window where the config makes it active (Gemma-2: every even
 *     layer; Qwen2/3 only with {@code use_sliding_window}); SGLang still gives those layers a full
 *     KV pool at both revisions
 * @param attentionChunkSize Llama-4's {@code attention_chunk_size}
 * @param attentionBias whether q/k/v projections have a bias (Qwen2 always; Llama with {@code
 *     attention_bias})
 * @param quantization {@code quantization_config} (or {@code compression_config})
 * @param visionLayers {@code vision_config.num_hidden_layers} when present (SGLang's ViT-size
 *     factor for the default fraction uses it, default 24)
 * @param visionHidden {@code vision_config.hidden_size} when present (default 1024 there)
 * @param visionHeads the vision tower's attention heads: {@code vision_config.num_heads} (Qwen ViT)
 *     or {@code num_attention_heads} (SigLIP, Pixtral), when present
 * @param multimodal whether the checkpoint carries a vision or audio tower ({@code vision_config}
 *     and friends, or a {@code ...ForConditionalGeneration} architecture)
 * @param arch per-layer attention kinds, linear-attention, indexer and vision-tower facts
 */
public record ModelSpec(
    List<String> architectures,
    String modelType,
    Family family,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    int vHeadDim,
    int vocabSize,
    OptionalInt denseIntermediateSize,
    boolean tieWordEmbeddings,
    Optional<WeightDtype> torchDtype,
    OptionalInt maxPositionEmbeddings,
    int contextLength,
    Optional<Moe> moe,
    Optional<Mla> mla,
    int numNextnPredictLayers,
    OptionalInt slidingWindow,
    OptionalInt attentionChunkSize,
    boolean attentionBias,
    Optional<Quantization> quantization,
    boolean multimodal,
    OptionalInt visionLayers,
    OptionalInt visionHidden,
    OptionalInt visionHeads,
    ArchFacts arch) {

  // the accepted ranges of config.json's numbers: generous bounds (the largest known models use
  // hidden 16,384, 128 heads, 126 layers, 256 experts, 262,144 vocabulary entries)
  private static final int MAX_DIM = 1 << 20;
  private static final int MAX_LAYERS = 100_000;
  private static final int MAX_HEADS = 1 << 16;
  private static final int MAX_VOCAB = 1 << 28;
  private static final int MAX_EXPERTS = 1 << 16;
  // experts × MoE layers: the synthesized weights list each expert of each layer (Qwen3.5-397B:
  // 512 × 60 = 30,720); beyond this bound a config would exhaust the JVM's memory
  private static final long MAX_EXPERT_MATRICES = 1 << 18;

  /** Which SGLang model file (and so which weight layout and naming) an architecture maps to. */
  public enum Family {
    /** {@code models/llama.py}: Llama, Mistral ({@code mistral.py} subclasses it). */
    LLAMA,
    /** {@code models/qwen2.py}: Qwen2/Qwen2.5/QwQ, q/k/v with bias. */
    QWEN2,
    /** {@code models/qwen3.py}: q/k RMSNorm per head, no bias. */
    QWEN3,
    /** {@code models/qwen2_moe.py}: routed experts plus a gated shared expert. */
    QWEN2_MOE,
    /** {@code models/qwen3_moe.py}: routed experts, no shared expert. */
    QWEN3_MOE,
    /** {@code models/mixtral.py}: {@code block_sparse_moe} with w1/w2/w3 experts. */
    MIXTRAL,
    /** {@code models/gemma2.py}: tied embeddings, four norms per layer. */
    GEMMA2,
    /** {@code models/llama4.py}: text model under {@code language_model.}, fused experts. */
    LLAMA4,
    /** {@code models/deepseek_v2.py}: MLA attention, DeepSeek-V2/V2.5/V3/R1, Kimi-K2. */
    DEEPSEEK,
    /** {@code models/gpt_oss.py}: MXFP4 fused experts, attention sinks, sliding layers. */
    GPT_OSS,
    /**
     * {@code models/qwen3_next.py} (and {@code qwen3_5.py}): gated DeltaNet linear attention with
     * full attention every {@code full_attention_interval}-th layer, MoE with a gated shared
     * expert.
     */
    QWEN3_NEXT,
    /** {@code models/glm4_moe.py}: DeepSeek-style MoE, GQA with partial rotary, an MTP layer. */
    GLM4_MOE,
    /** {@code models/minimax_m2.py}: 256 experts under {@code block_sparse_moe}, qk norm. */
    MINIMAX_M2,
    /** {@code models/gemma3_causal.py} / {@code gemma3_mm.py}: SigLIP tower, 5:1 sliding. */
    GEMMA3,
    /** {@code models/qwen2_5_vl.py}, {@code qwen3_vl.py}, {@code qwen3_vl_moe.py}: ViT + LLM. */
    QWEN_VL,
    /** {@code models/mistral3.py} (Pixtral tower + Mistral text model). */
    MISTRAL3,
    /** {@code models/phi3.py} / Llama path: fused {@code qkv_proj} and {@code gate_up_proj}. */
    PHI3,
    /** An architecture this build has no layout for: measured tensors still place generically. */
    OTHER
  }

  /**
   * Mixture-of-experts facts.
   *
   * @param numExperts routed experts per MoE layer ({@code n_routed_experts}, {@code num_experts}
   *     or {@code num_local_experts})
   * @param expertsPerToken {@code num_experts_per_tok}
   * @param expertIntermediateSize one expert's intermediate size ({@code moe_intermediate_size}, or
   *     {@code intermediate_size} for Mixtral and Llama-4)
   * @param sharedExperts shared experts per MoE layer (DeepSeek {@code n_shared_experts}; 1 for
   *     Llama-4 and for Qwen2-MoE with a {@code shared_expert_intermediate_size})
   * @param sharedIntermediateSize the intermediate size of all shared experts together (DeepSeek:
   *     {@code moe_intermediate_size × n_shared_experts}, deepseek_v2.py L241-242 at v0.4.5.post3)
   * @param moeLayers the layer ids whose MLP is the MoE, ascending
   */
  public record Moe(
      int numExperts,
      int expertsPerToken,
      int expertIntermediateSize,
      int sharedExperts,
      int sharedIntermediateSize,
      List<Integer> moeLayers) {
    public Moe {
      moeLayers = List.copyOf(moeLayers);
      if (numExperts < 1) {
        throw new IllegalArgumentException("numExperts must be at least 1, was " + numExperts);
      }
    }

    /** Whether layer {@code layerId}'s MLP is the MoE. */
    public boolean isMoeLayer(int layerId) {
      return java.util.Collections.binarySearch(moeLayers, layerId) >= 0;
    }
  }

  /**
   * Multi-head latent attention facts (DeepSeek-V2/V3, Kimi-K2).
   *
   * @param qLoraRank {@code q_lora_rank}; empty for DeepSeek-V2-Lite style models (plain q_proj)
   * @param kvLoraRank {@code kv_lora_rank}
   * @param qkNopeHeadDim {@code qk_nope_head_dim}
   * @param qkRopeHeadDim {@code qk_rope_head_dim}
   * @param vHeadDim {@code v_head_dim}
   */
  public record Mla(
      OptionalInt qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {
    public Mla {
      Objects.requireNonNull(qLoraRank, "qLoraRank");
    }

    /**
     * Values per token per layer in SGLang's MLA KV cache: {@code kv_lora_rank + qk_rope_head_dim}.
     */
    public int kvCacheDim() {
      return kvLoraRank + qkRopeHeadDim;
    }
  }

  public ModelSpec {
    architectures = List.copyOf(architectures);
    Objects.requireNonNull(modelType, "modelType");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(denseIntermediateSize, "denseIntermediateSize");
    Objects.requireNonNull(torchDtype, "torchDtype");
    Objects.requireNonNull(maxPositionEmbeddings, "maxPositionEmbeddings");
    Objects.requireNonNull(moe, "moe");
    Objects.requireNonNull(mla, "mla");
    Objects.requireNonNull(slidingWindow, "slidingWindow");
    Objects.requireNonNull(attentionChunkSize, "attentionChunkSize");
    Objects.requireNonNull(quantization, "quantization");
    Objects.requireNonNull(visionLayers, "visionLayers");
    Objects.requireNonNull(visionHidden, "visionHidden");
    Objects.requireNonNull(visionHeads, "visionHeads");
    Objects.requireNonNull(arch, "arch");
    for (int v :
        new int[] {hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim}) {
      if (v < 1) {
        throw new IllegalArgumentException(
            "model dimensions must be at least 1, was hidden "
                + hiddenSize
                + ", layers "
                + numHiddenLayers
                + ", heads "
                + numAttentionHeads
                + ", kv heads "
                + numKeyValueHeads
                + ", head_dim "
                + headDim);
      }
    }
    if (vocabSize < 1 || vHeadDim < 1 || contextLength < 1 || numNextnPredictLayers < 0) {
      throw new IllegalArgumentException(
          "vocabSize, vHeadDim and contextLength must be at least 1 and numNextnPredictLayers not"
              + " negative, was "
              + vocabSize
              + ", "
              + vHeadDim
              + ", "
              + contextLength
              + ", "
              + numNextnPredictLayers);
    }
  }

  /** The first architecture, or {@code unknown} when the config names none. */
  public String architecture() {
    return architectures.isEmpty() ? "unknown" : architectures.get(0);
  }

  /** Whether SGLang gives this model an MLA KV cache (one latent vector per token per layer). */
  public boolean usesMla() {
    return mla.isPresent();
  }

  /**
   * The dtype SGLang runs the model in (and so stores unquantized weights and an {@code auto} KV
   * cache in): {@code --dtype} when given, else {@code torch_dtype}; a float32 or missing {@code
   * torch_dtype} becomes float16, or bfloat16 for Gemma ({@code _get_and_verify_dtype},
   * model_config.py at v0.4.5.post3 and main).
   *
   * @param dtypeOverride {@code --dtype} ({@code float16}, {@code bfloat16}, {@code float32});
   *     empty for {@code auto}
   */
  public WeightDtype modelDtype(Optional<WeightDtype> dtypeOverride) {
    Objects.requireNonNull(dtypeOverride, "dtypeOverride");
    if (dtypeOverride.isPresent()) {
      return dtypeOverride.get();
    }
    WeightDtype declared = torchDtype.orElse(WeightDtype.F32);
    if (declared == WeightDtype.F32 || declared == WeightDtype.F64) {
      return modelType.startsWith("gemma") ? WeightDtype.BF16 : WeightDtype.F16;
    }
    return declared;
  }

  /**
   * Parses the memory-relevant fields of a {@code config.json}.
   *
   * @param config the parsed JSON object
   * @param where how messages name the file, e.g. {@code config.json at /models/x}
   * @throws InvalidInputException when a required field is missing or has the wrong type
   */
  public static ModelSpec fromConfig(Map<String, ?> config, String where) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(where, "where");
    Fields top = new Fields(config, where, "");
    Optional<Map<String, ?>> textConfig = top.optMap("text_config");
    Fields text =
        textConfig.isPresent() ? new Fields(textConfig.get(), where, "text_config.") : top;
    List<String> architectures = top.optStringList("architectures").orElse(List.of());
    if (architectures.isEmpty()) {
      throw top.missing("architectures", "pick SGLang's model class and its weight layout");
    }
    String modelType = text.optString("model_type").orElse(top.optString("model_type").orElse(""));
    Family family = familyOf(architectures.get(0));

    int hidden = text.requireIntIn("hidden_size", 1, MAX_DIM, "size the weights and activations");
    int layers = text.requireIntIn("num_hidden_layers", 1, MAX_LAYERS, "size the KV cache");
    int heads =
        text.requireIntIn(
            "num_attention_heads", 1, MAX_HEADS, "derive head_dim and the KV heads per GPU");
    int kvHeads = text.optIntIn("num_key_value_heads", 1, MAX_HEADS).orElse(heads);
    int vocab = text.requireIntIn("vocab_size", 1, MAX_VOCAB, "size the embedding and lm_head");

    Optional<Mla> mla = Optional.empty();
    boolean mlaArchitecture =
        family == Family.DEEPSEEK || text.has("kv_lora_rank") && text.has("qk_rope_head_dim");
    if (mlaArchitecture) {
      int kvLora = text.requireIntIn("kv_lora_rank", 1, MAX_DIM, "size the MLA KV cache");
      int rope = text.requireIntIn("qk_rope_head_dim", 0, MAX_DIM, "size the MLA KV cache");
      int nope =
          text.requireIntIn("qk_nope_head_dim", 0, MAX_DIM, "size the MLA attention weights");
      int v = text.requireIntIn("v_head_dim", 1, MAX_DIM, "size the MLA attention weights");
      mla = Optional.of(new Mla(text.optIntIn("q_lora_rank", 1, MAX_DIM), kvLora, nope, rope, v));
    }
    int headDim;
    int vHeadDim;
    if (mla.isPresent()) {
      headDim = mla.get().qkNopeHeadDim() + mla.get().qkRopeHeadDim();
      vHeadDim = mla.get().vHeadDim();
    } else {
      OptionalInt explicit = text.optIntIn("head_dim", 1, MAX_DIM);
      if (explicit.isPresent()) {
        headDim = explicit.getAsInt();
      } else {
        if (hidden % heads != 0) {
          throw text.invalid(
              "num_attention_heads",
              heads + " does not divide hidden_size " + hidden + " and head_dim is absent",
              "add head_dim");
        }
        headDim = hidden / heads;
      }
      vHeadDim = text.optIntIn("v_head_dim", 1, MAX_DIM).orElse(headDim);
    }

    Optional<Moe> moe = parseMoe(text, family, layers);
    OptionalInt denseIntermediate;
    if (family == Family.LLAMA4) {
      denseIntermediate = text.optIntIn("intermediate_size_mlp", 1, MAX_DIM);
    } else if (family == Family.MIXTRAL
        || family == Family.GPT_OSS
        || family == Family.MINIMAX_M2) {
      denseIntermediate = OptionalInt.empty();
    } else {
      denseIntermediate = text.optIntIn("intermediate_size", 1, MAX_DIM);
    }

    boolean tie =
        text.optBoolean("tie_word_embeddings")
            .or(() -> top.optBoolean("tie_word_embeddings"))
            .orElse(modelType.startsWith("gemma"));

    Optional<WeightDtype> dtype = text.optDtype("torch_dtype");
    if (dtype.isEmpty()) {
      dtype = text.optDtype("dtype");
    }
    if (dtype.isEmpty()) {
      dtype = top.optDtype("torch_dtype");
    }
    if (dtype.isEmpty()) {
      dtype = top.optDtype("dtype");
    }

    OptionalInt maxPos = text.optIntIn("max_position_embeddings", 1, Integer.MAX_VALUE);
    int contextLength = contextLength(text);

    OptionalInt sliding = OptionalInt.empty();
    OptionalInt windowValue = text.optIntIn("sliding_window", 1, Integer.MAX_VALUE);
    if (windowValue.isPresent()) {
      boolean active =
          switch (family) {
            case QWEN2, QWEN3, QWEN2_MOE, QWEN3_MOE, QWEN3_NEXT, QWEN_VL ->
                text.optBoolean("use_sliding_window").orElse(false);
            default -> true;
          };
      if (active) {
        sliding = windowValue;
      }
    }

    boolean bias =
        family == Family.QWEN2
            || family == Family.QWEN2_MOE
            || family == Family.QWEN_VL && architectures.get(0).startsWith("Qwen2")
            || text.optBoolean("attention_bias").orElse(false);

    Optional<Quantization> quantization =
        top.optMap("quantization_config")
            .or(() -> top.optMap("compression_config"))
            .or(() -> text.optMap("quantization_config"))
            .map(q -> parseQuantization(new Fields(q, where, "quantization_config.")));

    Optional<Fields> vision =
        top.optMap("vision_config").map(v -> new Fields(v, where, "vision_config."));
    boolean multimodal =
        top.has("vision_config")
            || top.has("audio_config")
            || top.has("visual")
            || architectures.get(0).endsWith("ForConditionalGeneration");

    return new ModelSpec(
        architectures,
        modelType,
        family,
        hidden,
        layers,
        heads,
        kvHeads,
        headDim,
        vHeadDim,
        vocab,
        denseIntermediate,
        tie,
        dtype,
        maxPos,
        contextLength,
        moe,
        mla,
        text.optIntIn("num_nextn_predict_layers", 0, MAX_LAYERS).orElse(0),
        sliding,
        text.optIntIn("attention_chunk_size", 1, Integer.MAX_VALUE),
        bias,
        quantization,
        multimodal,
        vision
            .flatMap(
                v -> v.optIntIn("num_hidden_layers", 1, MAX_LAYERS).stream().boxed().findFirst())
            .map(OptionalInt::of)
            .orElse(OptionalInt.empty()),
        vision
            .flatMap(v -> v.optIntIn("hidden_size", 1, MAX_DIM).stream().boxed().findFirst())
            .map(OptionalInt::of)
            .orElse(OptionalInt.empty()),
        vision.map(ModelSpec::visionHeads).orElse(OptionalInt.empty()),
        parseArch(text, vision, family, architectures.get(0), layers, hidden));
  }

  /** {@code num_heads} (Qwen ViT), else {@code num_attention_heads} (SigLIP, Pixtral). */
  private static OptionalInt visionHeads(Fields v) {
    OptionalInt heads = v.optIntIn("num_heads", 1, MAX_HEADS);
    return heads.isPresent() ? heads : v.optIntIn("num_attention_heads", 1, MAX_HEADS);
  }

  /** The {@link ArchFacts} of a config: layer kinds, linear attention, indexer, vision tower. */
  private static ArchFacts parseArch(
      Fields f, Optional<Fields> vision, Family family, String arch, int layers, int hidden) {
    List<ArchFacts.LayerKind> kinds = new ArrayList<>();
    Optional<List<String>> types = f.optStringList("layer_types");
    if (types.isPresent()) {
      if (types.get().size() != layers) {
        throw f.invalid(
            "layer_types",
            "lists " + types.get().size() + " layers but num_hidden_layers is " + layers,
            "give one entry per layer");
      }
      for (String t : types.get()) {
        kinds.add(
            switch (t) {
              case "sliding_attention" -> ArchFacts.LayerKind.SLIDING;
              case "linear_attention" -> ArchFacts.LayerKind.LINEAR;
              case "chunked_attention" -> ArchFacts.LayerKind.CHUNKED;
              default -> ArchFacts.LayerKind.FULL;
            });
      }
    } else {
      int linearEvery =
          family == Family.QWEN3_NEXT
              ? f.optIntIn("full_attention_interval", 1, MAX_LAYERS).orElse(4)
              : 0;
      int slidingPattern =
          family == Family.GEMMA3
              ? f.optIntIn("sliding_window_pattern", 1, MAX_LAYERS).orElse(6)
              : 0;
      boolean chunked = family == Family.LLAMA4 && f.has("attention_chunk_size");
      for (int i = 0; i < layers; i++) {
        ArchFacts.LayerKind k = ArchFacts.LayerKind.FULL;
        if (linearEvery > 0 && (i + 1) % linearEvery != 0) {
          k = ArchFacts.LayerKind.LINEAR;
        } else if (slidingPattern > 0 && (i + 1) % slidingPattern != 0) {
          k = ArchFacts.LayerKind.SLIDING;
        } else if (chunked && (i + 1) % 4 != 0) {
          k = ArchFacts.LayerKind.CHUNKED;
        }
        kinds.add(k);
      }
    }
    OptionalInt window = OptionalInt.empty();
    if (kinds.contains(ArchFacts.LayerKind.CHUNKED)) {
      window = f.optIntIn("attention_chunk_size", 1, Integer.MAX_VALUE);
    } else if (kinds.contains(ArchFacts.LayerKind.SLIDING)) {
      for (String key : List.of("sliding_window_size", "sliding_window", "window_size")) {
        if (f.optInt(key).isPresent()) {
          window = f.optInt(key);
          break;
        }
      }
    }
    Optional<ArchFacts.LinearAttention> linear = Optional.empty();
    if (kinds.contains(ArchFacts.LayerKind.LINEAR)) {
      String why = "size the linear-attention layers and their per-request state";
      String ssm = f.optString("mamba_ssm_dtype").orElse("float32");
      linear =
          Optional.of(
              new ArchFacts.LinearAttention(
                  f.requireIntIn("linear_num_key_heads", 1, MAX_HEADS, why),
                  f.requireIntIn("linear_num_value_heads", 1, MAX_HEADS, why),
                  f.requireIntIn("linear_key_head_dim", 1, MAX_DIM, why),
                  f.requireIntIn("linear_value_head_dim", 1, MAX_DIM, why),
                  f.requireIntIn("linear_conv_kernel_dim", 1, MAX_DIM, why),
                  ssm.contains("bfloat16") || ssm.contains("bf16") ? 2 : 4));
    }
    Optional<ArchFacts.Indexer> indexer = Optional.empty();
    if (f.has("index_head_dim")) {
      String why = "size the DSA indexer weights and its key cache";
      indexer =
          Optional.of(
              new ArchFacts.Indexer(
                  f.requireIntIn("index_n_heads", 1, MAX_HEADS, why),
                  f.requireIntIn("index_head_dim", 1, MAX_DIM, why),
                  f.optIntIn("index_topk", 1, Integer.MAX_VALUE).orElse(2048)));
    }
    Optional<ArchFacts.VisionTower> tower = Optional.empty();
    if (vision.isPresent()) {
      Fields v = vision.get();
      String why = "size the vision tower's weights";
      if (v.has("depth")) {
        tower =
            Optional.of(
                new ArchFacts.VisionTower(
                    ArchFacts.VisionTower.Kind.QWEN_VIT,
                    v.requireIntIn("depth", 1, MAX_LAYERS, why),
                    v.requireIntIn("hidden_size", 1, MAX_DIM, why),
                    v.requireIntIn("intermediate_size", 1, MAX_DIM, why),
                    v.requireIntIn("patch_size", 1, MAX_DIM, why),
                    v.optIntIn("temporal_patch_size", 1, MAX_DIM).orElse(1),
                    v.optIntIn("in_channels", 1, MAX_DIM)
                        .orElse(v.optIntIn("in_chans", 1, MAX_DIM).orElse(3)),
                    v.optIntIn("out_hidden_size", 1, MAX_DIM).orElse(hidden),
                    v.optIntIn("spatial_merge_size", 1, MAX_DIM).orElse(1),
                    v.optIntIn("num_position_embeddings", 0, Integer.MAX_VALUE).orElse(0),
                    v.optIntList("deepstack_visual_indexes").map(List::size).orElse(0)));
      } else if (family == Family.GEMMA3 && v.has("num_hidden_layers")) {
        int patch = v.requireIntIn("patch_size", 1, MAX_DIM, why);
        int image = v.requireIntIn("image_size", 1, MAX_DIM, why);
        tower =
            Optional.of(
                new ArchFacts.VisionTower(
                    ArchFacts.VisionTower.Kind.SIGLIP,
                    v.requireIntIn("num_hidden_layers", 1, MAX_LAYERS, why),
                    v.requireIntIn("hidden_size", 1, MAX_DIM, why),
                    v.requireIntIn("intermediate_size", 1, MAX_DIM, why),
                    patch,
                    1,
                    v.optIntIn("num_channels", 1, MAX_DIM).orElse(3),
                    hidden,
                    1,
                    (image / patch) * (image / patch),
                    0));
      }
    }
    boolean qkNorm =
        switch (family) {
          case QWEN3, QWEN3_MOE, QWEN3_NEXT, GEMMA3 -> true;
          case QWEN_VL -> arch.startsWith("Qwen3");
          default -> f.optBoolean("use_qk_norm").orElse(false);
        };
    int mtp = f.optIntIn("num_nextn_predict_layers", 0, MAX_LAYERS).orElse(0);
    mtp = Math.max(mtp, f.optIntIn("mtp_num_hidden_layers", 0, MAX_LAYERS).orElse(0));
    if (f.optBoolean("use_mtp").orElse(false)) {
      mtp = Math.max(mtp, f.optIntIn("num_mtp_modules", 0, MAX_LAYERS).orElse(0));
    }
    return new ArchFacts(
        kinds,
        window,
        linear,
        indexer,
        tower,
        qkNorm,
        family == Family.GPT_OSS,
        family == Family.QWEN3_NEXT && f.optBoolean("attn_output_gate").orElse(true),
        mtp);
  }

  /** Maps an architecture name to the SGLang model file that implements it. */
  public static Family familyOf(String architecture) {
    return switch (architecture) {
      case "LlamaForCausalLM", "MistralForCausalLM" -> Family.LLAMA;
      case "Qwen2ForCausalLM" -> Family.QWEN2;
      case "Qwen3ForCausalLM" -> Family.QWEN3;
      case "Qwen2MoeForCausalLM" -> Family.QWEN2_MOE;
      case "Qwen3MoeForCausalLM" -> Family.QWEN3_MOE;
      case "MixtralForCausalLM" -> Family.MIXTRAL;
      case "Gemma2ForCausalLM" -> Family.GEMMA2;
      case "Llama4ForConditionalGeneration", "Llama4ForCausalLM" -> Family.LLAMA4;
      case "DeepseekV2ForCausalLM",
          "DeepseekV3ForCausalLM",
          "DeepseekV32ForCausalLM",
          "GlmMoeDsaForCausalLM",
          "KimiK25ForConditionalGeneration" ->
          Family.DEEPSEEK;
      case "GptOssForCausalLM" -> Family.GPT_OSS;
      case "Qwen3NextForCausalLM",
          "Qwen3_5ForConditionalGeneration",
          "Qwen3_5MoeForConditionalGeneration",
          "Qwen3_5ForCausalLM",
          "Qwen3_5MoeForCausalLM" ->
          Family.QWEN3_NEXT;
      case "Glm4MoeForCausalLM" -> Family.GLM4_MOE;
      case "MiniMaxM2ForCausalLM" -> Family.MINIMAX_M2;
      case "Gemma3ForConditionalGeneration", "Gemma3ForCausalLM" -> Family.GEMMA3;
      case "Qwen2_5_VLForConditionalGeneration",
          "Qwen3VLForConditionalGeneration",
          "Qwen3VLMoeForConditionalGeneration" ->
          Family.QWEN_VL;
      case "Mistral3ForConditionalGeneration" -> Family.MISTRAL3;
      case "Phi3ForCausalLM" -> Family.PHI3;
      default -> Family.OTHER;
    };
  }

  private static Optional<Moe> parseMoe(Fields f, Family family, int layers) {
    OptionalInt experts;
    String expertsKey;
    switch (family) {
      case DEEPSEEK, GLM4_MOE -> expertsKey = "n_routed_experts";
      case QWEN2_MOE, QWEN3_MOE, QWEN3_NEXT -> expertsKey = "num_experts";
      case MIXTRAL, LLAMA4, GPT_OSS, MINIMAX_M2 -> expertsKey = "num_local_experts";
      default -> {
        expertsKey = null;
        for (String k : List.of("n_routed_experts", "num_local_experts", "num_experts")) {
          if (f.optInt(k).isPresent()) {
            expertsKey = k;
            break;
          }
        }
      }
    }
    if (expertsKey == null) {
      return Optional.empty();
    }
    experts = f.optIntIn(expertsKey, 0, MAX_EXPERTS);
    if (experts.isEmpty() || experts.getAsInt() == 0) {
      if (family == Family.MIXTRAL
          || family == Family.QWEN3_MOE
          || family == Family.GPT_OSS
          || family == Family.MINIMAX_M2) {
        throw f.missing(expertsKey, "size the experts of this MoE model");
      }
      return Optional.empty();
    }
    int e = experts.getAsInt();
    int topK = f.optIntIn("num_experts_per_tok", 0, experts.getAsInt()).orElse(0);
    String sizeKey =
        family == Family.MIXTRAL
                || family == Family.LLAMA4
                || family == Family.GPT_OSS
                || family == Family.MINIMAX_M2
            ? "intermediate_size"
            : "moe_intermediate_size";
    if (family == Family.OTHER && !f.has(sizeKey) && f.has("intermediate_size")) {
      sizeKey = "intermediate_size";
    }
    int expertSize = f.requireIntIn(sizeKey, 1, MAX_DIM, "size the expert weights");
    int shared = 0;
    int sharedSize = 0;
    switch (family) {
      case DEEPSEEK, GLM4_MOE -> {
        shared = f.optIntIn("n_shared_experts", 0, MAX_EXPERTS).orElse(0);
        sharedSize = Math.toIntExact(Math.min(Integer.MAX_VALUE, (long) expertSize * shared));
      }
      case QWEN2_MOE, QWEN3_NEXT -> {
        sharedSize = f.optIntIn("shared_expert_intermediate_size", 0, MAX_DIM).orElse(0);
        shared = sharedSize > 0 ? 1 : 0;
      }
      case LLAMA4 -> {
        shared = 1;
        sharedSize = expertSize;
      }
      default -> {}
    }
    List<Integer> moeLayers = new ArrayList<>();
    for (int layer = 0; layer < layers; layer++) {
      boolean sparse =
          switch (family) {
            case DEEPSEEK, GLM4_MOE ->
                layer >= f.optIntIn("first_k_dense_replace", 0, MAX_LAYERS).orElse(0)
                    && layer % f.optIntIn("moe_layer_freq", 1, MAX_LAYERS).orElse(1) == 0;
            case QWEN2_MOE, QWEN3_MOE, QWEN3_NEXT, QWEN_VL ->
                !f.optIntList("mlp_only_layers").orElse(List.of()).contains(layer)
                    && (layer + 1) % f.optIntIn("decoder_sparse_step", 1, MAX_LAYERS).orElse(1)
                        == 0;
            case LLAMA4 ->
                (layer + 1) % f.optIntIn("interleave_moe_layer_step", 1, MAX_LAYERS).orElse(1) == 0;
            default -> true;
          };
      if (sparse) {
        moeLayers.add(layer);
      }
    }
    long matrices = (long) moeLayers.size() * e;
    if (matrices > MAX_EXPERT_MATRICES) {
      throw f.invalid(
          expertsKey,
          String.format(
              Locale.ROOT,
              "is %d over %d MoE layers, %,d expert blocks in all, beyond the %,d this program"
                  + " accepts (the largest known models have about 31,000)",
              e,
              moeLayers.size(),
              matrices,
              MAX_EXPERT_MATRICES),
          "fix the file or pass --model-config with a corrected config.json");
    }
    return Optional.of(new Moe(e, topK, expertSize, shared, sharedSize, moeLayers));
  }

  private static Quantization parseQuantization(Fields q) {
    String method = q.optString("quant_method").orElse(q.optString("format").orElse("unknown"));
    OptionalInt bits = q.optIntIn("bits", 1, 64);
    if (bits.isEmpty()) {
      bits = q.optIntIn("w_bit", 1, 64);
    }
    if (bits.isEmpty()) {
      bits = q.optIntIn("weight_bits", 1, 64);
    }
    String m = method.toLowerCase(Locale.ROOT);
    if (bits.isEmpty() && (m.contains("fp8") || m.equals("w8a8_int8") || m.equals("w8a8_fp8"))) {
      bits = OptionalInt.of(8);
    }
    if (bits.isEmpty() && m.contains("fp4")) {
      bits = OptionalInt.of(4);
    }
    if (bits.isEmpty() && m.equals("bitsandbytes")) {
      boolean four = q.optBoolean("load_in_4bit").orElse(false);
      bits = OptionalInt.of(four ? 4 : 8);
    }
    if (bits.isEmpty() && m.equals("compressed-tensors")) {
      bits = q.compressedTensorsWeightBits();
    }
    Optional<Quantization.Block> block = Optional.empty();
    Optional<List<Integer>> blockList = q.optIntList("weight_block_size");
    if (blockList.isPresent()
        && blockList.get().size() == 2
        && (blockList.get().get(0) < 1 || blockList.get().get(1) < 1)) {
      throw q.invalid(
          "weight_block_size",
          "is " + blockList.get() + ", not two sizes of at least 1",
          "fix the file");
    }
    if (blockList.isPresent() && blockList.get().size() == 2) {
      block = Optional.of(new Quantization.Block(blockList.get().get(0), blockList.get().get(1)));
    }
    List<String> notConverted = new ArrayList<>();
    for (String key : List.of("modules_to_not_convert", "ignored_layers", "ignore")) {
      q.optStringList(key).ifPresent(notConverted::addAll);
    }
    for (String key : List.of("exclude_modules")) {
      q.optStringList(key).ifPresent(notConverted::addAll);
    }
    OptionalInt group = q.optInt("group_size");
    if (group.isEmpty()) {
      group = q.optInt("q_group_size");
    }
    if (group.isEmpty()) {
      group = q.compressedTensorsWeightInt("group_size");
    }
    Optional<String> format = q.optString("quant_algo");
    if (format.isEmpty() && m.equals("compressed-tensors")) {
      format = q.optString("format");
    }
    if (format.isEmpty() && m.equals("bitsandbytes")) {
      boolean four = q.optBoolean("load_in_4bit").orElse(false);
      format = Optional.of(four ? q.optString("bnb_4bit_quant_type").orElse("fp4") : "int8");
    }
    if (format.isPresent() && format.get().equalsIgnoreCase("NVFP4") && bits.isEmpty()) {
      bits = OptionalInt.of(4);
    }
    return new Quantization(
        method, bits, block, q.optString("activation_scheme"), notConverted, group, format);
  }

  /** SGLang's derived context length: rope factor × the first context key it finds, else 2048. */
  private static int contextLength(Fields text) {
    double factor = 1;
    Optional<Map<String, ?>> rope = text.optMap("rope_scaling");
    if (rope.isPresent() && !rope.get().isEmpty()) {
      Fields r = new Fields(rope.get(), text.where, text.prefix + "rope_scaling.");
      factor = r.optDouble("factor").orElse(1.0);
      if (!(factor > 0 && factor <= 1024)) {
        throw r.invalid("factor", "is " + factor + ", outside the range (0, 1024]", "fix the file");
      }
      if (rope.get().containsKey("original_max_position_embeddings")) {
        factor = 1;
      }
      if ("llama3".equals(r.optString("rope_type").orElse(""))) {
        factor = 1;
      }
    }
    for (String key :
        List.of(
            "max_sequence_length",
            "seq_length",
            "max_seq_len",
            "model_max_length",
            "max_position_embeddings")) {
      OptionalInt v = text.optIntIn(key, 1, Integer.MAX_VALUE);
      if (v.isPresent()) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, factor * v.getAsInt()));
      }
    }
    return 2048;
  }

  /** Typed access to one JSON object of a config, with messages that name the file and field. */
  private static final class Fields {
    private static final Set<String> DOUBLE_TYPES = Set.of("Double", "Float", "BigDecimal");
    private final Map<String, ?> map;
    private final String where;
    private final String prefix;

    Fields(Map<String, ?> map, String where, String prefix) {
      this.map = map;
      this.where = where;
      this.prefix = prefix;
    }

    boolean has(String key) {
      return map.get(key) != null;
    }

    InvalidInputException missing(String key, String why) {
      return new InvalidInputException(
          where,
          where
              + ": "
              + prefix
              + key
              + " is missing; it is required to "
              + why
              + "; add it to the file or pass --model-config with a complete config.json");
    }

    InvalidInputException invalid(String key, String observed, String fix) {
      return new InvalidInputException(
          where, where + ": " + prefix + key + " " + observed + "; " + fix);
    }

    int requireIntIn(String key, int min, int max, String why) {
      return optIntIn(key, min, max).orElseThrow(() -> missing(key, why));
    }

    /** {@link #optInt}, refusing a value outside {@code [min, max]} with both bounds named. */
    OptionalInt optIntIn(String key, int min, int max) {
      OptionalInt v = optInt(key);
      if (v.isPresent() && (v.getAsInt() < min || v.getAsInt() > max)) {
        throw invalid(
            key,
            String.format(
                Locale.ROOT,
                "is %d, outside the accepted range %,d to %,d",
                v.getAsInt(),
                min,
                max),
            "fix the file or pass --model-config with a corrected config.json");
      }
      return v;
    }

    OptionalInt optInt(String key) {
      Object v = map.get(key);
      if (v == null) {
        return OptionalInt.empty();
      }
      if (v instanceof Number n && !DOUBLE_TYPES.contains(v.getClass().getSimpleName())) {
        long l = n.longValue();
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
          throw invalid(key, "is " + v + ", beyond a 32-bit whole number", "fix the file");
        }
        return OptionalInt.of((int) l);
      }
      if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
        if (Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
          throw invalid(key, "is " + v + ", beyond a 32-bit whole number", "fix the file");
        }
        return OptionalInt.of((int) n.doubleValue());
      }
      throw invalid(key, "is " + describe(v) + ", not a whole number", "fix the file");
    }

    Optional<Double> optDouble(String key) {
      Object v = map.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof Number n) {
        return Optional.of(n.doubleValue());
      }
      throw invalid(key, "is " + describe(v) + ", not a number", "fix the file");
    }

    Optional<Boolean> optBoolean(String key) {
      Object v = map.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof Boolean b) {
        return Optional.of(b);
      }
      throw invalid(key, "is " + describe(v) + ", not true or false", "fix the file");
    }

    Optional<String> optString(String key) {
      Object v = map.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof String s) {
        return Optional.of(s);
      }
      throw invalid(key, "is " + describe(v) + ", not a string", "fix the file");
    }

    Optional<WeightDtype> optDtype(String key) {
      Optional<String> s = optString(key);
      if (s.isEmpty()) {
        return Optional.empty();
      }
      Optional<WeightDtype> d = WeightDtype.fromTorchName(s.get());
      if (d.isEmpty()) {
        throw invalid(
            key,
            "is \"" + s.get() + "\", not a dtype this build knows",
            "use bfloat16, float16 or float32");
      }
      return d;
    }

    @SuppressWarnings("unchecked")
    Optional<Map<String, ?>> optMap(String key) {
      Object v = map.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof Map<?, ?> m) {
        return Optional.of((Map<String, ?>) m);
      }
      throw invalid(key, "is " + describe(v) + ", not a JSON object", "fix the file");
    }

    Optional<List<String>> optStringList(String key) {
      Object v = map.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof String s) {
        return Optional.of(List.of(s));
      }
      if (v instanceof List<?> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) {
          if (!(o instanceof String s)) {
            throw invalid(key, "holds " + describe(o) + ", not only strings", "fix the file");
          }
          out.add(s);
        }
        return Optional.of(out);
      }
      throw invalid(key, "is " + describe(v) + ", not a list of strings", "fix the file");
    }

    Optional<List<Integer>> optIntList(String key) {
      Object v = map.get(key);
      if (v == null) {
        return Optional.empty();
      }
      if (v instanceof List<?> l) {
        List<Integer> out = new ArrayList<>();
        for (Object o : l) {
          if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw invalid(key, "holds " + describe(o) + ", not only whole numbers", "fix the file");
          }
          out.add(n.intValue());
        }
        return Optional.of(out);
      }
      throw invalid(key, "is " + describe(v) + ", not a list of whole numbers", "fix the file");
    }

    /** compressed-tensors: {@code config_groups.<group>.weights.<key>} of the first group. */
    OptionalInt compressedTensorsWeightInt(String key) {
      Object groups = map.get("config_groups");
      if (groups instanceof Map<?, ?> g) {
        for (Object group : g.values()) {
          if (group instanceof Map<?, ?> gm && gm.get("weights") instanceof Map<?, ?> w) {
            if (w.get(key) instanceof Number n) {
              return OptionalInt.of(n.intValue());
            }
          }
        }
      }
      return OptionalInt.empty();
    }

    /** compressed-tensors: {@code config_groups.<group>.weights.num_bits} of the first group. */
    OptionalInt compressedTensorsWeightBits() {
      Object groups = map.get("config_groups");
      if (groups instanceof Map<?, ?> g) {
        for (Object group : g.values()) {
          if (group instanceof Map<?, ?> gm && gm.get("weights") instanceof Map<?, ?> w) {
            if (w.get("num_bits") instanceof Number n && n.intValue() >= 1 && n.intValue() <= 64) {
              return OptionalInt.of(n.intValue());
            }
          }
        }
      }
      return OptionalInt.empty();
    }

    private static String describe(Object v) {
      if (v instanceof String s) {
        return "\"" + s + "\" (a string)";
      }
      if (v instanceof Map<?, ?>) {
        return "a JSON object";
      }
      if (v instanceof List<?>) {
        return "a list";
      }
      return String.valueOf(v);
    }
  }
}
