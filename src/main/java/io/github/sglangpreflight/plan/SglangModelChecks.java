package io.github.sglangpreflight.plan;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.ModelSpec.Family;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.args.ServerArgs;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * SGLang's start-up checks that depend on the model as well as on the flags, version by version.
 * Pure: a launch, a model and the SGLang snapshot in, the refusals out (empty when SGLang starts).
 *
 * <p>The checks that depend on the flags alone live in {@code sglang.args.LaunchChecks}; this class
 * holds the ones that need {@code config.json}:
 *
 * <ul>
 *   <li>{@code attention-heads-vs-tp}: every SGLang attention layer of the families this build
 *       knows asserts that the attention heads split evenly over the GPUs of the attention TP group
 *       (the TP size, or TP / DP with DP attention in the model files that use the attention TP
 *       group).
 *   <li>{@code kv-heads-vs-tp}: the same layers split the KV heads when there are at least as many
 *       as GPUs (then the GPUs must divide them) and replicate them otherwise (then the KV heads
 *       must divide the GPUs). MLA models (DeepSeek) have no KV heads to split.
 *   <li>{@code experts-vs-ep}: the MoE layer splits the routed experts (plus the redundant ones)
 *       evenly over the expert-parallel group.
 *   <li>{@code pp-vs-layers}: SGLang's layer split ({@code get_pp_indices}) gives a stage no layer
 *       when there are more stages than layers; SGLang asserts nothing there, the stage then holds
 *       no KV cache and the launch cannot work, so preflight refuses it.
 *   <li>{@code context-length-above-model}: {@code --context-length} above the length SGLang
 *       derives from {@code config.json} is refused unless {@code
 *       SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN} allows it; releases before v0.5.1 allowed it by
 *       default.
 *   <li>{@code mtp-page-size-flashinfer}: v0.5.1 refuses DeepSeek-V3 / GLM-4-MoE speculative
 *       decoding with {@code --page-size} above 1 on the flashinfer attention backend.
 * </ul>
 */
public final class SglangModelChecks {

  /** The variable that lets {@code --context-length} exceed the model's derived maximum. */
  public static final String ALLOW_LONGER_CONTEXT = "SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN";

  private final Snapshot snapshot;
  private final LaunchCommand launch;
  private final ServerArgs args;
  private final ModelSpec spec;
  private final List<SglangRefusal> refusals = new ArrayList<>();

  private SglangModelChecks(Snapshot snapshot, LaunchCommand launch, ModelSpec spec) {
    this.snapshot = snapshot;
    this.launch = launch;
    this.args = launch.serverArgs();
    this.spec = spec;
  }

  /**
   * Every refusal of {@code launch} with {@code spec} at {@code snapshot}, in the order SGLang
   * meets them at start-up (context length in the model config first, then the layers).
   */
  public static List<SglangRefusal> check(Snapshot snapshot, LaunchCommand launch, ModelSpec spec) {
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(launch, "launch");
    Objects.requireNonNull(spec, "spec");
    SglangModelChecks c = new SglangModelChecks(snapshot, launch, spec);
    c.contextLength();
    c.mtpPageSize();
    c.pipelineLayers();
    c.heads();
    c.experts();
    return List.copyOf(c.refusals);
  }

  /** The report's reasons for {@link #check}: one {@code REJECT: ...} sentence per refusal. */
  public static List<String> reasons(
      io.github.sglangpreflight.sglang.version.SglangVersion version,
      LaunchCommand launch,
      ModelSpec spec) {
    Snapshot s = io.github.sglangpreflight.sglang.version.SglangFacts.of(version).flagSnapshot();
    return check(s, launch, spec).stream().map(r -> r.reason(version.toString())).toList();
  }

  // ---- context length -------------------------------------------------------------------------

