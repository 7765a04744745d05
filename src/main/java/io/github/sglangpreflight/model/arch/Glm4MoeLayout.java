package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.util.List;

/**
 * GLM-4.5 / 4.5-Air / 4.6 ({@code models/glm4_moe.py} @d5fc25da): GQA attention with q/k/v bias
 * ({@code attention_bias}), q/k norms when {@code use_qk_norm}, partial rotary (no weights), the
 * first {@code first_k_dense_replace} layers dense, then DeepSeek-style MoE: {@code mlp.gate} with
 * a float32 {@code e_score_correction_bias}, routed experts and {@code shared_experts}. The {@code
 * num_nextn_predict_layers} MTP layers follow as {@code model.layers.L} with {@code eh_proj [H,
 * 2H]}, {@code enorm}, {@code hnorm} and {@code shared_head.norm} (the draft shares the target's
 * embedding and head); WeightPlacement reports them as the draft model.
 */
final class Glm4MoeLayout {
  private Glm4MoeLayout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    long h = s.hiddenSize();
    out.f("model.embed_tokens.weight", s.vocabSize(), h);
    int total = s.numHiddenLayers() + s.arch().mtpLayers();
    for (int layer = 0; layer < total; layer++) {
      String p = "model.layers." + layer + ".";
      boolean mtp = layer >= s.numHiddenLayers();
      if (mtp) {
        out.f(p + "enorm.weight", h);
        out.f(p + "hnorm.weight", h);
        out.f(p + "eh_proj.weight", h, 2 * h);
        out.f(p + "shared_head.norm.weight", h);
      }
      out.gqa(p + "self_attn.", (long) s.numAttentionHeads() * s.headDim(), false);
      if (s.arch().qkNorm()) {
        out.f(p + "self_attn.q_norm.weight", s.headDim());
        out.f(p + "self_attn.k_norm.weight", s.headDim());
      }
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
      boolean sparse = s.moe().isPresent() && (mtp || s.moe().get().isMoeLayer(layer));
      if (sparse) {
        ModelSpec.Moe moe = s.moe().get();
        out.f(p + "mlp.gate.weight", moe.numExperts(), h);
        out.t(p + "mlp.gate.e_score_correction_bias", WeightDtype.F32, moe.numExperts());
        for (int x = 0; x < moe.numExperts(); x++) {
          out.gatedMlp(p + "mlp.experts." + x + ".", moe.expertIntermediateSize());
        }
        if (moe.sharedIntermediateSize() > 0) {
          out.gatedMlp(p + "mlp.shared_experts.", moe.sharedIntermediateSize());
        }
      } else {
        out.gatedMlp(p + "mlp.", ArchLayouts.requireDense(s, where, layer));
      }
    }
    out.f("model.norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("lm_head.weight", s.vocabSize(), h);
    }
    return out.tensors();
  }
}
