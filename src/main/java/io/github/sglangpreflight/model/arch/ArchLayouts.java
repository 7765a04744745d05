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
