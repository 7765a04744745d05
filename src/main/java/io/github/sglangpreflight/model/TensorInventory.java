package io.github.sglangpreflight.model;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Synthesizes a checkpoint's tensor list from its {@link ModelSpec}, with the names, dtypes and
 * shapes the Hugging Face checkpoint uses, so that one placement engine ({@link WeightPlacement})
 * serves measured and synthesized models alike.
 *
 * <p>Naming follows the checkpoints SGLang's model files load: {@code
 * model.layers.N.self_attn.q_proj.weight} (Llama, Qwen, Mixtral, Gemma-2), {@code
 * language_model.model.layers.N...} with fused {@code feed_forward.experts.gate_up_proj} (Llama-4),
 * {@code q_a_proj}/{@code kv_a_proj_with_mqa}/{@code kv_b_proj} and {@code mlp.experts.E.gate_proj}
 * (DeepSeek). A block-fp8 checkpoint ({@code quant_method fp8}, {@code weight_block_size [bn, bk]})
 * stores every linear weight of the decoder layers as {@code F8_E4M3} with a float32 {@code
 * weight_scale_inv} of shape {@code [ceil(out/bn), ceil(in/bk)]}; embeddings, norms, routers and
 * {@code modules_to_not_convert} stay in {@code torch_dtype}. DeepSeek's MTP layers ({@code
 * num_nextn_predict_layers}) follow the main layers as {@code model.layers.L...} with their own
 * {@code embed_tokens}, {@code enorm}, {@code hnorm}, bf16 {@code eh_proj} and {@code shared_head}.
 *
 * <p>The routed experts of a layer come as one {@link TensorClass} per projection (the expert count
 * as its multiplicity), so the list holds every tensor but is built from, and placed by, a few
 * thousand classes; it lists a layer's experts projection by projection.
 *
 * <p>Checked against the index totals: every dense and MoE model of the catalog whose total is
 * known reproduces it to the byte, and DeepSeek-V3's 688,586,727,753 file bytes within the
 * safetensors headers (see {@code TensorInventoryTest}).
 */
public final class TensorInventory {
  private TensorInventory() {}

