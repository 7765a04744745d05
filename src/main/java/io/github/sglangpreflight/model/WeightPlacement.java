package io.github.sglangpreflight.model;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Predicts the weight bytes SGLang keeps on each GPU: the checkpoint's tensors, split the way
 * SGLang's layers split them over TP, PP, EP and DP attention. Pure.
 *
 * <p>The rules, each with the code it follows (revisions: v0.4.5.post3 = b9c87e78, main =
 * 8761b971):
 *
 * <ul>
 *   <li>Column-parallel linears (q/k/v, gate/up, q_b/kv_b) split their output rows, row-parallel
 *       ones (o_proj, down_proj) their input columns; a row-parallel bias stays whole
 *       (layers/linear.py L352, L1184 @v0.4.5.post3). Attention splits over the attention-TP group
 *       ({@code tp / dp} under DP attention), the MLP over the TP group.
 *   <li>K/V heads: each rank holds {@code max(1, kv_heads / attn_tp)} heads, so K/V projections are
 *       duplicated when the TP group is larger than the KV heads (linear.py L803-809
 *
 * @v0.4.5.post3).
 *     <li>MLA: q_a_proj and kv_a_proj_with_mqa are replicated, q_b/kv_b/o split over attention TP
 *         (deepseek_v2.py L438-492 @v0.4.5.post3); after loading SGLang adds {@code w_kc}/{@code
 *         w_vc}, copies of kv_b_proj ({@link WeightPlacementOptions.MlaAbsorbedCopies}).
 *     <li>Embedding and lm_head: the vocabulary is padded to a multiple of 64 and split evenly over
 *         their group (vocab_parallel_embedding.py L24, L65-67, L289-291 @v0.4.5.post3); tied
 *         weights are held once unless PP gives the last stage its own lm_head.
 *     <li>Experts: each EP rank holds {@code experts / ep} experts, each split over {@code moe_tp =
 *         tp / ep} (fused_moe_triton/layer.py L298-305 and ep_moe/layer.py L146-155 @v0.4.5.post3;
 *         fused_moe_triton/layer.py L286-309 @main); routers and norms are replicated.
 *     <li>fp8 block checkpoints keep 1-byte weights and a float32 scale per 128×128 block of each
 *         rank's shard (fp8.py L269-284, L553-572 @v0.4.5.post3); other floats are held in the
 *         model dtype ({@code --dtype}, else {@code torch_dtype}).
 *     <li>PP: layers per stage by {@link #layerRanges}; the embedding sits on the first stage, the
 *         final norm and lm_head on the last (qwen3_moe.py creates its lm_head on every stage at
 *         both revisions: L710-716 @v0.4.9, L959-965 @main).
 *     </ul>
 */
public final class WeightPlacement {
  private static final Pattern EXPERT =
      Pattern.compile("experts\\.(\\d+)\\.(gate_proj|up_proj|down_proj|w1|w2|w3|gate_up_proj)\\.");
  private static final int VOCAB_PADDING = 64;

  /** MXFP4 MoE: a rank's intermediate size is rounded up to this (mxfp4.py @0043c43a, CUDA). */
  private static final int MXFP4_INTERMEDIATE_PAD = 64;

  /** GPT-OSS fused experts: {@code experts.gate_up_proj_blocks}, {@code _scales}, {@code _bias}. */
  private static final Pattern FUSED_EXPERT =
      Pattern.compile("experts\\.(gate_up_proj|down_proj)(_blocks|_scales|_bias)?$");

  static final String SRC_LINEAR =
      "layers/linear.py L352 (column), L1184 (row) @v0.4.5.post3; the attention half over"
          + " get_attention_tp_size() (dp_attention.py)";
  static final String SRC_QKV = "layers/linear.py L803-809 @v0.4.5.post3 (QKVParallelLinear)";
  static final String SRC_MLA = "models/deepseek_v2.py L438-492 @v0.4.5.post3";
  static final String SRC_VOCAB =
      "layers/vocab_parallel_embedding.py L24, L65-67, L289-291 @v0.4.5.post3";
  static final String SRC_EXPERTS =
      "layers/moe/fused_moe_triton/layer.py L298-305, layers/moe/ep_moe/layer.py L146-155"
          + " @v0.4.5.post3; fused_moe_triton/layer.py L286-309 @main";
  static final String SRC_FP8 = "layers/quantization/fp8.py L269-284, L553-572 @v0.4.5.post3";

  private WeightPlacement() {}

  /**
   * The decoder layers of one pipeline stage.
   *
   * @param ppRank the stage, 0 first
   * @param startLayer its first layer
   * @param endLayer one past its last layer
   */
  public record LayerRange(int ppRank, int startLayer, int endLayer) {
    /** The number of layers. */
    public int layers() {
      return endLayer - startLayer;
    }
  }

  /**
   * SGLang's split of {@code layers} decoder layers over {@code ppSize} stages ({@code
   * get_pp_indices}).
   *
   * @throws InvalidInputException when {@code partition} has the wrong length or sum (SGLang
   *     refuses it the same way)
   */
  public static List<LayerRange> layerRanges(
      int layers,
      int ppSize,
      WeightPlacementOptions.PpLayerSplit split,
      Optional<List<Integer>> partition) {
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(partition, "partition");
    if (layers < 1 || ppSize < 1) {
      throw new IllegalArgumentException(
          "layers and ppSize must be at least 1, was " + layers + " and " + ppSize);
    }
    List<LayerRange> out = new ArrayList<>();
    if (partition.isPresent()) {
      List<Integer> p = partition.get();
      int sum = p.stream().mapToInt(Integer::intValue).sum();
      if (p.size() != ppSize || sum != layers) {
        throw new InvalidInputException(
            "SGLANG_PP_LAYER_PARTITION",
            String.format(
                Locale.ROOT,
                "SGLANG_PP_LAYER_PARTITION %s gives %d stages and %d layers, but the launch has"
                    + " --pp-size %d and the model %d layers; list one layer count per stage that"
                    + " adds up to %d",
                p,
                p.size(),
                sum,
                ppSize,
                layers,
                layers));
      }
      int start = 0;
      for (int r = 0; r < ppSize; r++) {
        out.add(new LayerRange(r, start, start + p.get(r)));
        start += p.get(r);
      }
      return out;
    }
    int base = layers / ppSize;
    int remainder = layers % ppSize;
    for (int r = 0; r < ppSize; r++) {
      int start;
      int end;
      if (split == WeightPlacementOptions.PpLayerSplit.LAST_TAKES_REMAINDER) {
        start = r * base;
        end = r == ppSize - 1 ? layers : start + base;
      } else if (r >= ppSize - remainder) {
        int withoutExtra = ppSize - remainder;
        start = r * (base + 1) - withoutExtra;
        end = start + base + 1;
      } else {
        start = r * base;
        end = start + base;
      }
      out.add(new LayerRange(r, start, end));
    }
    return out;
  }

  /**
   * The weight bytes on each GPU of a launch.
   *
   * @param model the model, with its measured or synthesized tensors
   * @param parallelism the launch's TP/PP/DP/EP layout
   * @param options the launch flags and version facts that change the layout
   * @throws InvalidInputException when {@code SGLANG_PP_LAYER_PARTITION} does not fit the model
   */
  public static WeightsPerGpu perGpu(
      ModelDescription model, Parallelism parallelism, WeightPlacementOptions options) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(parallelism, "parallelism");
    Objects.requireNonNull(options, "options");
    return new Engine(model, parallelism, options).run();
  }

  /** What a tensor is, as far as the placement is concerned. */
  private enum Role {
    EMBEDDING("embedding"),
    LM_HEAD("lm_head"),
    NORM("norms"),
    ATTN_Q("attention"),
    ATTN_KV("attention"),
    ATTN_COLUMN("attention"),
    ATTN_ROW("attention"),
    ATTN_REPLICATED("attention"),
    MLP_COLUMN("dense MLP"),
    MLP_ROW("dense MLP"),
    SHARED_COLUMN("shared experts"),
    SHARED_ROW("shared experts"),
    EXPERT_COLUMN("routed experts"),
    EXPERT_ROW("routed experts"),
    EXPERT_FUSED_COLUMN("routed experts"),
    EXPERT_FUSED_ROW("routed experts"),
    ROUTER("MoE router"),
    NEXTN_LINEAR("MTP eh_proj"),
    VISION("vision tower"),
    OTHER("other");

    final String part;

    Role(String part) {
      this.part = part;
    }

    boolean quantizableLinear() {
      return switch (this) {
        case ATTN_Q,
            ATTN_KV,
            ATTN_COLUMN,
            ATTN_ROW,
            ATTN_REPLICATED,
            MLP_COLUMN,
            MLP_ROW,
            SHARED_COLUMN,
            SHARED_ROW,
            EXPERT_COLUMN,
            EXPERT_ROW,
            EXPERT_FUSED_COLUMN,
            EXPERT_FUSED_ROW ->
            true;
        default -> false;
      };
    }

    boolean expert() {
      return this == EXPERT_COLUMN
          || this == EXPERT_ROW
          || this == EXPERT_FUSED_COLUMN
          || this == EXPERT_FUSED_ROW;
    }
  }

  /** A tensor's classification. */
  private record Placed(Role role, int layer, int expert, String module, String suffix) {}

  /**
   * One rank's share of one tensor.
   *
   * @param numel elements on the rank, all copies together
   * @param shape the per-rank shape for people
   * @param dims the per-rank shape of one copy
   * @param copies how many copies the rank holds (fused shared-expert replicas)
   */
  private record Share(long numel, String shape, long[] dims, long copies) {
    /** Output rows of the rank's shard(s): one online-fp8 scale each. */
    long rowsForScale() {
      return dims.length == 0 ? 0 : copies * dims[0];
    }
  }

  private static final class Engine {
    private final ModelDescription model;
    private final ModelSpec spec;
    private final Parallelism par;
    private final WeightPlacementOptions opt;
    private final WeightDtype modelDtype;
    private final int tp;
    private final int attnTp;
    private final int ep;
    private final int moeTp;
    private final int embedTp;
    private final int lmHeadTp;
    private final int denseMlpTp;
    private final boolean onlineFp8;
    private final Map<String, TensorInfo> byName = new HashMap<>();
    private final List<LayerRange> ranges;

    Engine(ModelDescription model, Parallelism par, WeightPlacementOptions opt) {
      this.model = model;
      this.spec = model.spec();
      this.par = par;
      this.opt = opt;
      this.modelDtype = spec.modelDtype(opt.dtypeOverride());
      this.tp = par.tpSize();
      this.attnTp = par.attnTpSize();
      this.ep = par.epSize();
      this.moeTp = par.moeTpSize();
      this.embedTp =
          par.dpAttention()
              ? (opt.vocabUnderDpAttention()
                      == WeightPlacementOptions.VocabUnderDpAttention.REPLICATED
                  ? 1
                  : attnTp)
              : tp;
      this.lmHeadTp = par.dpAttention() && opt.dpLmHead() ? attnTp : tp;
      this.denseMlpTp =
          spec.family() == ModelSpec.Family.DEEPSEEK
                  && opt.moeDenseTpSize().isPresent()
                  && opt.moeDenseTpSize().getAsInt() == 1
              ? 1
              : tp;
      this.onlineFp8 = opt.onlineFp8() && spec.quantization().isEmpty();
      for (TensorClass c : model.tensorClasses()) {
        byName.put(c.first().name(), c.first());
      }
      this.ranges =
          layerRanges(
              spec.numHiddenLayers(), par.ppSize(), opt.ppLayerSplit(), opt.ppLayerPartition());
    }

    /**
     * SGLang refuses a block-fp8 layer whose per-GPU share does not fill whole blocks (fp8.py
     * L219-244 for linears and L496-512 for experts @v0.4.5.post3; L505-525 and L1155-1178 @main).
     */
    private void checkFp8Blocks() {
      Optional<Quantization.Block> block =
          spec.quantization()
              .filter(Quantization::isBlockFp8)
              .flatMap(Quantization::weightBlockSize);
      if (block.isEmpty()) {
        return;
      }
      int bn = block.get().outputSize();
      int bk = block.get().inputSize();
      if (spec.moe().isPresent()) {
        int inter = spec.moe().get().expertIntermediateSize();
        int per = inter / moeTp;
        if (per % bn != 0 || (tp > 1 && per % bk != 0)) {
          throw blockMisfit(
              "expert intermediate size", inter, moeTp, per, per % bn != 0 ? bn : bk, "--ep-size");
        }
      }
      if (spec.denseIntermediateSize().isPresent() && denseMlpTp > 1) {
        int inter = spec.denseIntermediateSize().getAsInt();
        int per = inter / denseMlpTp;
        if (per % bn != 0 || per % bk != 0) {
          throw blockMisfit("dense MLP intermediate size", inter, denseMlpTp, per, bn, null);
        }
      }
      if (attnTp > 1 && attnTp == tp) {
        int heads = spec.numAttentionHeads() / attnTp;
        int width = heads * (spec.usesMla() ? spec.mla().get().vHeadDim() : spec.vHeadDim());
        if (width % bk != 0) {
          throw blockMisfit(
              "attention output width",
              spec.numAttentionHeads() * (width / heads),
              attnTp,
              width,
              bk,
              null);
        }
      }
    }

    private InvalidInputException blockMisfit(
        String what, int total, int split, int perGpu, int blockSize, String alternative) {
      return new InvalidInputException(
          "--tp-size",
          String.format(
              Locale.ROOT,
              "%s cannot load with --tp-size %d%s: each GPU's share of the %s is %d / %d = %d,"
                  + " not a multiple of the fp8 block %d, and SGLang refuses such a layer; choose"
                  + " a --tp-size%s that leaves a multiple of %d per GPU",
              model.id(),
              tp,
              par.epSize() > 1 ? " --ep-size " + par.epSize() : "",
              what,
              total,
              split,
              perGpu,
              blockSize,
              alternative == null ? "" : " (or " + alternative + ")",
              blockSize));
    }

    WeightsPerGpu run() {
      checkFp8Blocks();
      int stages = ranges.size();
      List<Map<String, Part>> stageParts = new ArrayList<>();
      for (int i = 0; i < stages; i++) {
        stageParts.add(new LinkedHashMap<>());
      }
      Map<String, Part> draftParts = new LinkedHashMap<>();
      boolean hasDraft = false;
      boolean hasLmHead = false;
      TensorInfo embedding = null;
      for (TensorClass c : model.tensorClasses()) {
        TensorInfo t = c.first();
        Placed p = classify(t.name());
        boolean draft = p.layer() >= spec.numHiddenLayers();
        if (draft) {
          hasDraft = true;
          if (p.role() == Role.EMBEDDING || p.role() == Role.LM_HEAD) {
            part(draftParts, "embedding and lm_head (shared with the target)", Src.SHARED_HEAD)
                .note(p.suffix() + " " + t.shape() + " not held: the draft uses the target's");
            continue;
          }
          add(draftParts, t, p, c.count());
          continue;
        }
        if (p.role() == Role.LM_HEAD) {
          hasLmHead = true;
        }
        if (p.role() == Role.EMBEDDING && p.layer() < 0) {
          embedding = t;
        }
        for (int stage : stagesOf(p, stages)) {
          add(stageParts.get(stage), t, p, c.count());
        }
      }
      if (!hasLmHead && spec.tieWordEmbeddings() && stages > 1 && embedding != null) {
        Share s = vocabShare(embedding, lmHeadTp);
        part(stageParts.get(stages - 1), "lm_head", Src.TIED_PP)
            .add("lm_head (tied, own copy on the last stage)", s.shape(), modelDtype, s.numel());
      }
      List<WeightsPerGpu.RankWeights> ranks = new ArrayList<>();
      int worst = 0;
      for (int i = 0; i < stages; i++) {
        WeightsPerGpu.RankWeights r = finish(ranges.get(i), stageParts.get(i));
        ranks.add(r);
        if (r.bytes() > ranks.get(worst).bytes()) {
          worst = i;
        }
      }
      Optional<WeightsPerGpu.RankWeights> draft = Optional.empty();
      if (hasDraft) {
        int start = spec.numHiddenLayers();
        draft =
            Optional.of(
                finish(
                    new LayerRange(
                        stages - 1, start, start + Math.max(1, spec.numNextnPredictLayers())),
                    draftParts));
      }
      return new WeightsPerGpu(ranks.get(worst).bytes(), worst, ranks, draft);
    }

    private WeightsPerGpu.RankWeights finish(LayerRange range, Map<String, Part> parts) {
      List<WeightsPerGpu.WeightPart> out = new ArrayList<>();
      long sum = 0;
      for (Part p : parts.values()) {
        WeightsPerGpu.WeightPart w = p.toPart();
        out.add(w);
        sum += w.bytes();
      }
      out.sort(Comparator.comparingLong(WeightsPerGpu.WeightPart::bytes).reversed());
      return new WeightsPerGpu.RankWeights(
          range.ppRank(), range.startLayer(), range.endLayer(), sum, out);
    }

    private List<Integer> stagesOf(Placed p, int stages) {
      if (p.layer() >= 0) {
        for (LayerRange r : ranges) {
          if (p.layer() >= r.startLayer() && p.layer() < r.endLayer()) {
            return List.of(r.ppRank());
          }
        }
        return List.of();
      }
      return switch (p.role()) {
        case EMBEDDING, VISION, OTHER -> List.of(0);
        case LM_HEAD -> {
          if (spec.family() == ModelSpec.Family.QWEN3_MOE) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < stages; i++) {
              all.add(i);
            }
            yield all;
          }
          yield List.of(stages - 1);
        }
        default -> List.of(stages - 1);
      };
    }

    /**
     * Adds {@code count} tensors: {@code t} and the members of its class, which differ from it only
     * by a higher expert index (the experts from {@code localExperts()} on are not on this rank).
     */
    private void add(Map<String, Part> parts, TensorInfo t, Placed p, int count) {
      long times = count;
      if (p.role() == Role.EXPERT_COLUMN || p.role() == Role.EXPERT_ROW) {
        times = Math.max(0, Math.min(count, localExperts() - p.expert()));
      }
      boolean scale = isScale(t.name());
      Share share = share(t, p, scale);
      if (share.numel() == 0 || times == 0) {
        return;
      }
      WeightDtype gpu;
      if (scale || !t.dtype().castToModelDtype()) {
        gpu = t.dtype();
      } else if (onlineFp8 && p.role().quantizableLinear() && !t.name().endsWith(".bias")) {
        gpu = WeightDtype.F8_E4M3;
      } else {
        gpu = modelDtype;
      }
      part(parts, p.role().part, sourceOf(p.role()))
          .add(p.suffix(), share.shape(), gpu, share.numel(), times);

      if (onlineFp8 && p.role().quantizableLinear() && gpu == WeightDtype.F8_E4M3) {
        onlineFp8Extras(parts, p, share, times);
      }
      if (p.role() == Role.ATTN_COLUMN && p.module().endsWith("kv_b_proj") && !scale) {
        mlaCopies(parts, p, share, gpu, times);
      }
    }

    /** Scales of online fp8, and the bf16 experts Qwen3-MoE keeps referenced (v0.4.6.post5+). */
    private void onlineFp8Extras(Map<String, Part> parts, Placed p, Share share, long times) {
      if (p.role().expert()) {
        long experts =
            p.role() == Role.EXPERT_FUSED_COLUMN || p.role() == Role.EXPERT_FUSED_ROW
                ? localExperts()
                : 1;
        part(parts, "online fp8 scales", Src.ONLINE_FP8_MOE)
            .add(p.suffix() + " scale", "[" + experts + "]", WeightDtype.F32, experts, times);
        if (opt.qwen3MoeOnlineFp8KeepsExperts()
            && spec.architecture().equals("Qwen3MoeForCausalLM")) {
          part(parts, "bf16 experts kept by online fp8", Src.KEPT_EXPERTS)
              .add(p.suffix(), share.shape(), modelDtype, share.numel(), times);
        }
      } else {
        long rows = share.rowsForScale();
        part(parts, "online fp8 scales", Src.ONLINE_FP8_LINEAR)
            .add(p.suffix() + " scale", "[" + rows + "]", WeightDtype.F32, rows, times);
      }
    }

    private void mlaCopies(
        Map<String, Part> parts, Placed p, Share share, WeightDtype held, long times) {
      WeightDtype copy;
      if (held.castToModelDtype()) {
        copy = held;
      } else if (onlineFp8) {
        // post_load_weights runs at the end of load_weights (deepseek_v2.py L1715), before the
        // loader requantizes kv_b_proj (model_loader/loader.py L377-388) @v0.4.5.post3
        copy = modelDtype;
      } else if (spec.quantization().map(Quantization::isBlockFp8).orElse(false)) {
        copy =
            opt.mlaAbsorbedCopies() == WeightPlacementOptions.MlaAbsorbedCopies.BF16
                ? WeightDtype.BF16
                : WeightDtype.F8_E4M3;
      } else {
        copy = WeightDtype.F8_E4M3;
      }
      part(parts, "MLA w_kc/w_vc copies", Src.MLA_COPIES)
          .add(
              "w_kc + w_vc (copy of " + p.suffix() + ")",
              share.shape(),
              copy,
              share.numel(),
              times);
    }

    private long localExperts() {
      return spec.moe().map(m -> (long) m.numExperts() / ep).orElse(1L);
    }

    private Part part(Map<String, Part> parts, String name, String source) {
      return parts.computeIfAbsent(name, n -> new Part(n, source));
    }

    private String sourceOf(Role role) {
      return switch (role) {
        case EMBEDDING ->
            par.dpAttention() ? Src.VOCAB + "; under DP attention " + Src.VOCAB_DP : Src.VOCAB;
        case LM_HEAD -> Src.LM_HEAD;
        case ATTN_Q, ATTN_KV -> SRC_QKV + "; " + SRC_LINEAR;
        case ATTN_COLUMN, ATTN_ROW, ATTN_REPLICATED -> spec.usesMla() ? SRC_MLA : SRC_LINEAR;
        case MLP_COLUMN, MLP_ROW -> SRC_LINEAR + (denseMlpTp == 1 ? "; " + Src.DENSE_TP1 : "");
        case SHARED_COLUMN, SHARED_ROW -> Src.SHARED;
        case EXPERT_COLUMN, EXPERT_ROW, EXPERT_FUSED_COLUMN, EXPERT_FUSED_ROW ->
            SRC_EXPERTS + (spec.quantization().isPresent() ? "; " + SRC_FP8 : "");
        case ROUTER, NORM -> "replicated on every GPU (ReplicatedLinear, RMSNorm)";
        case NEXTN_LINEAR -> Src.NEXTN;
        case VISION -> "replicated on every GPU of the first stage (upper bound)";
        case OTHER -> "not a tensor this build places; counted whole on the first stage";
      };
    }

    /** Shares depend only on these, so the many identical expert tensors are computed once. */
    private record ShareKey(Role role, String suffix, List<Long> shape, boolean held) {}

    private final Map<ShareKey, Share> shares = new HashMap<>();

    private Share share(TensorInfo t, Placed p, boolean scale) {
      boolean held =
          !(p.role() == Role.EXPERT_COLUMN || p.role() == Role.EXPERT_ROW)
              || p.expert() < localExperts();
      ShareKey key = new ShareKey(p.role(), p.suffix(), t.shape(), held);
      Share s = shares.get(key);
      if (s == null) {
        s = computeShare(t, p, scale);
        shares.put(key, s);
      }
      return s;
    }

    private Share computeShare(TensorInfo t, Placed p, boolean scale) {
      if (scale && t.name().endsWith(".weight_scale_inv")) {
        TensorInfo weight = byName.get(p.module() + ".weight");
        Optional<Quantization.Block> block =
            spec.quantization().flatMap(Quantization::weightBlockSize);
        if (weight != null && block.isPresent() && weight.shape().size() >= 2) {
          Share w = share(weight, p, false);
          if (w.numel() == 0 || w.dims().length < 2) {
            return w.numel() == 0 ? w : fraction(t, 1, 1);
          }
          long[] dims = w.dims();
          int n = dims.length;
          long out = dims[n - 2];
          long in = dims[n - 1];
          long lead = 1;
          for (int i = 0; i < n - 2; i++) {
            lead *= dims[i];
          }
          long rows = ceilDiv(out, block.get().outputSize());
          long cols = ceilDiv(in, block.get().inputSize());
          long copies = w.copies();
          return new Share(
              copies * lead * rows * cols,
              (copies > 1 ? copies + " × " : "")
                  + "["
                  + rows
                  + ", "
                  + cols
                  + "] blocks of "
                  + w.shape(),
              new long[] {lead * rows, cols},
              copies);
        }
      }
      return switch (p.role()) {
        case EMBEDDING -> vocabShare(t, embedTp);
        case LM_HEAD -> vocabShare(t, lmHeadTp);
        case NORM, ROUTER, NEXTN_LINEAR, VISION, OTHER, ATTN_REPLICATED -> whole(t);
        case ATTN_Q, ATTN_COLUMN -> split(t, 0, 1, attnTp, 1);
        case ATTN_KV -> kvShare(t);
        case ATTN_ROW -> t.shape().size() == 1 ? whole(t) : split(t, 1, 1, attnTp, 1);
        case MLP_COLUMN -> split(t, 0, 1, denseMlpTp, 1);
        case MLP_ROW -> t.shape().size() == 1 ? whole(t) : split(t, 1, 1, denseMlpTp, 1);
        case SHARED_COLUMN, SHARED_ROW -> sharedShare(t, p);
        case EXPERT_COLUMN, EXPERT_ROW -> {
          if (p.expert() >= localExperts()) {
            yield new Share(0, "", new long[0], 1);
          }
          yield p.role() == Role.EXPERT_COLUMN
              ? split(t, 0, 1, moeTp, 1)
              : (t.shape().size() == 1 ? whole(t) : split(t, 1, 1, moeTp, 1));
        }
        case EXPERT_FUSED_COLUMN, EXPERT_FUSED_ROW -> fusedExpertShare(t, p);
      };
    }

    private Share sharedShare(TensorInfo t, Placed p) {
      boolean column = p.role() == Role.SHARED_COLUMN;
      int splitDim = column ? 0 : 1;
      if (!column && t.shape().size() == 1) {
        return whole(t);
      }
      boolean v3 =
          spec.architecture().equals("DeepseekV3ForCausalLM")
              && spec.moe().map(m -> m.numExperts() == 256 && m.sharedExperts() == 1).orElse(false);
      return switch (v3
          ? opt.sharedExpertFusion()
          : WeightPlacementOptions.SharedExpertFusion.NONE) {
        case NONE -> split(t, splitDim, 1, tp, 1);
        case LOCAL_EXPERT -> split(t, splitDim, 1, moeTp, 1);
        case REPLICA_PER_TP_RANK -> split(t, splitDim, 1, moeTp, tp / ep);
      };
    }

    private Share fusedExpertShare(TensorInfo t, Placed p) {
      // Llama-4: gate_up_proj [E, H, 2I], down_proj [E, I, H]. GPT-OSS MXFP4 blocks/scales/bias
      // ([E, 2I, ...], [E, H, ...]): local experts, the intermediate dim over moe_tp; a row
      // bias [E, H] whole per local expert.
      boolean gptOss =
          t.name().endsWith("_blocks")
              || t.name().endsWith("_scales")
              || t.name().endsWith("_bias");
      if (gptOss) {
        long experts = t.dim(0);
        long local = experts / ep;
        long per = t.numel() / experts;
        boolean rowBias = p.role() == Role.EXPERT_FUSED_ROW && t.name().endsWith("_bias");
        long numel = local * (rowBias ? per : ceilDiv(per, moeTp));
        String padText = "";
        long inter = spec.moe().map(ModelSpec.Moe::expertIntermediateSize).orElse(0);
        boolean mxfp4 = spec.quantization().map(q -> q.method().equals("mxfp4")).orElse(false);
        if (mxfp4 && !rowBias && inter > 0 && per % inter == 0) {
          // Mxfp4MoEMethod.create_weights pads each rank's intermediate size to a multiple of
          // 64 on CUDA (layers/quantization/mxfp4.py @0043c43a); the per-expert tensor is
          // per / I values per intermediate row
          long localInter = ceilDiv(inter, moeTp);
          long padded = ceilDiv(localInter, MXFP4_INTERMEDIATE_PAD) * MXFP4_INTERMEDIATE_PAD;
          if (padded != localInter) {
            numel = local * (per / inter) * padded;
            padText = " (intermediate " + localInter + "→" + padded + ", padded to 64)";
          }
        }
        return new Share(
            numel,
            t.shape()
                + " × "
                + local
                + "/"
                + experts
                + (rowBias ? "" : " / moe_tp " + moeTp)
                + padText,
            new long[] {numel},
            1);
      }
      if (t.shape().size() != 3) {
        return fraction(t, 1, (long) tp);
      }
      long experts = t.dim(0);
      long local = experts / ep;
      long[] dims = {local, t.dim(1), t.dim(2)};
      int splitDim = p.role() == Role.EXPERT_FUSED_COLUMN ? 2 : 1;
      dims[splitDim] = ceilDiv(dims[splitDim], moeTp);
      String shape =
          "["
              + experts
              + "/"
              + ep
              + ", "
              + (splitDim == 1 ? t.dim(1) + "/" + moeTp : t.dim(1))
              + ", "
              + (splitDim == 2 ? t.dim(2) + "/" + moeTp : t.dim(2))
              + "]";
      return new Share(dims[0] * dims[1] * dims[2], shape, dims, 1);
    }

    private Share kvShare(TensorInfo t) {
      if (t.shape().isEmpty()) {
        return whole(t); // a per-tensor scale (ModelOpt FP8 k_proj.weight_scale is a scalar)
      }
      int kv = spec.numKeyValueHeads();
      int perRank = Math.max(1, kv / attnTp);
      long rows = t.dim(0);
      long rowsPerRank = ceilDiv(rows * perRank, kv);
      long[] dims = t.shape().stream().mapToLong(Long::longValue).toArray();
      dims[0] = rowsPerRank;
      long numel = 1;
      for (long d : dims) {
        numel *= d;
      }
      String first =
          rows
              + "→"
              + rowsPerRank
              + " (max(1, "
              + kv
              + " KV heads / "
              + attnTp
              + ") = "
              + perRank
              + (kv < attnTp ? ", replicated" : "")
              + ")";
      return new Share(numel, shapeText(t, 0, first), dims, 1);
    }

    private Share vocabShare(TensorInfo t, int groupSize) {
      long vocab = t.dim(0);
      long padded = ceilDiv(vocab, VOCAB_PADDING) * VOCAB_PADDING;
      long rows = ceilDiv(padded, groupSize);
      long[] dims = t.shape().stream().mapToLong(Long::longValue).toArray();
      dims[0] = rows;
      long numel = 1;
      for (long d : dims) {
        numel *= d;
      }
      String first =
          (padded == vocab ? vocab + "" : vocab + "→" + padded + " (padded to 64)")
              + (groupSize > 1 ? "/" + groupSize : " (whole)");
      return new Share(numel, shapeText(t, 0, first), dims, 1);
    }

    private Share whole(TensorInfo t) {
      return new Share(
          t.numel(),
          t.shape().toString(),
          t.shape().stream().mapToLong(Long::longValue).toArray(),
          1);
    }

    private Share split(TensorInfo t, int dim, long num, long den, long copies) {
      if (t.shape().size() <= dim) {
        return fraction(t, num * copies, den);
      }
      long size = t.dim(dim);
      long per = ceilDiv(size * num, den);
      long[] dims = t.shape().stream().mapToLong(Long::longValue).toArray();
      dims[dim] = per;
      long numel = copies;
      for (long d : dims) {
        numel *= d;
      }
      String text = shapeText(t, dim, den == 1 ? size + "" : size + "/" + den);
      return new Share(numel, copies > 1 ? copies + " × " + text : text, dims, copies);
    }

    private Share fraction(TensorInfo t, long num, long den) {
      long numel = ceilDiv(t.numel() * num, den);
      return new Share(
          numel, t.shape() + (den == 1 ? "" : " × " + num + "/" + den), new long[] {numel}, 1);
    }

    private static String shapeText(TensorInfo t, int dim, String replaced) {
      StringBuilder s = new StringBuilder("[");
      for (int i = 0; i < t.shape().size(); i++) {
        if (i > 0) {
          s.append(", ");
        }
        s.append(i == dim ? replaced : t.shape().get(i).toString());
      }
      return s.append(']').toString();
    }

    private Placed classify(String name) {
      String module = moduleOf(name);
      if (isVision(name)) {
        return new Placed(Role.VISION, -1, -1, module, name);
      }
      int at = layerIndexStart(name);
      if (at < 0) {
        Role role;
        if (name.endsWith("embed_tokens.weight")) {
          role = Role.EMBEDDING;
        } else if (name.endsWith("lm_head.weight")) {
          role = Role.LM_HEAD;
        } else if (name.contains("norm")) {
          role = Role.NORM;
        } else {
          role = Role.OTHER;
        }
        return new Placed(role, -1, -1, module, name);
      }
      int dot = name.indexOf('.', at);
      int layer = Integer.parseInt(name, at, dot, 10);
      String rest = name.substring(dot + 1);
      LayerTensor lt = layerTensors.get(rest);
      if (lt == null) {
        String suffix = rest;
        int expert = -1;
        String expertProj = null;
        Matcher e = EXPERT.matcher(rest);
        if (e.find()) {
          expert = Integer.parseInt(e.group(1));
          expertProj = e.group(2);
          suffix = rest.substring(0, e.start(1)) + "*" + rest.substring(e.end(1));
        }
        lt = new LayerTensor(classifyLayerTensor(rest, expertProj), expert, suffix);
        layerTensors.put(rest, lt);
      }
      return new Placed(lt.role(), layer, lt.expert(), module, lt.suffix());
    }

    /** A decoder layer's tensor as {@link #classify} sees it, the same in every layer. */
    private record LayerTensor(Role role, int expert, String suffix) {}

    /** Classifications by the name after {@code layers.N.}: every layer repeats them. */
    private final Map<String, LayerTensor> layerTensors = new HashMap<>();

    private Role classifyLayerTensor(String rest, String expertProj) {
      String mod = moduleOf(rest);
      if (rest.equals("embed_tokens.weight")) {
        return Role.EMBEDDING;
      }
      if (rest.equals("shared_head.head.weight")) {
        return Role.LM_HEAD;
      }
      if (mod.equals("eh_proj")) {
        return Role.NEXTN_LINEAR;
      }
      if (mod.contains("norm")) {
        return Role.NORM;
      }
      if (expertProj != null) {
        return switch (expertProj) {
          case "down_proj", "w2" -> Role.EXPERT_ROW;
          default -> Role.EXPERT_COLUMN;
        };
      }
      if (mod.contains("shared_experts.") || mod.contains("shared_expert.")) {
        return mod.endsWith("down_proj") ? Role.SHARED_ROW : Role.SHARED_COLUMN;
      }
      Matcher fused = FUSED_EXPERT.matcher(rest);
      if (fused.find() && fused.group(2) != null) {
        return fused.group(1).equals("down_proj")
            ? Role.EXPERT_FUSED_ROW
            : Role.EXPERT_FUSED_COLUMN;
      }
      if (mod.startsWith("linear_attn.")) {
        // Gated DeltaNet (qwen3_next.py): in_proj_* and conv1d split by heads (column), out_proj
        // row parallel, the gated norm per value head replicated.
        if (mod.endsWith("out_proj")) {
          return Role.ATTN_ROW;
        }
        return mod.endsWith("norm") ? Role.NORM : Role.ATTN_COLUMN;
      }
      if (mod.contains("self_attn.indexer.")) {
        return Role.ATTN_REPLICATED;
      }
      if (rest.endsWith("experts.gate_up_proj") || mod.endsWith("experts.gate_up_proj")) {
        return Role.EXPERT_FUSED_COLUMN;
      }
      if (rest.endsWith("experts.down_proj") || mod.endsWith("experts.down_proj")) {
        return Role.EXPERT_FUSED_ROW;
      }
      if (mod.contains("shared_expert_gate")
          || mod.endsWith(".gate")
          || mod.endsWith("router")
          || rest.endsWith("e_score_correction_bias")) {
        return Role.ROUTER;
      }
      if (mod.startsWith("self_attn.") || mod.startsWith("attention.")) {
        String proj = mod.substring(mod.indexOf('.') + 1);
        if (spec.usesMla()) {
          return switch (proj) {
            case "q_a_proj", "kv_a_proj_with_mqa" -> Role.ATTN_REPLICATED;
            case "o_proj" -> Role.ATTN_ROW;
            default -> Role.ATTN_COLUMN;
          };
        }
        return switch (proj) {
          case "q_proj" -> Role.ATTN_Q;
          case "k_proj", "v_proj" -> Role.ATTN_KV;
          case "o_proj", "dense", "out_proj" -> Role.ATTN_ROW;
          case "qkv_proj", "query_key_value", "W_pack" -> Role.ATTN_COLUMN;
          default -> Role.ATTN_REPLICATED;
        };
      }
      if (mod.startsWith("mlp.") || mod.startsWith("feed_forward.")) {
        return mod.endsWith("down_proj") ? Role.MLP_ROW : Role.MLP_COLUMN;
      }
      return Role.OTHER;
    }
  }

  private record EntryKey(String what, String shape, WeightDtype dtype) {}

  /** Accumulates one named part of a rank's weights. */
  private static final class Part {
    private final String name;
    private final String source;
    private final Map<EntryKey, long[]> entries = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private long bytes;

    Part(String name, String source) {
      this.name = name;
      this.source = source;
    }

    void add(String what, String shape, WeightDtype dtype, long numel) {
      add(what, shape, dtype, numel, 1);
    }

    /** Adds {@code times} tensors of {@code numel} elements each. */
    void add(String what, String shape, WeightDtype dtype, long numel, long times) {
      long b = Math.multiplyExact(Math.multiplyExact(numel, (long) dtype.bytes()), times);
      bytes = Math.addExact(bytes, b);
      long[] e = entries.computeIfAbsent(new EntryKey(what, shape, dtype), k -> new long[2]);
      e[0] += times;
      e[1] += b;
    }

    void note(String text) {
      if (!notes.contains(text)) {
        notes.add(text);
      }
    }

    WeightsPerGpu.WeightPart toPart() {
      StringBuilder f = new StringBuilder();
      int shown = 0;
      for (Map.Entry<EntryKey, long[]> e : entries.entrySet()) {
        if (shown == 12) {
          f.append(" + ").append(entries.size() - shown).append(" more kinds");
          break;
        }
        if (shown > 0) {
          f.append(" + ");
        }
        EntryKey k = e.getKey();
        f.append(k.what()).append(' ').append(k.shape()).append(' ').append(k.dtype().torchName());
        if (e.getValue()[0] > 1) {
          f.append(" ×").append(e.getValue()[0]);
        }
        shown++;
      }
      for (String n : notes) {
        f.append(f.isEmpty() ? "" : "; ").append(n);
      }
      f.append(" = ").append(String.format(Locale.ROOT, "%,d B", bytes));
      return new WeightsPerGpu.WeightPart(name, bytes, f.toString(), source);
    }
  }

  /** Citations used by the parts. */
  private static final class Src {
    static final String VOCAB = SRC_VOCAB;
    static final String VOCAB_DP =
        "replicated: deepseek_v2.py L1349-1353 @v0.4.5.post3; over attention TP:"
            + " vocab_parallel_embedding.py L166-185 @main";
    static final String LM_HEAD =
        SRC_VOCAB
            + " (ParallelLMHead over the TP group; over attention TP with"
            + " --enable-dp-lm-head, deepseek_v2.py L2970-2978 @main)";
    static final String TIED_PP =
        "tied embeddings with PP: the last stage builds its own ParallelLMHead"
            + " (qwen2.py L418-436 @v0.4.9)";
    static final String DENSE_TP1 =
        "--moe-dense-tp-size 1 replicates the dense MLP (deepseek_v2.py L1124-1137 @v0.4.5.post3)";
    static final String SHARED =
        "deepseek_v2.py L241-266 (separate MLP over TP), L1432-1445 and L1612-1636 (tp replicas"
            + " fused into the experts) @v0.4.5.post3; deepseek_v2.py L575-603 (one local expert)"
            + " @main";
    static final String MLA_COPIES =
        "w_kc/w_vc made from kv_b_proj after loading: deepseek_v2.py L1476-1565 @v0.4.5.post3"
            + " (fp8 per-tensor), deepseek_common/deepseek_weight_loader.py L575-592, L650-658"
            + " @main (block fp8 dequantized to bf16)";
    static final String ONLINE_FP8_LINEAR =
        "--quantization fp8: per-channel float32 scale per output row (fp8.py L350-363 @v0.4.9)";
    static final String ONLINE_FP8_MOE =
        "--quantization fp8: one float32 scale per expert for w13 and w2 (fp8.py L777-800"
            + " @v0.4.9)";
    static final String KEPT_EXPERTS =
        "Qwen3MoeForCausalLM.load_weights keeps x.data of every expert parameter in"
            + " routed_experts_weights_of_layer before the fp8 requantization, so the bf16 copies"
            + " stay resident (qwen3_moe.py L861-866 @v0.4.9; from PR #6533 in v0.4.6.post5 until"
            + " PR #15904, main commit b77b0ffd6, 2026-01-28; matches sglang#8337: 19.99 vs 13.73"
            + " GB)";
    static final String NEXTN =
        "DeepseekModelNextN: eh_proj is an unquantized nn.Linear (deepseek_nextn.py L64-85"
            + " @v0.4.5.post3)";
    static final String SHARED_HEAD =
        "eagle_worker.py L119-136 @v0.4.5.post3 (set_embed_and_head: the draft uses the target's"
            + " embedding and lm_head)";
  }

  /**
   * Where the expert index of a decoder layer's expert projection ({@link #EXPERT}) is in {@code
   * name}: {@code [start, end)} of its digits, or null. Such tensors of one layer differ only by
   * that index for the placement ({@link TensorClass}).
   */
  static int[] expertIndexSpan(String name) {
    if (!name.contains("experts.") || isVision(name)) {
      return null;
    }
    int at = layerIndexStart(name);
    if (at < 0) {
      return null;
    }
    Matcher e = EXPERT.matcher(name).region(name.indexOf('.', at) + 1, name.length());
    return e.find() ? new int[] {e.start(1), e.end(1)} : null;
  }

  /** Where the digits of {@code layers.N.} start in a tensor name, or -1. */
  private static int layerIndexStart(String name) {
    int from = 0;
    while (true) {
      int i = name.indexOf("layers.", from);
      if (i < 0) {
        return -1;
      }
      int digits = i + "layers.".length();
      int end = digits;
      while (end < name.length() && Character.isDigit(name.charAt(end))) {
        end++;
      }
      boolean boundary = i == 0 || name.charAt(i - 1) == '.';
      if (boundary && end > digits && end < name.length() - 1 && name.charAt(end) == '.') {
        return digits;
      }
      from = i + 1;
    }
  }

  private static boolean isScale(String name) {
    return name.endsWith(".weight_scale_inv")
        || name.endsWith(".weight_scale")
        || name.endsWith(".input_scale")
        || name.endsWith("_scale_inv")
        || name.endsWith(".scales")
        || name.endsWith(".qzeros")
        || name.endsWith(".g_idx");
  }

  private static boolean isVision(String name) {
    return name.startsWith("vision_model.")
        || name.startsWith("vision_tower.")
        || name.startsWith("multi_modal_projector.")
        || name.startsWith("visual.")
        || name.startsWith("model.visual.")
        || name.startsWith("model.vision_tower.")
        || name.startsWith("audio_tower.")
        || name.startsWith("mm_projector.");
  }

  private static String moduleOf(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }

  static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }
}
