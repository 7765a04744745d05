package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Quantization;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites the linear weights of a synthesized (unquantized) inventory into the tensors a quantized
 * checkpoint stores, so that config-only estimates of AWQ, GPTQ, NVFP4, ModelOpt FP8,
 * compressed-tensors and bitsandbytes checkpoints keep their stored dtypes and scales. Only 2-D
 * {@code .weight} tensors of decoder layers are rewritten; norms, routers ({@code .gate}, {@code
 * router}), embeddings, lm_head, vision towers and modules the config excludes stay in {@code
 * torch_dtype}. Per linear {@code [out, in]} with group size {@code g} and {@code b} bits (SGLang
 * keeps these tensors as loaded, or repacks them into as many bytes for Marlin):
 *
 * <ul>
 *   <li>awq: {@code qweight I32 [in, out·b/32]}, {@code qzeros I32 [in/g, out·b/32]}, {@code scales
 *       F16 [in/g, out]} (layers/quantization/awq.py create_weights).
 *   <li>gptq: {@code qweight I32 [in·b/32, out]}, {@code qzeros I32 [in/g, out·b/32]}, {@code
 *       scales F16 [in/g, out]}, {@code g_idx I32 [in]} (gptq.py create_weights).
 *   <li>modelopt NVFP4: {@code weight U8 [out, in/2]}, {@code weight_scale F8_E4M3 [out, in/16]},
 *       {@code weight_scale_2} and {@code input_scale} F32 scalars (modelopt_quant.py
 *       ModelOptFp4LinearMethod); ModelOpt FP8: F8 weight and two F32 scalars.
 *   <li>compressed-tensors {@code pack-quantized}: {@code weight_packed I32 [out, in·b/32]}, {@code
 *       weight_scale BF16 [out, in/g]}, {@code weight_shape I32 [2]}; {@code nvfp4-pack-quantized}:
 *       as NVFP4 with {@code weight_global_scale}/{@code input_global_scale}; {@code
 *       float-quantized}/{@code int-quantized}: 1-byte weights and a F32 per-channel {@code
 *       weight_scale [out, 1]}.
 *   <li>bitsandbytes 4-bit: {@code weight U8 [out·in/2, 1]}, {@code weight.absmax F32 [out·in/64]}
 *       and a 16-entry {@code quant_map}; 8-bit: I8 weight and F32 {@code SCB [out]}.
 * </ul>
 */
final class QuantizedStorage {
  private QuantizedStorage() {}

  /** Whether {@code q} is a method this class rewrites (fp8 and mxfp4 are laid out directly). */
  static boolean rewrites(Quantization q) {
    return switch (q.method()) {
      case "awq",
          "awq_marlin",
          "gptq",
          "gptq_marlin",
          "modelopt",
          "modelopt_fp4",
          "modelopt_fp8",
          "compressed-tensors",
          "bitsandbytes" ->
          true;
      default -> false;
    };
  }

  static List<TensorInfo> apply(List<TensorInfo> tensors, ModelSpec spec, String where) {
    Quantization q = spec.quantization().orElseThrow();
    List<TensorInfo> out = new ArrayList<>(tensors.size() * 3);
    for (TensorInfo t : tensors) {
      if (!quantizable(t, q)) {
        out.add(t);
        continue;
      }
      String module = t.name().substring(0, t.name().length() - ".weight".length());
      rewrite(out, module, t.dim(0), t.dim(1), q, where);
    }
    return out;
  }

  private static boolean quantizable(TensorInfo t, Quantization q) {
    String n = t.name();
    if (!n.endsWith(".weight") || t.shape().size() != 2 || !t.dtype().castToModelDtype()) {
      return false;
    }
    if (!n.contains("layers.") || n.contains("visual.") || n.contains("vision_tower.")) {
      return false;
    }
    String module = n.substring(0, n.length() - ".weight".length());
    String last = module.substring(module.lastIndexOf('.') + 1);
    if (last.contains("norm")
        || last.equals("gate")
        || last.equals("router")
        || last.equals("shared_expert_gate")
        || last.equals("eh_proj")
        || last.equals("embed_tokens")
        || module.endsWith("shared_head.head")) {
      return false;
    }
    return !q.keepsUnquantized(module);
  }