  private void contextLength() {
    if (args.contextLength().isEmpty()) {
      return;
    }
    int requested = args.contextLength().getAsInt();
    int derived = spec.contextLength();
    if (requested <= derived) {
      return;
    }
    Optional<String> value = launch.environment().get(ALLOW_LONGER_CONTEXT);
    String v = value.map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse(null);
    boolean allowed;
    String rule;
    String source;
    switch (snapshot) {
      case MAIN -> {
        // environ.py L863 @main: EnvBool, default False; true/1/yes/y allow, false/0/no/n refuse,
        // any other value raises ValueError
        allowed = v != null && List.of("true", "1", "yes", "y").contains(v);
        rule = "allowed only with " + ALLOW_LONGER_CONTEXT + "=1 (or true, yes, y)";
        source = "model_config.py L812-835 @main (_derive_context_length); environ.py L863 @main";
        if (v != null && !allowed && !List.of("false", "0", "no", "n").contains(v)) {
          refuse(
              "context-length-override-value",
              ALLOW_LONGER_CONTEXT,
              String.format(
                  Locale.ROOT,
                  "%s=%s is not a boolean SGLang main reads (it raises \"is not a valid boolean"
                      + " value\"); use 1 to allow --context-length %d above the model's %d, or"
                      + " drop the variable",
                  ALLOW_LONGER_CONTEXT,
                  value.get(),
                  requested,
                  derived),
              "environ.py L134-141 and L863 @main (EnvBool)",
              Map.of("value", value.get()));
          return;
        }
      }
      case V0_5_1 -> {
        // get_bool_env_var(name) with default "false": only "true"/"1" allow (PR #9388)
        allowed = v != null && (v.equals("true") || v.equals("1"));
        rule = "allowed only with " + ALLOW_LONGER_CONTEXT + "=1 (or true)";
        source = "model_config.py L166-184 @v0.5.1 (PR #9388, 2025-08-21)";
      }
      default -> {
        // get_bool_env_var(name, default="True"): allowed unless set to something else
        allowed = v == null || v.equals("true") || v.equals("1");
        rule =
            "allowed by default before v0.5.1, refused when "
                + ALLOW_LONGER_CONTEXT
                + " is set to anything but 1 or true";
        source = "model_config.py L103-120 @v0.4.5.post3 (default \"True\" up to v0.5.0rc2)";
      }
    }
    if (allowed) {
      return;
    }
    refuse(
        "context-length-above-model",
        shown("context_length", "--context-length"),
        String.format(
            Locale.ROOT,
            "%s is above the context length %d SGLang derives from the model's config.json"
                + " (max_position_embeddings and rope scaling); a longer one is %s (SGLang stops"
                + " with \"User-specified context_length (%d) is greater than the derived"
                + " context_length (%d)\"); use --context-length %d or less, or set %s=1 if the"
                + " model really handles more",
            shown("context_length", "--context-length"),
            derived,
            rule,
            requested,
            derived,
            derived,
            ALLOW_LONGER_CONTEXT),
        source,
        Map.of(
            "context_length",
            Integer.toString(requested),
            "derived_context_length",
            Integer.toString(derived),
            ALLOW_LONGER_CONTEXT,
            value.orElse("(unset)")));
  }

  // ---- speculative decoding -------------------------------------------------------------------

  private void mtpPageSize() {
    if (snapshot != Snapshot.V0_5_1) {
      return;
    }
    String arch = spec.architecture();
    String algorithm = args.speculativeAlgorithm().orElse("").toUpperCase(Locale.ROOT);
    int page = args.pageSize().orElse(1);
    if ((arch.equals("DeepseekV3ForCausalLM") || arch.equals("Glm4MoeForCausalLM"))
        && List.of("NEXTN", "EAGLE", "EAGLE3").contains(algorithm)
        && page != 1
        && args.attentionBackend().orElse("").equals("flashinfer")) {
      refuse(
          "mtp-page-size-flashinfer",
          shown("page_size", "--page-size"),
          String.format(
              Locale.ROOT,
              "%s with --speculative-algorithm %s on %s and --attention-backend flashinfer: SGLang"
                  + " v0.5.1 supports speculative decoding of this model there only with page size"
                  + " 1 (\"Speculative decoding with page_size != 1 is not supported\"); use"
                  + " --page-size 1 or another attention backend",
              shown("page_size", "--page-size"),
              args.speculativeAlgorithm().get(),
              arch),
          "server_args.py L641-644 @v0.5.1",
          Map.of("page_size", Integer.toString(page), "architecture", arch));
    }
  }

