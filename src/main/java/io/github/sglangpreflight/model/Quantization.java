package io.github.sglangpreflight.model;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code quantization_config} of a checkpoint: how its weights are stored on disk.
 *
 * <p>{@code fp8} with {@code weight_block_size [128, 128]} is the block-fp8 layout of DeepSeek-V3,
 * Kimi-K2 and the Qwen3 {@code -FP8} repos: 1-byte weights plus one float32 {@code
 * weight_scale_inv} per 128×128 block, which SGLang keeps as loaded (fp8.py L269-284 and L553-572
 * at v0.4.5.post3). Other methods (awq, gptq, compressed-tensors, bitsandbytes, ...) are recognised
 * and their weight bits stated; their tensors are measured from the safetensors headers, never
 * synthesized.
 *
 * @param method {@code quant_method}, lower case (e.g. {@code fp8}, {@code awq})
 * @param weightBits bits per stored weight where the config states or implies them
 * @param weightBlockSize {@code weight_block_size} as [output block, input block]
 * @param activationScheme {@code activation_scheme} ({@code dynamic}/{@code static}) where given
 * @param modulesNotConverted module names the checkpoint keeps unquantized ({@code
 *     modules_to_not_convert}, {@code ignored_layers} or {@code ignore}); compressed-tensors
 *     entries starting {@code re:} are regular expressions
 * @param groupSize weights per scale ({@code group_size}, {@code q_group_size}, the first
 *     compressed-tensors group's {@code weights.group_size}, ModelOpt's {@code group_size})
 * @param format the storage variant: ModelOpt {@code quant_algo} ({@code NVFP4}, {@code FP8}),
 *     compressed-tensors {@code format} ({@code pack-quantized}, {@code float-quantized}, {@code
 *     nvfp4-pack-quantized}), bitsandbytes {@code nf4}/{@code fp4}/{@code int8}
 */
public record Quantization(
    String method,
    OptionalInt weightBits,
    Optional<Block> weightBlockSize,
    Optional<String> activationScheme,
    List<String> modulesNotConverted,
    OptionalInt groupSize,
    Optional<String> format) {

  /**
   * A quantization block: one scale per {@code outputSize × inputSize} tile of a weight.
   *
   * @param outputSize rows (output features) per block, 128 for DeepSeek-V3
   * @param inputSize columns (input features) per block, 128 for DeepSeek-V3
   */
  public record Block(int outputSize, int inputSize) {
    public Block {
      if (outputSize < 1 || inputSize < 1) {
        throw new IllegalArgumentException(
            "block sizes must be at least 1, was [" + outputSize + ", " + inputSize + "]");
      }
    }
  }

  public Quantization {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(weightBits, "weightBits");
    Objects.requireNonNull(weightBlockSize, "weightBlockSize");
    Objects.requireNonNull(activationScheme, "activationScheme");
    modulesNotConverted = List.copyOf(modulesNotConverted);
    Objects.requireNonNull(groupSize, "groupSize");
    Objects.requireNonNull(format, "format");
    method = method.toLowerCase(Locale.ROOT);
  }

  /** Whether this is SGLang's fp8 method with 1-byte weights stored in the checkpoint. */
  public boolean isFp8() {
    return method.equals("fp8");
  }

  /** Whether the checkpoint is fp8 with block scales ({@code weight_scale_inv} per block). */
  public boolean isBlockFp8() {
    return isFp8() && weightBlockSize.isPresent();
  }

  /**
   * Whether a module (a tensor name without its {@code .weight}/{@code .bias} suffix) is kept
   * unquantized by {@link #modulesNotConverted()}: an exact name, or a listed name that is a dotted
   * prefix or suffix of it ({@code lm_head} matches {@code lm_head}, {@code
   * model.layers.0.mlp.gate} matches itself).
   */
  public boolean keepsUnquantized(String module) {
    Objects.requireNonNull(module, "module");
    for (String m : modulesNotConverted) {
      if (m.startsWith("re:")) {
        if (java.util.regex.Pattern.compile(m.substring(3)).matcher(module).matches()) {
          return true;
        }
        continue;
      }
      if (module.equals(m) || module.startsWith(m + ".") || module.endsWith("." + m)) {
        return true;
      }
    }
    return false;
  }

  /** One line for people: {@code fp8, 8-bit weights, blocks 128x128, dynamic activations}. */
  public String describe() {
    StringBuilder s = new StringBuilder(method);
    weightBits.ifPresent(b -> s.append(", ").append(b).append("-bit weights"));
    weightBlockSize.ifPresent(
        b -> s.append(", blocks ").append(b.outputSize()).append('x').append(b.inputSize()));
    activationScheme.ifPresent(a -> s.append(", ").append(a).append(" activations"));
    return s.toString();
  }
}