  private static void rewrite(
      List<TensorInfo> out, String m, long o, long i, Quantization q, String where) {
    int bits = q.weightBits().orElse(4);
    String fmt = q.format().orElse("").toLowerCase(Locale.ROOT);
    switch (q.method()) {
      case "awq", "awq_marlin" -> {
        long g = group(q, i);
        long pack = 32 / bits;
        out.add(TensorInfo.of(m + ".qweight", WeightDtype.I32, i, ceil(o, pack)));
        out.add(TensorInfo.of(m + ".qzeros", WeightDtype.I32, ceil(i, g), ceil(o, pack)));
        out.add(TensorInfo.of(m + ".scales", WeightDtype.F16, ceil(i, g), o));
      }
      case "gptq", "gptq_marlin" -> {
        long g = group(q, i);
        long pack = 32 / bits;
        out.add(TensorInfo.of(m + ".qweight", WeightDtype.I32, ceil(i, pack), o));
        out.add(TensorInfo.of(m + ".qzeros", WeightDtype.I32, ceil(i, g), ceil(o, pack)));
        out.add(TensorInfo.of(m + ".scales", WeightDtype.F16, ceil(i, g), o));
        out.add(TensorInfo.of(m + ".g_idx", WeightDtype.I32, i));
      }
      case "modelopt", "modelopt_fp4", "modelopt_fp8" -> {
        if (fmt.contains("fp8") || q.method().equals("modelopt_fp8")) {
          out.add(TensorInfo.of(m + ".weight", WeightDtype.F8_E4M3, o, i));
          out.add(TensorInfo.of(m + ".weight_scale", WeightDtype.F32));
          out.add(TensorInfo.of(m + ".input_scale", WeightDtype.F32));
        } else {
          nvfp4(out, m, o, i, q, "weight", ".weight_scale_2", ".input_scale");
        }
      }
      case "compressed-tensors" -> {
        if (fmt.contains("nvfp4")) {
          nvfp4(out, m, o, i, q, "weight_packed", ".weight_global_scale", ".input_global_scale");
        } else if (fmt.equals("pack-quantized")) {
          long g = group(q, i);
          out.add(TensorInfo.of(m + ".weight_packed", WeightDtype.I32, o, ceil(i * bits, 32)));
          out.add(TensorInfo.of(m + ".weight_scale", WeightDtype.BF16, o, ceil(i, g)));
          out.add(TensorInfo.of(m + ".weight_shape", WeightDtype.I32, 2));
        } else {
          WeightDtype w = fmt.contains("int") ? WeightDtype.I8 : WeightDtype.F8_E4M3;
          out.add(TensorInfo.of(m + ".weight", w, o, i));
          out.add(TensorInfo.of(m + ".weight_scale", WeightDtype.F32, o, 1));
        }
      }
      case "bitsandbytes" -> {
        if (fmt.equals("int8")) {
          out.add(TensorInfo.of(m + ".weight", WeightDtype.I8, o, i));
          out.add(TensorInfo.of(m + ".SCB", WeightDtype.F32, o));
        } else {
          out.add(TensorInfo.of(m + ".weight", WeightDtype.U8, ceil(o * i, 2), 1));
          out.add(TensorInfo.of(m + ".weight.absmax", WeightDtype.F32, ceil(o * i, 64)));
          out.add(TensorInfo.of(m + ".weight.quant_map", WeightDtype.F32, 16));
        }
      }
      default ->
          throw new InvalidInputException(
              where, where + ": quantization " + q.describe() + " has no stored layout here");
    }
  }

  private static void nvfp4(
      List<TensorInfo> out,
      String m,
      long o,
      long i,
      Quantization q,
      String packed,
      String global,
      String input) {
    long g = q.groupSize().orElse(16);
    out.add(TensorInfo.of(m + "." + packed, WeightDtype.U8, o, ceil(i, 2)));
    out.add(TensorInfo.of(m + ".weight_scale", WeightDtype.F8_E4M3, o, ceil(i, g)));
    out.add(TensorInfo.of(m + global, WeightDtype.F32, 1));
    out.add(TensorInfo.of(m + input, WeightDtype.F32, 1));
  }

  private static long group(Quantization q, long in) {
    int g = q.groupSize().orElse(128);
    return g <= 0 ? in : g;
  }

  private static long ceil(long a, long b) {
    return (a + b - 1) / b;
  }
}