  // ---- pipeline -------------------------------------------------------------------------------

  private void pipelineLayers() {
    int pp = args.ppSize().orElse(1);
    int layers = spec.numHiddenLayers();
    if (pp <= layers) {
      return;
    }
    refuse(
        "pp-vs-layers",
        shown("pp_size", "--pp-size"),
        String.format(
            Locale.ROOT,
            "%s splits the model's %d decoder layers into %d pipeline stages, so at least %d"
                + " stage%s would hold no layer (and no KV cache); SGLang's layer split gives"
                + " every stage num_hidden_layers / pp_size layers and checks nothing, so the"
                + " launch cannot work; use --pp-size %d or less",
            shown("pp_size", "--pp-size"),
            layers,
            pp,
            pp - layers,
            pp - layers == 1 ? "" : "s",
            layers),
        "distributed/utils.py L63-88 @v0.5.1, L95-126 @main (get_pp_indices)",
        Map.of("pp_size", Integer.toString(pp), "num_hidden_layers", Integer.toString(layers)));
  }

  // ---- attention heads ------------------------------------------------------------------------

  private void heads() {
    Optional<String> file = attentionFile();
    if (file.isEmpty()) {
      return;
    }
    Parallelism par = args.parallelism();
    boolean attnGroup = usesAttentionTpGroup();
    int groupSize = attnGroup ? par.attnTpSize() : par.tpSize();
    String group =
        attnGroup && par.dpAttention()
            ? String.format(
                Locale.ROOT,
                "the attention TP group of %d GPUs (tp %d / dp %d)",
                groupSize,
                par.tpSize(),
                par.dpSize())
            : String.format(
                Locale.ROOT, "the %d GPU%s of the TP group", groupSize, groupSize == 1 ? "" : "s");
    String tpFlag = shown("tp_size", "--tp-size");
    String source = file.get() + " " + lines(file.get()) + " (the attention layer's __init__)";
    int heads = spec.numAttentionHeads();
    if (heads % groupSize != 0) {
      refuse(
          "attention-heads-vs-tp",
          tpFlag,
          String.format(
              Locale.ROOT,
              "%s does not divide the model's %d attention heads: SGLang gives each of %s the same"
                  + " number of heads and asserts num_attention_heads %% tp_size == 0; use a TP"
                  + " size that divides %d (%s)",
              tpFlag,
              heads,
              group,
              heads,
              divisors(heads)),
          source,
          Map.of(
              "num_attention_heads", Integer.toString(heads),
              "attention_tp_size", Integer.toString(groupSize)));
    }
    if (spec.usesMla()) {
      return;
    }
    int kv = spec.numKeyValueHeads();
    boolean split = kv >= groupSize;
    if (split ? kv % groupSize != 0 : groupSize % kv != 0) {
      refuse(
          "kv-heads-vs-tp",
          tpFlag,
          split
              ? String.format(
                  Locale.ROOT,
                  "%s does not divide the model's %d KV heads: with at least as many KV heads as"
                      + " GPUs SGLang splits them over %s and asserts num_key_value_heads %%"
                      + " tp_size == 0; use a TP size that divides %d (%s)",
                  tpFlag,
                  kv,
                  group,
                  kv,
                  divisors(kv))
              : String.format(
                  Locale.ROOT,
                  "%s is not a multiple of the model's %d KV heads: with fewer KV heads than GPUs"
                      + " SGLang replicates each KV head on tp_size / num_key_value_heads GPUs of"
                      + " %s and asserts tp_size %% num_key_value_heads == 0; use a multiple of"
                      + " %d",
                  tpFlag,
                  kv,
                  group,
                  kv),
          source,
          Map.of(
              "num_key_value_heads", Integer.toString(kv),
              "attention_tp_size", Integer.toString(groupSize)));
    }
  }