  /**
   * The tensors a checkpoint of {@code spec} holds.
   *
   * @param spec the architecture facts
   * @param where how messages name the source of {@code spec}
   * @throws InvalidInputException when the family or quantization has no synthesizable layout, or a
   *     field the layout needs (e.g. {@code intermediate_size}) is missing
   */
  public static List<TensorInfo> synthesize(ModelSpec spec, String where) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(where, "where");
    if (spec.family() == ModelSpec.Family.OTHER) {
      throw new InvalidInputException(
          where,
          where
              + ": architecture "
              + spec.architecture()
              + " has no tensor layout in this build, so its weights cannot be synthesized from"
              + " config.json; point --model-path at the downloaded checkpoint so its safetensors"
              + " headers can be measured");
    }
    Optional<Quantization> q = spec.quantization();
    if (q.isPresent() && !q.get().isFp8()) {
      throw new InvalidInputException(
          where,
          where
              + ": quantization "
              + q.get().describe()
              + " stores packed tensors that cannot be synthesized from config.json; point"
              + " --model-path at the downloaded checkpoint so its safetensors headers can be"
              + " measured");
    }
    return new Builder(spec, where).build();
  }

  private static final class Builder {
    private final ModelSpec s;
    private final String where;
    private final WeightDtype floatDtype;
    private final Optional<Quantization> quant;
    private final List<TensorClass> out = new ArrayList<>();

    /** The multiplicity of what {@link #add} adds: the expert count inside an expert block. */
    private int count = 1;

    private final String modelPrefix;
    private final String lmHeadName;

    Builder(ModelSpec spec, String where) {
      this.s = spec;
      this.where = where;
      this.floatDtype = spec.torchDtype().orElse(WeightDtype.F32);
      this.quant = spec.quantization();
      boolean llama4 = spec.family() == ModelSpec.Family.LLAMA4;
      this.modelPrefix = llama4 ? "language_model.model." : "model.";
      this.lmHeadName = llama4 ? "language_model.lm_head.weight" : "lm_head.weight";
    }

    List<TensorInfo> build() {
      int h = s.hiddenSize();
      floatTensor(modelPrefix + "embed_tokens.weight", s.vocabSize(), h);
      for (int layer = 0; layer < s.numHiddenLayers(); layer++) {
        decoderLayer(layer, false);
      }
      floatTensor(modelPrefix + "norm.weight", h);
      if (!s.tieWordEmbeddings()) {
        floatTensor(lmHeadName, s.vocabSize(), h);
      }
      if (s.family() == ModelSpec.Family.DEEPSEEK) {
        for (int j = 0; j < s.numNextnPredictLayers(); j++) {
          int layer = s.numHiddenLayers() + j;
          String p = modelPrefix + "layers." + layer + ".";
          floatTensor(p + "embed_tokens.weight", s.vocabSize(), h);
          floatTensor(p + "enorm.weight", h);
          floatTensor(p + "hnorm.weight", h);
          floatTensor(p + "eh_proj.weight", h, 2L * h);
          floatTensor(p + "shared_head.norm.weight", h);
          floatTensor(p + "shared_head.head.weight", s.vocabSize(), h);
          decoderLayer(layer, true);
        }
      }
      return TensorClassList.ofClasses(out);
    }

    private void decoderLayer(int layer, boolean nextn) {
      String p = modelPrefix + "layers." + layer + ".";
      int h = s.hiddenSize();
      if (s.mla().isPresent()) {
        mlaAttention(p, s.mla().get());
      } else {
        long q = (long) s.numAttentionHeads() * s.headDim();
        long kv = (long) s.numKeyValueHeads() * s.headDim();
        linear(p + "self_attn.q_proj", q, h);
        linear(p + "self_attn.k_proj", kv, h);
        linear(p + "self_attn.v_proj", kv, h);
        linear(p + "self_attn.o_proj", h, (long) s.numAttentionHeads() * s.vHeadDim());
        if (s.attentionBias()) {
          floatTensor(p + "self_attn.q_proj.bias", q);
          floatTensor(p + "self_attn.k_proj.bias", kv);
          floatTensor(p + "self_attn.v_proj.bias", kv);
        }
        if (s.family() == ModelSpec.Family.QWEN3 || s.family() == ModelSpec.Family.QWEN3_MOE) {
          floatTensor(p + "self_attn.q_norm.weight", s.headDim());
          floatTensor(p + "self_attn.k_norm.weight", s.headDim());
        }
      }
      floatTensor(p + "input_layernorm.weight", h);
      floatTensor(p + "post_attention_layernorm.weight", h);
      if (s.family() == ModelSpec.Family.GEMMA2) {
        floatTensor(p + "pre_feedforward_layernorm.weight", h);
        floatTensor(p + "post_feedforward_layernorm.weight", h);
      }
      boolean sparse = s.moe().isPresent() && (nextn || s.moe().get().isMoeLayer(layer));
      if (sparse) {
        moe(p, s.moe().get());
      } else {
        int inter =
            s.denseIntermediateSize()
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            where,
                            where
                                + ": "
                                + (s.family() == ModelSpec.Family.LLAMA4
                                    ? "intermediate_size_mlp"
                                    : "intermediate_size")
                                + " is missing; it is required to size the dense MLP of layer "
                                + layer
                                + "; add it to the file or pass --model-config with a complete"
                                + " config.json"));
        String mlp = s.family() == ModelSpec.Family.LLAMA4 ? "feed_forward." : "mlp.";
        gatedMlp(p + mlp, inter);
      }
    }

    private void mlaAttention(String p, ModelSpec.Mla m) {
      int h = s.hiddenSize();
      long heads = s.numAttentionHeads();
      long qHead = m.qkNopeHeadDim() + m.qkRopeHeadDim();
      if (m.qLoraRank().isPresent()) {
        int r = m.qLoraRank().getAsInt();
        linear(p + "self_attn.q_a_proj", r, h);
        floatTensor(p + "self_attn.q_a_layernorm.weight", r);
        linear(p + "self_attn.q_b_proj", heads * qHead, r);
      } else {
        linear(p + "self_attn.q_proj", heads * qHead, h);
      }
      linear(p + "self_attn.kv_a_proj_with_mqa", m.kvLoraRank() + m.qkRopeHeadDim(), h);
      floatTensor(p + "self_attn.kv_a_layernorm.weight", m.kvLoraRank());
      linear(p + "self_attn.kv_b_proj", heads * (m.qkNopeHeadDim() + m.vHeadDim()), m.kvLoraRank());
      linear(p + "self_attn.o_proj", h, heads * m.vHeadDim());
    }

    private void moe(String p, ModelSpec.Moe m) {
      int h = s.hiddenSize();
      long e = m.numExperts();
      long i = m.expertIntermediateSize();
      switch (s.family()) {
        case MIXTRAL -> {
          floatTensor(p + "block_sparse_moe.gate.weight", e, h);
          if (e > 0) {
            count = (int) e;
            String ex = p + "block_sparse_moe.experts.0.";
            linear(ex + "w1", i, h);
            linear(ex + "w2", h, i);
            linear(ex + "w3", i, h);
            count = 1;
          }
        }
        case LLAMA4 -> {
          floatTensor(p + "feed_forward.router.weight", e, h);
          floatTensor(p + "feed_forward.experts.gate_up_proj", e, h, 2 * i);
          floatTensor(p + "feed_forward.experts.down_proj", e, i, h);
          gatedMlp(p + "feed_forward.shared_expert.", m.sharedIntermediateSize());
        }
        default -> {
          floatTensor(p + "mlp.gate.weight", e, h);
          if (s.family() == ModelSpec.Family.DEEPSEEK
              && s.architecture().equals("DeepseekV3ForCausalLM")) {
            add(TensorInfo.of(p + "mlp.gate.e_score_correction_bias", WeightDtype.F32, e));
          }
          if (e > 0) {
            count = (int) e;
            gatedMlp(p + "mlp.experts.0.", i);
            count = 1;
          }
          if (m.sharedExperts() > 0 && s.family() == ModelSpec.Family.DEEPSEEK) {
            gatedMlp(p + "mlp.shared_experts.", m.sharedIntermediateSize());
          }
          if (m.sharedExperts() > 0 && s.family() == ModelSpec.Family.QWEN2_MOE) {
            gatedMlp(p + "mlp.shared_expert.", m.sharedIntermediateSize());
            floatTensor(p + "mlp.shared_expert_gate.weight", 1, h);
          }
        }
      }
    }

    private void gatedMlp(String p, long intermediate) {
      int h = s.hiddenSize();
      linear(p + "gate_proj", intermediate, h);
      linear(p + "up_proj", intermediate, h);
      linear(p + "down_proj", h, intermediate);
    }

    /** A linear layer's weight, quantized as the checkpoint's quantization_config says. */
    private void linear(String module, long out, long in) {
      if (quant.isPresent() && !quant.get().keepsUnquantized(module)) {
        Quantization fp8 = quant.get();
        add(TensorInfo.of(module + ".weight", WeightDtype.F8_E4M3, out, in));
        if (fp8.weightBlockSize().isPresent()) {
          Quantization.Block b = fp8.weightBlockSize().get();
          add(
              TensorInfo.of(
                  module + ".weight_scale_inv",
                  WeightDtype.F32,
                  ceilDiv(out, b.outputSize()),
                  ceilDiv(in, b.inputSize())));
        } else {
          add(TensorInfo.of(module + ".weight_scale", WeightDtype.F32, 1));
          if ("static".equals(fp8.activationScheme().orElse(""))) {
            add(TensorInfo.of(module + ".input_scale", WeightDtype.F32, 1));
          }
        }
      } else {
        floatTensor(module + ".weight", out, in);
      }
    }

    private void floatTensor(String name, long... dims) {
      add(TensorInfo.of(name, floatDtype, dims));
    }

    private void add(TensorInfo t) {
      out.add(new TensorClass(t, count));
    }
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
