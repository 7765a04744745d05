package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import java.util.List;

/**
 * Gemma-3 ({@code models/gemma3_causal.py}, {@code gemma3_mm.py}): Gemma-2's four norms per layer
 * plus per-head q/k norms, tied embeddings; {@code Gemma3ForConditionalGeneration} nests the text
 * model under {@code language_model.model.} beside the SigLIP tower ({@link VisionTowers}). Five of
 * six layers slide over {@code sliding_window} tokens, but SGLang does not list Gemma-3 as
 * hybrid-SWA ({@code is_hybrid_swa_model}, model_config.py), so every layer keeps full-length KV.
 */
final class Gemma3Layout {
  private Gemma3Layout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    boolean mm = s.architecture().equals("Gemma3ForConditionalGeneration");
    String m = mm ? "language_model.model." : "model.";
    long h = s.hiddenSize();
    out.f(m + "embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = m + "layers." + layer + ".";
      out.gqa(p + "self_attn.", (long) s.numAttentionHeads() * s.headDim(), false);
      out.f(p + "self_attn.q_norm.weight", s.headDim());
      out.f(p + "self_attn.k_norm.weight", s.headDim());
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
      out.f(p + "pre_feedforward_layernorm.weight", h);
      out.f(p + "post_feedforward_layernorm.weight", h);
      out.gatedMlp(p + "mlp.", ArchLayouts.requireDense(s, where, layer));
    }
    out.f(m + "norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f((mm ? "language_model." : "") + "lm_head.weight", s.vocabSize(), h);
    }
    s.arch().vision().ifPresent(v -> VisionTowers.add(out, v, "", false));
    return out.tensors();
  }
}
