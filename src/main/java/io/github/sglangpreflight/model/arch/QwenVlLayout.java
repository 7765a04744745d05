package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import java.util.List;

/**
 * Qwen2.5-VL, Qwen3-VL and Qwen3-VL-MoE ({@code models/qwen2_5_vl.py}, {@code qwen3_vl.py}, {@code
 * qwen3_vl_moe.py}): the Qwen2 (q/k/v bias) or Qwen3 (q/k norms) text stack under {@code
 * model.language_model.}, routed experts without a shared expert for the MoE variant, and the
 * {@code model.visual.} ViT with its patch merger and deepstack mergers ({@link VisionTowers}). The
 * ViT holds no KV cache.
 */
final class QwenVlLayout {
  private QwenVlLayout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    String m = "model.language_model.";
    long h = s.hiddenSize();
    out.f(m + "embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = m + "layers." + layer + ".";
      out.gqa(p + "self_attn.", (long) s.numAttentionHeads() * s.headDim(), false);
      if (s.arch().qkNorm()) {
        out.f(p + "self_attn.q_norm.weight", s.headDim());
        out.f(p + "self_attn.k_norm.weight", s.headDim());
      }
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
      if (s.moe().isPresent() && s.moe().get().isMoeLayer(layer)) {
        ModelSpec.Moe moe = s.moe().get();
        out.f(p + "mlp.gate.weight", moe.numExperts(), h);
        for (int x = 0; x < moe.numExperts(); x++) {
          out.gatedMlp(p + "mlp.experts." + x + ".", moe.expertIntermediateSize());
        }
      } else {
        out.gatedMlp(p + "mlp.", ArchLayouts.requireDense(s, where, layer));
      }
    }
    out.f(m + "norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("lm_head.weight", s.vocabSize(), h);
    }
    boolean qwen25 = s.architecture().startsWith("Qwen2");
    s.arch().vision().ifPresent(v -> VisionTowers.add(out, v, "model.", qwen25));
    return out.tensors();
  }
}
