package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ArchFacts;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import java.util.List;

/**
 * Qwen3-Next and Qwen3.5 ({@code models/qwen3_next.py} @502a21a8, {@code qwen3_5.py}): layers
 * alternate gated-DeltaNet linear attention and gated full attention ({@code layer_types}, or full
 * every {@code full_attention_interval}-th layer).
 *
 * <ul>
 *   <li>Full attention: {@code q_proj [2 · heads · head_dim, H]} (query and output gate), k/v,
 *       o_proj, per-head q/k norms.
 *   <li>Linear attention: {@code in_proj_qkvz [2·Kd + 2·Vd, H]}, {@code in_proj_ba [2·Hv, H]},
 *       {@code conv1d [2·Kd + Vd, 1, kernel]}, {@code dt_bias}, {@code A_log} [Hv], a gated norm
 *       [value_head_dim] and {@code out_proj [H, Vd]} (Kd = key heads × key dim, Vd = value heads ×
 *       value dim). Qwen3.5 splits the input projection differently; the bytes are the same.
 *   <li>MLP: routed experts with a gated shared expert (MoE variants), else a dense SwiGLU.
 *   <li>Qwen3.5 ({@code ...ForConditionalGeneration}) nests the text model under {@code
 *       model.language_model.} beside {@code model.visual.}. The {@code mtp.*} weights of the
 *       checkpoint are not synthesized: SGLang's target model does not load them.
 * </ul>
 */
final class Qwen3NextLayout {
  private Qwen3NextLayout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    ArchFacts a = s.arch();
    boolean nested =
        s.architecture().startsWith("Qwen3_5") && s.architecture().contains("Conditional");
    String m = nested ? "model.language_model." : "model.";
    long h = s.hiddenSize();
    out.f(m + "embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = m + "layers." + layer + ".";
      if (a.layerKinds().get(layer) == ArchFacts.LayerKind.LINEAR) {
        ArchFacts.LinearAttention la =
            a.linear().orElseThrow(() -> ArchLayouts.missing(where, s, "linear_num_value_heads"));
        long kd = (long) la.numKeyHeads() * la.keyHeadDim();
        long vd = (long) la.numValueHeads() * la.valueHeadDim();
        out.linear(p + "linear_attn.in_proj_qkvz", 2 * kd + 2 * vd, h, false);
        out.linear(p + "linear_attn.in_proj_ba", 2L * la.numValueHeads(), h, false);
        out.f(p + "linear_attn.conv1d.weight", la.convDim(), 1, la.convKernel());
        out.f(p + "linear_attn.dt_bias", la.numValueHeads());
        out.f(p + "linear_attn.A_log", la.numValueHeads());
        out.f(p + "linear_attn.norm.weight", la.valueHeadDim());
        out.linear(p + "linear_attn.out_proj", h, vd, false);
      } else {
        long q = (long) s.numAttentionHeads() * s.headDim() * (a.attnOutputGate() ? 2 : 1);
        out.gqa(p + "self_attn.", q, false);
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
        if (moe.sharedIntermediateSize() > 0) {
          out.gatedMlp(p + "mlp.shared_expert.", moe.sharedIntermediateSize());
          out.f(p + "mlp.shared_expert_gate.weight", 1, h);
        }
      } else {
        out.gatedMlp(p + "mlp.", ArchLayouts.requireDense(s, where, layer));
      }
    }
    out.f(m + "norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("lm_head.weight", s.vocabSize(), h);
    }
    a.vision().ifPresent(v -> VisionTowers.add(out, v, nested ? "model." : "", false));
    return out.tensors();
  }
}
