package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Quantization;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.TensorInventory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Synthesizes a checkpoint's tensors from its config for every architecture this build has a layout
 * for: the classic families of {@link TensorInventory} and the families of this package (GPT-OSS,
 * Qwen3-Next/Qwen3.5, DeepSeek-V3.2/GLM-5 with the DSA indexer, GLM-4.5/4.6, MiniMax-M2, Gemma-3,
 * Qwen2.5-VL/Qwen3-VL, Mistral-3, Phi-3/Phi-4). Quantized checkpoints keep their stored dtypes and
 * scales: block/per-tensor fp8 and GPT-OSS MXFP4 are laid out directly, AWQ, GPTQ, NVFP4, ModelOpt
 * FP8, compressed-tensors and bitsandbytes through {@link QuantizedStorage}. Pure.
 *
 * <p>An architecture without a layout is refused here (config only), never when its checkpoint is
 * on disk: {@code ModelResolver} then measures the safetensors headers instead.
 */
public final class ArchLayouts {
  private ArchLayouts() {}

  /**
   * The SGLang model file whose weight layout the synthesized tensors of {@code spec} follow, with
   * the commit the layout was read at where it names one (the layout classes' documentation).
   */
  public static String sglangModelFile(ModelSpec spec) {
    String arch = spec.architecture();
    return switch (spec.family()) {
      case LLAMA -> "models/llama.py";
      case QWEN2 -> "models/qwen2.py";
      case QWEN3 -> "models/qwen3.py";
      case QWEN2_MOE -> "models/qwen2_moe.py";
      case QWEN3_MOE -> "models/qwen3_moe.py";
      case MIXTRAL -> "models/mixtral.py";
      case GEMMA2 -> "models/gemma2.py";
      case LLAMA4 -> "models/llama4.py";
      case DEEPSEEK ->
          spec.arch().indexer().isPresent()
              ? "models/deepseek_v2.py @3e4a39ee (DSA indexer)"
              : "models/deepseek_v2.py";
      case GPT_OSS -> "models/gpt_oss.py @009c6808";
      case QWEN3_NEXT ->
          arch.equals("Qwen3NextForCausalLM")
              ? "models/qwen3_next.py @502a21a8"
              : "models/qwen3_5.py (layers as models/qwen3_next.py @502a21a8)";
      case GLM4_MOE -> "models/glm4_moe.py @d5fc25da";
      case MINIMAX_M2 -> "models/minimax_m2.py";
      case GEMMA3 -> "models/gemma3_causal.py, models/gemma3_mm.py";
      case QWEN_VL ->
          switch (arch) {
            case "Qwen2_5_VLForConditionalGeneration" -> "models/qwen2_5_vl.py @013902a8";
            case "Qwen3VLForConditionalGeneration" -> "models/qwen3_vl.py @005fa833";
            case "Qwen3VLMoeForConditionalGeneration" -> "models/qwen3_vl_moe.py @0e0ee12b";
            default -> "models/qwen3_vl.py";
          };
      case MISTRAL3 -> "models/mistral.py over models/llama.py";
      case PHI3 -> "models/phi3.py / models/llama.py @00239548";
      case OTHER -> "none (measured from the safetensors headers)";
    };
  }

  /**
   * The tensors a checkpoint of {@code spec} holds.
   *
   * @param spec the architecture facts
   * @param where how messages name the source of {@code spec}
   * @throws InvalidInputException when the architecture or quantization has no layout, or a field
   *     the layout needs is missing (the message names the field and the model)
   */
  public static List<TensorInfo> synthesize(ModelSpec spec, String where) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(where, "where");
    Optional<Quantization> q = spec.quantization();
    boolean rewrite = q.isPresent() && QuantizedStorage.rewrites(q.get());
    boolean direct =
        q.isEmpty()
            || q.get().isFp8()
            || q.get().method().equals("mxfp4") && spec.family() == ModelSpec.Family.GPT_OSS;
    if (!rewrite && !direct) {
      throw new InvalidInputException(
          where,
          where
              + ": quantization "
              + q.get().describe()
              + " of "
              + spec.architecture()
              + " stores tensors this build cannot synthesize from config.json; point"
              + " --model-path at the downloaded checkpoint so its safetensors headers can be"
              + " measured");
    }
    ModelSpec plain = rewrite ? withoutQuantization(spec) : spec;
    List<TensorInfo> tensors =
        switch (plain.family()) {
          case GPT_OSS -> GptOssLayout.tensors(plain, where);
          case QWEN3_NEXT -> Qwen3NextLayout.tensors(plain, where);
          case GLM4_MOE -> Glm4MoeLayout.tensors(plain, where);
          case MINIMAX_M2 -> MiniMaxM2Layout.tensors(plain, where);
          case GEMMA3 -> Gemma3Layout.tensors(plain, where);
          case QWEN_VL -> QwenVlLayout.tensors(plain, where);
          case MISTRAL3 -> Mistral3Layout.tensors(plain, where);
          case PHI3 -> Phi3Layout.tensors(plain, where);
          case DEEPSEEK -> DeepseekV32Layout.tensors(plain, where);
          default -> TensorInventory.synthesize(plain, where);
        };
    return rewrite ? QuantizedStorage.apply(tensors, spec, where) : tensors;
  }

  static ModelSpec withoutQuantization(ModelSpec s) {
    return new ModelSpec(
        s.architectures(),
        s.modelType(),
        s.family(),
        s.hiddenSize(),
        s.numHiddenLayers(),
        s.numAttentionHeads(),
        s.numKeyValueHeads(),
        s.headDim(),
        s.vHeadDim(),
        s.vocabSize(),
        s.denseIntermediateSize(),
        s.tieWordEmbeddings(),
        s.torchDtype(),
        s.maxPositionEmbeddings(),
        s.contextLength(),
        s.moe(),
        s.mla(),
        s.numNextnPredictLayers(),
        s.slidingWindow(),
        s.attentionChunkSize(),
        s.attentionBias(),
        Optional.empty(),
        s.multimodal(),
        s.visionLayers(),
        s.visionHidden(),
        s.visionHeads(),
        s.arch());
  }

  static InvalidInputException missing(String where, ModelSpec s, String field) {
    return new InvalidInputException(
        where,
        where
            + ": "
            + field
            + " is missing; it is required to synthesize the weights of "
            + s.architecture()
            + "; add it to the file or pass --model-config with a complete config.json");
  }

  static ModelSpec.Moe requireMoe(ModelSpec s, String where, String field) {
    return s.moe().orElseThrow(() -> missing(where, s, field));
  }

  static int requireDense(ModelSpec s, String where, int layer) {
    return s.denseIntermediateSize()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    where,
                    where
                        + ": intermediate_size is missing; it is required to size the dense MLP"
                        + " of layer "
                        + layer
                        + " of "
                        + s.architecture()
                        + "; add it to the file or pass --model-config with a complete"
                        + " config.json"));
  }
}
