package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Quantization;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Collects synthesized tensors in the checkpoint's naming. Float tensors take {@code torch_dtype};
 * linear weights of a block-fp8 checkpoint are written as F8_E4M3 with their float32 {@code
 * weight_scale_inv} blocks (the convention {@code TensorInventory} follows); other quantization
 * methods are applied afterwards by {@link QuantizedStorage}.
 */
final class TensorSink {
  private final ModelSpec spec;
  private final WeightDtype floatDtype;
  private final Optional<Quantization> fp8;
  private final List<TensorInfo> out = new ArrayList<>();

  TensorSink(ModelSpec spec) {
    this(spec, WeightDtype.F32);
  }

  /** With the float dtype a checkpoint stores when its config names no {@code torch_dtype}. */
  TensorSink(ModelSpec spec, WeightDtype withoutTorchDtype) {
    this.spec = spec;
    this.floatDtype = spec.torchDtype().orElse(withoutTorchDtype);
    this.fp8 = spec.quantization().filter(Quantization::isFp8);
  }

  ModelSpec spec() {
    return spec;
  }

  WeightDtype floatDtype() {
    return floatDtype;
  }

  /** A tensor in {@code torch_dtype}. */
  void f(String name, long... dims) {
    out.add(TensorInfo.of(name, floatDtype, dims));
  }

  /** A tensor of a fixed dtype. */
  void t(String name, WeightDtype dtype, long... dims) {
    out.add(TensorInfo.of(name, dtype, dims));
  }

  /** A linear layer {@code [out, in]}, fp8 where the checkpoint is fp8, with an optional bias. */
  void linear(String module, long outFeatures, long inFeatures, boolean bias) {
    if (fp8.isPresent() && !fp8.get().keepsUnquantized(module)) {
      t(module + ".weight", WeightDtype.F8_E4M3, outFeatures, inFeatures);
      if (fp8.get().weightBlockSize().isPresent()) {
        Quantization.Block b = fp8.get().weightBlockSize().get();
        t(
            module + ".weight_scale_inv",
            WeightDtype.F32,
            ceilDiv(outFeatures, b.outputSize()),
            ceilDiv(inFeatures, b.inputSize()));
      } else {
        t(module + ".weight_scale", WeightDtype.F32, 1);
      }
    } else {
      f(module + ".weight", outFeatures, inFeatures);
    }
    if (bias) {
      f(module + ".bias", outFeatures);
    }
  }

  /** {@code gate_proj}, {@code up_proj}, {@code down_proj} of a SwiGLU MLP. */
  void gatedMlp(String prefix, long intermediate) {
    int h = spec.hiddenSize();
    linear(prefix + "gate_proj", intermediate, h, false);
    linear(prefix + "up_proj", intermediate, h, false);
    linear(prefix + "down_proj", h, intermediate, false);
  }

  /** Q/K/V/O projections of GQA attention, with bias where the config says so. */
  void gqa(String prefix, long qOut, boolean oBias) {
    ModelSpec s = spec;
    long kv = (long) s.numKeyValueHeads() * s.headDim();
    boolean bias = s.attentionBias();
    linear(prefix + "q_proj", qOut, s.hiddenSize(), bias);
    linear(prefix + "k_proj", kv, s.hiddenSize(), bias);
    linear(prefix + "v_proj", (long) s.numKeyValueHeads() * s.vHeadDim(), s.hiddenSize(), bias);
    linear(prefix + "o_proj", s.hiddenSize(), (long) s.numAttentionHeads() * s.vHeadDim(), oBias);
  }

  List<TensorInfo> tensors() {
    return out;
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
