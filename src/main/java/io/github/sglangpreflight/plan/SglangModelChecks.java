package io.github.sglangpreflight.plan;

import io.github.sglangpreflight.model.ArchFacts;
import io.github.sglangpreflight.model.ModelSpec;
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
 *   <li>{@code vision-heads-vs-tp}: the vision tower of Gemma-3, Qwen2.5-VL / Qwen3-VL and
 *       Mistral-3 (SGLang's {@code VisionAttention}) splits its heads evenly over the attention TP
 *       group, unless {@code --mm-enable-dp-encoder} runs the encoder data-parallel.
 *   <li>{@code linear-value-heads-vs-tp}, {@code linear-key-heads-vs-tp}: Qwen3-Next's gated
 *       DeltaNet layers split their value heads (asserted where SGLang sizes the recurrent state)
 *       and their key heads (reshaped per GPU, not asserted) over the attention TP group.
 *   <li>{@code experts-vs-tp}: GLM-4.5/4.6 and MiniMax-M2 refuse a TP size above the number of
 *       routed experts.
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
    c.visionHeads();
    c.heads();
    c.linearHeads();
    c.expertsVsTp();
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
    Optional<AttentionFile> file = attentionFile();
    if (file.isEmpty()) {
      return;
    }
    Parallelism par = args.parallelism();
    boolean attnGroup = file.get().attentionTpGroup();
    int groupSize = attnGroup ? par.attnTpSize() : par.tpSize();
    String group = groupName(attnGroup);
    String tpFlag = shown("tp_size", "--tp-size");
    String source =
        file.get().file()
            + " "
            + file.get().lines()
            + " (the attention layer's __init__)"
            + file.get().via();
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

  /**
   * Where SGLang asserts the heads of a model's text attention layer.
   *
   * @param file the model file
   * @param lines the assert lines (heads; KV heads split; KV heads replicated) and the version
   * @param attentionTpGroup whether it divides by the attention TP size rather than the TP size
   * @param via how the architecture reaches that file, when it is another model's file
   */
  private record AttentionFile(String file, String lines, boolean attentionTpGroup, String via) {}

  /** The attention layer that makes the head checks; empty when this build has not read it. */
  private Optional<AttentionFile> attentionFile() {
    String arch = spec.architecture();
    return switch (spec.family()) {
      case LLAMA -> snapshotFile("models/llama.py", false, "");
      case QWEN2 -> snapshotFile("models/qwen2.py", false, "");
      case QWEN3 -> snapshotFile("models/qwen3.py", qwen3UsesAttentionGroup(), "");
      case QWEN2_MOE -> snapshotFile("models/qwen2_moe.py", qwenMoeUsesAttentionGroup(), "");
      case QWEN3_MOE -> snapshotFile("models/qwen3_moe.py", qwenMoeUsesAttentionGroup(), "");
      case MIXTRAL -> snapshotFile("models/mixtral.py", false, "");
      case GEMMA2 -> snapshotFile("models/gemma2.py", false, "");
      case LLAMA4 -> snapshotFile("models/llama4.py", true, "");
      case DEEPSEEK -> snapshotFile("models/deepseek_v2.py", true, "");
      // the 2025/2026 families, each read at the one commit named (every snapshot uses it)
      case GPT_OSS -> fixedFile("models/gpt_oss.py", "L231, L237, L241 @009c6808", true);
      case QWEN3_NEXT ->
          // Qwen3.5's own attention layer (models/qwen3_5.py) was not read line by line
          arch.equals("Qwen3NextForCausalLM")
              ? fixedFile("models/qwen3_next.py", "L585, L591, L595 @0201bc80", true)
              : Optional.empty();
      case GLM4_MOE -> fixedFile("models/glm4_moe.py", "L220, L226, L230 @005ffc65", true);
      case MINIMAX_M2 -> fixedFile("models/minimax_m2.py", "L753, L760, L764 @01b5f572", true);
      case GEMMA3 -> fixedFile("models/gemma3_causal.py", "L139, L148, L152 @038c87d4", false);
      case QWEN_VL ->
          switch (arch) {
            case "Qwen2_5_VLForConditionalGeneration" ->
                snapshotFile(
                    "models/qwen2.py",
                    false,
                    "; the text model is Qwen2Model (models/qwen2_5_vl.py L52 @013902a8)");
            case "Qwen3VLForConditionalGeneration" ->
                snapshotFile(
                    "models/qwen3.py",
                    qwen3UsesAttentionGroup(),
                    "; the text model is Qwen3Model (models/qwen3_vl.py L48 @005fa833)");
            case "Qwen3VLMoeForConditionalGeneration" ->
                snapshotFile(
                    "models/qwen3_moe.py",
                    qwenMoeUsesAttentionGroup(),
                    "; the text model is Qwen3MoeModel (models/qwen3_vl_moe.py L34 @0e0ee12b)");
            default -> Optional.empty();
          };
      case MISTRAL3 ->
          // an MLA text model (Mistral-Small-4 style) is DeepSeek's layer: not read for this
          spec.usesMla()
              ? Optional.empty()
              : snapshotFile(
                  "models/llama.py",
                  false,
                  "; Mistral3ForConditionalGeneration builds its text model through LLaVA from"
                      + " text_config (MistralForCausalLM, a LlamaForCausalLM)");
      case PHI3 ->
          snapshotFile(
              "models/llama.py",
              false,
              "; Phi3ForCausalLM subclasses LlamaForCausalLM there (models/llama.py @00239548)");
      case OTHER -> Optional.empty();
    };
  }

  private Optional<AttentionFile> snapshotFile(String file, boolean attnGroup, String via) {
    return Optional.of(new AttentionFile(file, lines(file), attnGroup, via));
  }

  private static Optional<AttentionFile> fixedFile(String file, String lines, boolean attnGroup) {
    return Optional.of(new AttentionFile(file, lines, attnGroup, ""));
  }

  /** Qwen2-MoE and Qwen3-MoE divide the heads by the attention TP size from v0.4.6.post5. */
  private boolean qwenMoeUsesAttentionGroup() {
    return snapshot.compareTo(Snapshot.V0_4_6_POST5) >= 0;
  }

  /** Qwen3 divides the heads by the attention TP size from v0.4.9. */
  private boolean qwen3UsesAttentionGroup() {
    return snapshot.compareTo(Snapshot.V0_4_9) >= 0;
  }

  /** How a message names the GPUs a layer splits its heads over. */
  private String groupName(boolean attnGroup) {
    Parallelism par = args.parallelism();
    int groupSize = attnGroup ? par.attnTpSize() : par.tpSize();
    return attnGroup && par.dpAttention()
        ? String.format(
            Locale.ROOT,
            "the attention TP group of %d GPUs (tp %d / dp %d)",
            groupSize,
            par.tpSize(),
            par.dpSize())
        : String.format(
            Locale.ROOT, "the %d GPU%s of the TP group", groupSize, groupSize == 1 ? "" : "s");
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

  // ---- vision tower ---------------------------------------------------------------------------

  /**
   * The vision tower's heads over the attention TP group: {@code VisionAttention.__init__}
   * (layers/attention/vision.py @00262495) divides {@code num_heads} by the attention TP size, or
   * by 1 when the encoder runs data-parallel, through {@code dist_utils.divide}, which asserts.
   */
  private void visionHeads() {
    if (spec.visionHeads().isEmpty()) {
      return;
    }
    String tower =
        switch (spec.family()) {
          case GEMMA3 ->
              "SigLIP (models/siglip.py L118-120 @00347ba8, from models/gemma3_mm.py L46"
                  + " @017f5d47)";
          case QWEN_VL ->
              spec.architecture().startsWith("Qwen2_5")
                  ? "the Qwen2.5-VL ViT (models/qwen2_5_vl.py L134-136 @013902a8)"
                  : "the Qwen3-VL ViT (models/qwen3_vl.py L160-162 @005fa833)";
          case MISTRAL3 -> "Pixtral (models/pixtral.py L244-246 @0a60978d)";
          default -> null;
        };
    if (tower == null || hasOption("mm_enable_dp_encoder")) {
      return;
    }
    int heads = spec.visionHeads().getAsInt();
    int groupSize = args.parallelism().attnTpSize();
    if (heads % groupSize == 0) {
      return;
    }
    String tpFlag = shown("tp_size", "--tp-size");
    refuse(
        "vision-heads-vs-tp",
        tpFlag,
        String.format(
            Locale.ROOT,
            "%s does not divide the vision tower's %d attention heads: SGLang splits the heads of"
                + " %s over %s and asserts they divide (\"%d is not divisible by %d\"); use a TP"
                + " size that divides %d (%s), or --mm-enable-dp-encoder to run the vision tower"
                + " whole on every GPU",
            tpFlag,
            heads,
            tower,
            groupName(true),
            heads,
            groupSize,
            heads,
            divisors(heads)),
        "layers/attention/vision.py @00262495 (VisionAttention.__init__);"
            + " distributed/utils.py L22-33 @1107be11 (divide)",
        Map.of(
            "vision_num_heads", Integer.toString(heads),
            "attention_tp_size", Integer.toString(groupSize)));
  }

  // ---- linear attention -----------------------------------------------------------------------

  /** Qwen3-Next's gated-DeltaNet heads over the attention TP group. */
  private void linearHeads() {
    if (!spec.architecture().equals("Qwen3NextForCausalLM") || spec.arch().linear().isEmpty()) {
      return;
    }
    ArchFacts.LinearAttention lin = spec.arch().linear().get();
    int groupSize = args.parallelism().attnTpSize();
    String tpFlag = shown("tp_size", "--tp-size");
    int values = lin.numValueHeads();
    if (values % groupSize != 0) {
      refuse(
          "linear-value-heads-vs-tp",
          tpFlag,
          String.format(
              Locale.ROOT,
              "%s does not divide the model's %d linear-attention value heads"
                  + " (linear_num_value_heads): SGLang gives each GPU of %s the recurrent state of"
                  + " num_v_heads / tp_size heads and asserts they divide (\"%d is not divisible by"
                  + " %d\"); use a TP size that divides %d (%s)",
              tpFlag,
              values,
              groupName(true),
              values,
              groupSize,
              values,
              divisors(values)),
          "configs/mamba_utils.py L193, L198 @02e208de (Mamba2StateShape.create, from"
              + " Qwen3NextConfig.mamba2_cache_params); distributed/utils.py L22-33 @1107be11",
          Map.of(
              "linear_num_value_heads", Integer.toString(values),
              "attention_tp_size", Integer.toString(groupSize)));
    }
    int keys = lin.numKeyHeads();
    if (keys % groupSize != 0) {
      refuse(
          "linear-key-heads-vs-tp",
          tpFlag,
          String.format(
              Locale.ROOT,
              "%s does not divide the model's %d linear-attention key heads"
                  + " (linear_num_key_heads): SGLang's gated-DeltaNet layer reshapes each GPU's"
                  + " projections into num_k_heads / tp_size groups over %s; it asserts nothing,"
                  + " but a remainder cannot be reshaped and the first prefill fails; use a TP size"
                  + " that divides %d (%s)",
              tpFlag,
              keys,
              groupName(true),
              keys,
              divisors(keys)),
          "models/qwen3_next.py L214, L334-353 @0201bc80 (Qwen3GatedDeltaNet)",
          Map.of(
              "linear_num_key_heads", Integer.toString(keys),
              "attention_tp_size", Integer.toString(groupSize)));
    }
  }

  // ---- experts over TP ------------------------------------------------------------------------

  /** GLM-4-MoE and MiniMax-M2 raise when the TP size exceeds the routed experts. */
  private void expertsVsTp() {
    String source =
        switch (spec.family()) {
          case GLM4_MOE -> "models/glm4_moe.py L428-432 @005ffc65 (Glm4MoeSparseMoeBlock)";
          case MINIMAX_M2 -> "models/minimax_m2.py L524-528 @01b5f572 (MiniMaxM2MoE)";
          default -> null;
        };
    if (source == null || spec.moe().isEmpty()) {
      return;
    }
    int tp = args.parallelism().tpSize();
    int experts = spec.moe().get().numExperts();
    if (tp <= experts) {
      return;
    }
    String tpFlag = shown("tp_size", "--tp-size");
    refuse(
        "experts-vs-tp",
        tpFlag,
        String.format(
            Locale.ROOT,
            "%s is more GPUs than the model's %d routed experts: SGLang's MoE block stops with"
                + " \"Tensor parallel size %d is greater than the number of experts %d\"; use a"
                + " TP size of %d or less",
            tpFlag,
            experts,
            tp,
            experts,
            experts),
        source,
        Map.of("tp_size", Integer.toString(tp), "num_experts", Integer.toString(experts)));
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

  /** Whether the launch sets an option of {@code dest}. */
  private boolean hasOption(String dest) {
    return launch.options().stream().anyMatch(o -> o.dests().contains(dest));
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
