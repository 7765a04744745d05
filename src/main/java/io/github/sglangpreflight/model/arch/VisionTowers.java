package io.github.sglangpreflight.model.arch;

import io.github.sglangpreflight.model.ArchFacts;

/**
 * Vision-tower tensors from {@code vision_config}, in the naming of the checkpoints SGLang's
 * multimodal model files load. The tower has no KV cache; its weights are placed whole on the first
 * pipeline stage (an upper bound: SGLang's Qwen ViT attention is TP-sharded).
 *
 * <ul>
 *   <li>SigLIP ({@code models/gemma3_mm.py} loads {@code vision_tower.vision_model.*}): patch conv
 *       {@code [h, C, p, p]} + bias, learned positions, per block q/k/v/out projections with bias,
 *       two LayerNorms, fc1/fc2 with bias; post LayerNorm; the projector's {@code
 *       mm_input_projection_weight [h, text_hidden]} and {@code mm_soft_emb_norm}.
 *   <li>Qwen ViT ({@code models/qwen2_5_vl.py}, {@code qwen3_vl.py}): 3-D patch conv {@code [h, C,
 *       T, p, p]}, per block fused {@code attn.qkv} and {@code attn.proj} with bias; Qwen2.5-VL has
 *       RMSNorms and a gated MLP, Qwen3-VL LayerNorms, {@code linear_fc1/2} and learned positions;
 *       a patch merger {@code [h·m², h·m²] → [out, h·m²]} plus one per deepstack index.
 * </ul>
 */
final class VisionTowers {
  private VisionTowers() {}

  static void add(TensorSink s, ArchFacts.VisionTower v, String prefix, boolean qwen25) {
    long h = v.hidden();
    long i = v.intermediate();
    switch (v.kind()) {
      case SIGLIP -> {
        String p = prefix + "vision_tower.vision_model.";
        s.f(
            p + "embeddings.patch_embedding.weight",
            h,
            v.inChannels(),
            v.patchSize(),
            v.patchSize());
        s.f(p + "embeddings.patch_embedding.bias", h);
        s.f(p + "embeddings.position_embedding.weight", v.positions(), h);
        for (int b = 0; b < v.depth(); b++) {
          String l = p + "encoder.layers." + b + ".";
          for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
            s.f(l + "self_attn." + proj + ".weight", h, h);
            s.f(l + "self_attn." + proj + ".bias", h);
          }
          s.f(l + "layer_norm1.weight", h);
          s.f(l + "layer_norm1.bias", h);
          s.f(l + "layer_norm2.weight", h);
          s.f(l + "layer_norm2.bias", h);
          s.f(l + "mlp.fc1.weight", i, h);
          s.f(l + "mlp.fc1.bias", i);
          s.f(l + "mlp.fc2.weight", h, i);
          s.f(l + "mlp.fc2.bias", h);
        }
        s.f(p + "post_layernorm.weight", h);
        s.f(p + "post_layernorm.bias", h);
        s.f(prefix + "multi_modal_projector.mm_input_projection_weight", h, v.outHidden());
        s.f(prefix + "multi_modal_projector.mm_soft_emb_norm.weight", h);
      }
      case QWEN_VIT -> {
        String p = prefix + "visual.";
        s.f(
            p + "patch_embed.proj.weight",
            h,
            v.inChannels(),
            v.temporalPatchSize(),
            v.patchSize(),
            v.patchSize());
        if (!qwen25) {
          s.f(p + "patch_embed.proj.bias", h);
          if (v.positions() > 0) {
            s.f(p + "pos_embed.weight", v.positions(), h);
          }
        }
        for (int b = 0; b < v.depth(); b++) {
          String l = p + "blocks." + b + ".";
          s.f(l + "attn.qkv.weight", 3 * h, h);
          s.f(l + "attn.qkv.bias", 3 * h);
          s.f(l + "attn.proj.weight", h, h);
          s.f(l + "attn.proj.bias", h);
          s.f(l + "norm1.weight", h);
          s.f(l + "norm2.weight", h);
          if (qwen25) {
            for (String proj : new String[] {"gate_proj", "up_proj"}) {
              s.f(l + "mlp." + proj + ".weight", i, h);
              s.f(l + "mlp." + proj + ".bias", i);
            }
            s.f(l + "mlp.down_proj.weight", h, i);
            s.f(l + "mlp.down_proj.bias", h);
          } else {
            s.f(l + "norm1.bias", h);
            s.f(l + "norm2.bias", h);
            s.f(l + "mlp.linear_fc1.weight", i, h);
            s.f(l + "mlp.linear_fc1.bias", i);
            s.f(l + "mlp.linear_fc2.weight", h, i);
            s.f(l + "mlp.linear_fc2.bias", h);
          }
        }
        long merged = h * v.spatialMerge() * v.spatialMerge();
        merger(s, p + "merger.", h, merged, v.outHidden(), qwen25);
        for (int d = 0; d < v.deepstackMergers(); d++) {
          merger(s, p + "deepstack_merger_list." + d + ".", merged, merged, v.outHidden(), false);
        }
      }
    }
  }

  private static void merger(
      TensorSink s, String p, long normWidth, long merged, long out, boolean qwen25) {
    if (qwen25) {
      s.f(p + "ln_q.weight", normWidth);
      s.f(p + "mlp.0.weight", merged, merged);
      s.f(p + "mlp.0.bias", merged);
      s.f(p + "mlp.2.weight", out, merged);
      s.f(p + "mlp.2.bias", out);
    } else {
      s.f(p + "norm.weight", normWidth);
      s.f(p + "norm.bias", normWidth);
      s.f(p + "linear_fc1.weight", merged, merged);
      s.f(p + "linear_fc1.bias", merged);
      s.f(p + "linear_fc2.weight", out, merged);
      s.f(p + "linear_fc2.bias", out);
    }
  }
}
