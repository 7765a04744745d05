package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import java.util.List;

/**
 * Mistral-Small-3.1/3.2 and Mistral-Medium ({@code Mistral3ForConditionalGeneration}, {@code
 * models/mistral.py} over {@code llama.py}): a Llama text model under {@code
 * language_model.model.}. The Pixtral vision tower and projector are not synthesized (no {@code
 * vision_config} layout in this build; about 0.4 B parameters, under 2 % of a 24 B checkpoint); a
 * local checkpoint is measured whole.
 */
final class Mistral3Layout {
  private Mistral3Layout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    String m = "language_model.model.";
    long h = s.hiddenSize();
    out.f(m + "embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = m + "layers." + layer + ".";
      out.gqa(p + "self_attn.", (long) s.numAttentionHeads() * s.headDim(), false);
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
      out.gatedMlp(p + "mlp.", ArchLayouts.requireDense(s, where, layer));
    }
    out.f(m + "norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("language_model.lm_head.weight", s.vocabSize(), h);
    }
    return out.tensors();
  }
}