  /** The SGLang model file whose attention layer makes the head checks; empty when unknown. */
  private Optional<String> attentionFile() {
    return Optional.ofNullable(
        switch (spec.family()) {
          case LLAMA -> "models/llama.py";
          case QWEN2 -> "models/qwen2.py";
          case QWEN3 -> "models/qwen3.py";
          case QWEN2_MOE -> "models/qwen2_moe.py";
          case QWEN3_MOE -> "models/qwen3_moe.py";
          case MIXTRAL -> "models/mixtral.py";
          case GEMMA2 -> "models/gemma2.py";
          case LLAMA4 -> "models/llama4.py";
          case DEEPSEEK -> "models/deepseek_v2.py";
          // the 2026 families' model files were not read line by line for these asserts yet
          case GPT_OSS, QWEN3_NEXT, GLM4_MOE, MINIMAX_M2, GEMMA3, QWEN_VL, MISTRAL3, PHI3, OTHER ->
              null;
        });
  }

  /**
   * Whether the model file divides the heads by the attention TP size ({@code
   * get_attention_tp_size}) rather than the TP size: Llama-4 and DeepSeek at every snapshot,
   * Qwen2-MoE and Qwen3-MoE from v0.4.6.post5, Qwen3 from v0.4.9.
   */
  private boolean usesAttentionTpGroup() {
    Family f = spec.family();
    return switch (f) {
      case LLAMA4, DEEPSEEK -> true;
      case QWEN2_MOE, QWEN3_MOE -> snapshot.compareTo(Snapshot.V0_4_6_POST5) >= 0;
      case QWEN3 -> snapshot.compareTo(Snapshot.V0_4_9) >= 0;
      default -> false;
    };
  }

  /** The assert lines (heads; KV heads split; KV heads replicated) of a model file per snapshot. */
  private String lines(String file) {
    String at = "@" + snapshot.label();
    String l =
        switch (snapshot) {
          case V0_4_5_POST3 ->
              switch (file) {
                case "models/llama.py" -> "L118, L124, L128";
                case "models/qwen2.py" -> "L108, L114, L118";
                case "models/qwen3.py" -> "L52, L58, L62";
                case "models/qwen2_moe.py" -> "L184, L190, L194";
                case "models/qwen3_moe.py" -> "L130, L136, L140";
                case "models/mixtral.py" -> "L125, L131, L135";
                case "models/gemma2.py" -> "L111, L117, L121";
                case "models/llama4.py" -> "L160, L166, L170";
                default -> "L430";
              };
          case V0_4_6_POST5, V0_4_7 ->
              switch (file) {
                case "models/llama.py" -> "L121, L127, L131";
                case "models/qwen2.py" -> "L114, L120, L124";
                case "models/qwen3.py" -> "L57, L63, L67";
                case "models/qwen2_moe.py" -> "L206, L212, L216";
                case "models/qwen3_moe.py" -> "L271, L277, L281";
                case "models/mixtral.py" -> "L130, L136, L140";
                case "models/gemma2.py" -> "L111, L117, L121";
                case "models/llama4.py" -> "L213, L219, L223";
                default -> "L491";
              };
          case V0_4_9 ->
              switch (file) {
                case "models/llama.py" -> "L121, L127, L131";
                case "models/qwen2.py" -> "L116, L122, L126";
                case "models/qwen3.py" -> "L63, L69, L73";
                case "models/qwen2_moe.py" -> "L223, L229, L233";
                case "models/qwen3_moe.py" -> "L375, L381, L385";
                case "models/mixtral.py" -> "L130, L136, L140";
                case "models/gemma2.py" -> "L111, L117, L121";
                case "models/llama4.py" -> "L212, L218, L222";
                default -> "L760";
              };
          case V0_5_1 ->
              switch (file) {
                case "models/llama.py" -> "L129, L135, L139";
                case "models/qwen2.py" -> "L117, L123, L127";
                case "models/qwen3.py" -> "L62, L68, L72";
                case "models/qwen2_moe.py" -> "L218, L224, L228";
                case "models/qwen3_moe.py" -> "L287, L293, L297";
                case "models/mixtral.py" -> "L138, L144, L148";
                case "models/gemma2.py" -> "L111, L117, L121";
                case "models/llama4.py" -> "L218, L224, L228";
                default -> "L777";
              };
          case MAIN ->
              switch (file) {
                case "models/llama.py" -> "L160, L166, L170";
                case "models/qwen2.py" -> "L145, L151, L155";
                case "models/qwen3.py" -> "L89, L95, L99";
                case "models/qwen2_moe.py" -> "L639, L645, L649";
                case "models/qwen3_moe.py" -> "L464, L470, L474";
                case "models/mixtral.py" -> "L137, L143, L147";
                case "models/gemma2.py" -> "L116, L122, L126";
                case "models/llama4.py" -> "L224, L230, L234";
                default -> "L1767";
              };
        };
    // v0.4.7's model files were not re-read; its line numbers are v0.4.6.post5's
    return l + " " + at;
  }

