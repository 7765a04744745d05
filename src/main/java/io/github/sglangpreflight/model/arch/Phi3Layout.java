package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import java.util.List;

/**
 * Phi-3 / Phi-4 ({@code Phi3ForCausalLM}, served by SGLang's Llama path with stacked-parameter
 * mapping, {@code models/phi3.py} / {@code llama.py}): the checkpoint fuses {@code qkv_proj [(heads
 * + 2 · kv_heads) · head_dim, H]} and {@code gate_up_proj [2 · I, H]}; {@code o_proj} and {@code
 * down_proj} as usual.
 */
final class Phi3Layout {
  private Phi3Layout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s);
    long h = s.hiddenSize();
    out.f("model.embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = "model.layers." + layer + ".";
      long qkv = ((long) s.numAttentionHeads() + 2L * s.numKeyValueHeads()) * s.headDim();
      out.linear(p + "self_attn.qkv_proj", qkv, h, false);
      out.linear(p + "self_attn.o_proj", h, (long) s.numAttentionHeads() * s.headDim(), false);
      long inter = ArchLayouts.requireDense(s, where, layer);
      out.linear(p + "mlp.gate_up_proj", 2 * inter, h, false);
      out.linear(p + "mlp.down_proj", h, inter, false);
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
    }
    out.f("model.norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("lm_head.weight", s.vocabSize(), h);
    }
    return out.tensors();
  }
}
