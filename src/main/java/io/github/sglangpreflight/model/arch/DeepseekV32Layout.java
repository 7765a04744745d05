package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ArchFacts;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.TensorInfo;
import io.github.sglangpreflight.model.TensorInventory;
import java.util.ArrayList;
import java.util.List;

/**
 * DeepSeek-V3.2 and GLM-5 ({@code DeepseekV32ForCausalLM}, {@code GlmMoeDsaForCausalLM}, served by
 * {@code models/deepseek_v2.py} @3e4a39ee): DeepSeek-V3's MLA + MoE layout ({@link
 * TensorInventory}) plus the DSA lightning indexer in every layer (MTP layers included): {@code
 * self_attn.indexer.wq_b [index_heads · index_dim, q_lora_rank]} and {@code wk [index_dim, H]} (fp8
 * with block scales in an fp8 checkpoint), a LayerNorm {@code k_norm} (weight and bias) and {@code
 * weights_proj [index_heads, H]} in bf16. SGLang replicates the indexer on every attention-TP rank.
 * Kimi-K2.5 ({@code KimiK25ForConditionalGeneration}) uses the same text layout; its MoonViT tower
 * is not synthesized (its {@code vision_config} lacks the sizes).
 */
final class DeepseekV32Layout {
  private DeepseekV32Layout() {}

  static List<TensorInfo> tensors(ModelSpec s, String where) {
    List<TensorInfo> base = TensorInventory.synthesize(s, where);
    if (s.arch().indexer().isEmpty()) {
      return base;
    }
    ArchFacts.Indexer ix = s.arch().indexer().get();
    int qLora =
        s.mla()
            .flatMap(
                m ->
                    m.qLoraRank().isPresent()
                        ? java.util.Optional.of(m.qLoraRank().getAsInt())
                        : java.util.Optional.<Integer>empty())
            .orElseThrow(() -> ArchLayouts.missing(where, s, "q_lora_rank"));
    TensorSink extra = new TensorSink(s);
    int total = s.numHiddenLayers() + s.numNextnPredictLayers();
    for (int layer = 0; layer < total; layer++) {
      String p = "model.layers." + layer + ".self_attn.indexer.";
      extra.linear(p + "wq_b", (long) ix.numHeads() * ix.headDim(), qLora, false);
      extra.linear(p + "wk", ix.headDim(), s.hiddenSize(), false);
      extra.f(p + "k_norm.weight", ix.headDim());
      extra.f(p + "k_norm.bias", ix.headDim());
      extra.t(
          p + "weights_proj.weight",
          io.github.sglangpreflight.model.WeightDtype.BF16,
          ix.numHeads(),
          s.hiddenSize());
    }
    List<TensorInfo> out = new ArrayList<>(base);
    out.addAll(extra.tensors());
    return out;
  }
}
