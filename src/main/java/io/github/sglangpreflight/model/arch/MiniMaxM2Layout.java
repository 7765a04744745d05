package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.util.List;

/**
 * MiniMax-M2 / M2.5 ({@code models/minimax_m2.py}): GQA attention with q/k RMSNorm over the whole
 * projection ({@code q_norm [heads · head_dim]}, {@code k_norm [kv_heads · head_dim]}), every layer
 * MoE under {@code block_sparse_moe} with a router {@code gate}, a float32 {@code
 * e_score_correction_bias} and experts {@code w1}/{@code w2}/{@code w3} of {@code
 * intermediate_size}; no shared expert. The released checkpoint is block-fp8 except {@code gate},
 * {@code e_score_correction_bias} and {@code lm_head}. The MTP modules ({@code use_mtp}) are not
 * synthesized: the target model does not load them.
 */
final class MiniMaxM2Layout {
  private MiniMaxM2Layout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    ModelSpec.Moe moe = ArchLayouts.requireMoe(s, where, "num_local_experts");
    long h = s.hiddenSize();
    long i = moe.expertIntermediateSize();
    out.f("model.embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = "model.layers." + layer + ".";
      out.gqa(p + "self_attn.", (long) s.numAttentionHeads() * s.headDim(), false);
      if (s.arch().qkNorm()) {
        out.f(p + "self_attn.q_norm.weight", (long) s.numAttentionHeads() * s.headDim());
        out.f(p + "self_attn.k_norm.weight", (long) s.numKeyValueHeads() * s.headDim());
      }
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
      String b = p + "block_sparse_moe.";
      out.f(b + "gate.weight", moe.numExperts(), h);
      out.t(b + "e_score_correction_bias", WeightDtype.F32, moe.numExperts());
      for (int x = 0; x < moe.numExperts(); x++) {
        String ex = b + "experts." + x + ".";
        out.linear(ex + "w1", i, h, false);
        out.linear(ex + "w2", h, i, false);
        out.linear(ex + "w3", i, h, false);
      }
    }
    out.f("model.norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("lm_head.weight", s.vocabSize(), h);
    }
    return out.tensors();
  }
}