  // ---- experts --------------------------------------------------------------------------------

  private void experts() {
    if (spec.moe().isEmpty()) {
      return;
    }
    int ep = args.parallelism().epSize();
    if (ep <= 1) {
      return;
    }
    int routed = spec.moe().get().numExperts();
    int redundant = args.epNumRedundantExperts().orElse(0);
    long total = (long) routed + redundant;
    if (total % ep == 0) {
      return;
    }
    String epFlag =
        args.epSize().isPresent() ? shown("ep_size", "--ep-size") : "expert parallelism over --tp";
    String source =
        switch (snapshot) {
          case V0_4_5_POST3, V0_4_6_POST5, V0_4_7, V0_4_9 ->
              "layers/moe/ep_moe/layer.py L152 @v0.4.5.post3 (EPMoE: num_experts % tp_size)";
          case V0_5_1 -> "layers/moe/fused_moe_triton/layer.py L176 @v0.5.1";
          case MAIN -> "layers/moe/fused_moe_triton/layer.py L291-301 @main";
        };
    refuse(
        "experts-vs-ep",
        epFlag,
        String.format(
            Locale.ROOT,
            "the expert-parallel size %d (%s) does not divide the model's %d routed experts%s:"
                + " SGLang gives every GPU of the EP group the same number of experts and asserts"
                + " num_experts %% ep_size == 0; use an EP size that divides %d (%s)",
            ep,
            epFlag,
            routed,
            redundant == 0 ? "" : " plus " + redundant + " redundant ones",
            total,
            divisors((int) Math.min(Integer.MAX_VALUE, total))),
        source,
        Map.of("num_experts", Long.toString(total), "ep_size", Integer.toString(ep)));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void refuse(
      String id, String input, String message, String source, Map<String, String> values) {
    refusals.add(new SglangRefusal(id, input, message, source, values));
  }

  /** The last option for {@code dest} as the user wrote it, or the default's wording. */
  private String shown(String dest, String flag) {
    for (int i = launch.options().size() - 1; i >= 0; i--) {
      LaunchCommand.Option o = launch.options().get(i);
      if (o.dests().contains(dest)) {
        return o.values().isEmpty()
            ? o.written()
            : o.written() + " " + String.join(" ", o.values());
      }
    }
    return "the default " + flag + " 1";
  }

  private static String divisors(int n) {
    List<String> d = new ArrayList<>();
    for (int k = 1; k <= n && d.size() < 12; k++) {
      if (n % k == 0) {
        d.add(Integer.toString(k));
      }
    }
    return String.join(", ", d);
  }
}
