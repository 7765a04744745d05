package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.WeightDtype;
import java.util.List;

/**
 * GPT-OSS 20B/120B ({@code models/gpt_oss.py} @009c6808): GQA attention with q/k/v/o biases and a
 * learned per-head {@code sinks} parameter, a router with bias, and fused experts on every layer.
 * With {@code quant_method mxfp4} the experts are stored as {@code gate_up_proj_blocks U8 [E, 2I,
 * H/32, 16]} (two E2M1 values per byte), {@code gate_up_proj_scales U8 [E, 2I, H/32]} (one E8M0
 * scale per 32 values), {@code gate_up_proj_bias [E, 2I]}, and the same for {@code down_proj} with
 * {@code [E, H, I/32, ...]}; SGLang's {@code Mxfp4MoEMethod} keeps them as uint8 {@code w13_weight
 * [E, 2I, H/2]} and scales, the same bytes (layers/quantization/mxfp4.py create_weights).
 * Attention, router, embeddings and lm_head stay bf16 ({@code modules_to_not_convert}); the
 * released config names no {@code torch_dtype}, and its float tensors are bf16. Checked:
 * gpt-oss-20b synthesizes the index total 13,761,264,768 B exactly.
 */
final class GptOssLayout {
  private GptOssLayout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    TensorSink out = new TensorSink(s, WeightDtype.BF16);
    ModelSpec.Moe moe = ArchLayouts.requireMoe(s, where, "num_local_experts");
    long h = s.hiddenSize();
    long e = moe.numExperts();
    long i = moe.expertIntermediateSize();
    boolean mxfp4 = s.quantization().map(q -> q.method().equals("mxfp4")).orElse(false);
    out.f("model.embed_tokens.weight", s.vocabSize(), h);
    for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
      String p = "model.layers." + layer + ".";
      out.gqa(p + "self_attn.", (long) s.numAttentionHeads() * s.headDim(), true);
      out.f(p + "self_attn.sinks", s.numAttentionHeads());
      out.f(p + "input_layernorm.weight", h);
      out.f(p + "post_attention_layernorm.weight", h);
      out.f(p + "mlp.router.weight", e, h);
      out.f(p + "mlp.router.bias", e);
      String x = p + "mlp.experts.";
      if (mxfp4) {
        out.t(x + "gate_up_proj_blocks", WeightDtype.U8, e, 2 * i, h / 32, 16);
        out.t(x + "gate_up_proj_scales", WeightDtype.U8, e, 2 * i, h / 32);
        out.t(x + "down_proj_blocks", WeightDtype.U8, e, h, i / 32, 16);
        out.t(x + "down_proj_scales", WeightDtype.U8, e, h, i / 32);
      } else {
        out.f(x + "gate_up_proj", e, h, 2 * i);
        out.f(x + "down_proj", e, i, h);
      }
      out.f(x + "gate_up_proj_bias", e, 2 * i);
      out.f(x + "down_proj_bias", e, h);
    }
    out.f("model.norm.weight", h);
    if (!s.tieWordEmbeddings()) {
      out.f("lm_head.weight", s.vocabSize(), h);
    }
    return out.tensors();
  }
}
