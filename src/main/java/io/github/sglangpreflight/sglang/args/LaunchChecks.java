package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.sglang.args.LaunchCommand.Option;
import io.github.sglangpreflight.sglang.args.LaunchCommand.VersionCaveat;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * SGLang's own checks on server arguments ({@code ServerArgs.__post_init__} and {@code
 * check_server_args}) and preflight's range checks, in clearer words.
 *
 * <p>A check every snapshot makes, or a value no SGLang can run with, throws {@link
 * InvalidInputException} naming the flag as the user spelled it. A check only some snapshots make
 * becomes a {@link VersionCaveat} listing them.
 */
final class LaunchChecks {
  private static final EnumSet<Snapshot> UP_TO_0_5_1 =
      EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1);

  private final ServerArgs args;
  private final ServerArgs.Values values;
  private final List<VersionCaveat> caveats = new ArrayList<>();

  private LaunchChecks(ServerArgs args, ServerArgs.Values values) {
    this.args = args;
    this.values = values;
  }

  /** Runs every check; returns the caveats, throws on the first universal refusal. */
  static List<VersionCaveat> check(ServerArgs args, ServerArgs.Values values) {
    LaunchChecks c = new LaunchChecks(args, values);
    c.ranges();
    c.parallelism();
    c.memory();
    c.features();
    return List.copyOf(c.caveats);
  }

  // ---- ranges ---------------------------------------------------------------------------------

  private void ranges() {
    if (args.modelPath().isBlank()) {
      Optional<Option> o = values.last("model_path").map(FlagScanner.Occurrence::option);
      String w = o.map(Option::written).orElse("--model-path");
      throw new InvalidInputException(
          w,
          w
              + " is empty: SGLang needs the model to serve (a local directory or a Hugging Face"
              + " repo id); give it after "
              + w);
    }
    atLeast(
        args.tpSize(),
        1,
        "the tensor-parallel size (GPUs one copy of the model is split over)",
        "; use 1 for a single GPU",
        "tp_size");
    atLeast(
        args.dpSize(),
        1,
        "the data-parallel size (model copies, or attention groups with --enable-dp-attention)",
        "; use 1 for a single copy",
        "dp_size");
    atLeast(
        args.ppSize(),
        1,
        "the pipeline-parallel size (stages the layers are split into)",
        "; use 1 for no pipeline",
        "pp_size");
    atLeast(
        args.epSize(),
        1,
        "the expert-parallel size (GPUs the MoE experts are spread over)",
        "; use 1 for no expert parallelism",
        "ep_size");
    atLeast(args.nnodes(), 1, "the number of nodes", "", "nnodes");
    atLeast(args.baseGpuId(), 0, "the index of the first GPU the launch uses", "", "base_gpu_id");
    atLeast(
        args.gpuIdStep(),
        1,
        "the distance between the GPU indices the launch uses",
        "",
        "gpu_id_step");
    atLeast(args.contextLength(), 1, "the context length in tokens", "", "context_length");
    atLeast(
        args.maxTotalTokens(),
        1,
        "the number of tokens in the KV cache pool",
        "",
        "max_total_tokens");
    atLeast(
        args.maxRunningRequests(),
        1,
        "the number of requests running at once",
        "",
        "max_running_requests");
    atLeast(
        args.maxPrefillTokens(),
        1,
        "the number of tokens in one prefill batch",
        "",
        "max_prefill_tokens");
    atLeast(args.pageSize(), 1, "the number of tokens in one KV cache page", "", "page_size");
    atLeast(args.cpuOffloadGb(), 0, "the GB of weights kept in CPU memory", "", "cpu_offload_gb");
    atLeast(
        args.cudaGraphMaxBs(),
        1,
        "the largest batch size SGLang captures a CUDA graph for",
        "; to turn CUDA graphs off use --disable-cuda-graph",
        "cuda_graph_max_bs",
        "cuda_graph_max_bs_decode");
    atLeast(
        args.cudaGraphMaxBsPrefill(),
        1,
        "the largest prefill size SGLang captures a CUDA graph for",
        "",
        "cuda_graph_max_bs_prefill");
    atLeast(
        args.torchCompileMaxBs(),
        1,
        "the largest batch size torch.compile compiles for",
        "",
        "torch_compile_max_bs");
    atLeast(
        args.speculativeNumSteps(),
        1,
        "the number of draft steps per verification",
        "",
        "speculative_num_steps");
    atLeast(
        args.speculativeEagleTopk(),
        1,
        "the number of draft branches kept per step",
        "",
        "speculative_eagle_topk");
    atLeast(
        args.speculativeNumDraftTokens(),
        1,
        "the number of draft tokens verified at once",
        "",
        "speculative_num_draft_tokens");
    atLeast(
        args.maxLorasPerBatch(),
        1,
        "the number of LoRA adapters in one batch",
        "",
        "max_loras_per_batch");
    atLeast(
        args.maxLoraRank(), 1, "the largest LoRA rank the adapter pool holds", "", "max_lora_rank");
    atLeast(
        args.maxLoadedLoras(),
        1,
        "the number of LoRA adapters kept in GPU memory",
        "",
        "max_loaded_loras");
    atLeast(
        args.moeDenseTpSize(),
        1,
        "the TP size of the dense MLP layers of a MoE model",
        "",
        "moe_dense_tp_size");
    atLeast(
        args.epNumRedundantExperts(),
        0,
        "the number of extra expert copies",
        "",
        "ep_num_redundant_experts");
    atLeast(args.moeDpSize(), 1, "the data-parallel size of the MoE layers", "", "moe_dp_size");
    atLeast(args.dcpSize(), 1, "the decode context-parallel size", "", "dcp_size");
    atLeast(args.attnCpSize(), 1, "the attention context-parallel size", "", "attn_cp_size");
    atLeast(
        args.maxMambaCacheSize(),
        1,
        "the number of state slots of a hybrid model",
        "",
        "max_mamba_cache_size");
    if (args.cudaGraphBs().isPresent()) {
      for (int bs : args.cudaGraphBs().get()) {
        if (bs < 1) {
          Option o = last("cuda_graph_bs", "cuda_graph_bs_decode");
          throw new InvalidInputException(
              o.written(),
              shown(o)
                  + " is out of range: every entry is a batch size SGLang captures a CUDA graph"
                  + " for and must be at least 1, and "
                  + bs
                  + " is not");
        }
      }
    }
    if (args.port().isPresent()) {
      int p = args.port().getAsInt();
      if (p < 1 || p > 65535) {
        Option o = last("port");
        throw new InvalidInputException(
            o.written(),
            shown(o)
                + " is out of range: a TCP port must be between 1 and 65535; SGLang's default is"
                + " 30000");
      }
    }
    if (args.nodeRank().isPresent()) {
      int rank = args.nodeRank().getAsInt();
      int nnodes = args.nnodes().orElse(1);
      if (rank < 0 || rank >= nnodes) {
        Option o = last("node_rank");
        throw new InvalidInputException(
            o.written(),
            String.format(
                Locale.ROOT,
                "%s is out of range: node ranks run from 0 to %d for %s",
                shown(o),
                nnodes - 1,
                nnodes == 1 ? "a single node (--nnodes 1)" : nnodes + " nodes"));
      }
    }
  }

  private void atLeast(OptionalInt value, int min, String meaning, String hint, String... dests) {
    if (value.isPresent() && value.getAsInt() < min) {
      Option o = last(dests);
      throw new InvalidInputException(
          o.written(),
          shown(o) + " is out of range: it is " + meaning + " and must be at least " + min + hint);
    }
  }

  // ---- parallelism ----------------------------------------------------------------------------

  private void parallelism() {
    int tp = args.tpSize().orElse(1);
    int dp = args.dpSize().orElse(1);
    int pp = args.ppSize().orElse(1);
    int nnodes = args.nnodes().orElse(1);
    if (args.enableDpAttention()) {
      if (dp == 1) {
        // v0.4.5.post3 server_args.py L290-300 asserts dp_size > 1 (until PR #10169, 2025-09-09);
        // main resets enable_dp_attention at dp 1 (arg_groups/overrides.py L2364-2367).
        caveat(
            "--enable-dp-attention",
            UP_TO_0_5_1,
            "SGLang "
                + FlagScanner.describe(UP_TO_0_5_1)
                + " refuses --enable-dp-attention with --dp-size 1 (\"Please set a dp-size > 1\");"
                + " newer SGLang turns DP attention off instead; add --dp-size N with N dividing"
                + " the TP size, or drop --enable-dp-attention");
      } else if (tp % dp != 0) {
        Option o = last("dp_size");
        throw new InvalidInputException(
            o.written(),
            shown(o)
                + " does not divide "
                + tpText()
                + ": with --enable-dp-attention the TP group's "
                + tp
                + " GPUs are shared out among the DP attention groups, so the DP size must divide"
                + " the TP size (SGLang asserts tp_size % dp_size == 0); try "
                + dpChoices(tp));
      }
    }
    if (dp > 1 && nnodes != 1 && !args.enableDpAttention()) {
      Option o = last("dp_size");
      throw new InvalidInputException(
          o.written(),
          shown(o)
              + " with "
              + shown(last("nnodes"))
              + " needs --enable-dp-attention: SGLang spreads data parallelism over several nodes"
              + " only as DP attention (\"multi-node data parallel is not supported unless dp"
              + " attention\"); add --enable-dp-attention or start one launch per node");
    }
    if ((long) tp * pp % nnodes != 0) {
      Option o = last("nnodes");
      throw new InvalidInputException(
          o.written(),
          String.format(
              Locale.ROOT,
              "%s does not divide the launch: SGLang needs tp × pp = %d GPUs to be a multiple of"
                  + " the node count (\"tp_size must be divisible by number of nodes\"); use a node"
                  + " count that divides %d",
              shown(o),
              (long) tp * pp,
              (long) tp * pp));
    }
    int ep = args.effectiveEpSize();
    if (!args.epSpansTp() && args.epSize().isPresent() && tp % ep != 0) {
      Option o = last("ep_size");
      throw new InvalidInputException(
          o.written(),
          shown(o)
              + " does not divide "
              + tpText()
              + ": SGLang splits each MoE layer's TP group into expert-parallel groups, so the EP"
              + " size must divide the TP size; try "
              + divisorsText(tp, "--ep-size"));
    }
    if (args.enableDpLmHead() && !args.enableDpAttention()) {
      if (dp > 1) {
        throw new InvalidInputException(
            last("enable_dp_lm_head").written(),
            "--enable-dp-lm-head needs --enable-dp-attention: SGLang asserts \"Please enable dp"
                + " attention when setting enable_dp_lm_head\"; add --enable-dp-attention or drop"
                + " --enable-dp-lm-head");
      }
      caveat(
          "--enable-dp-lm-head",
          EnumSet.range(Snapshot.V0_4_6_POST5, Snapshot.V0_5_1),
          "SGLang v0.4.6.post5 to v0.5.1 refuses --enable-dp-lm-head without --enable-dp-attention"
              + " (\"Please enable dp attention when setting enable_dp_lm_head\"); newer SGLang"
              + " turns it off at --dp-size 1");
    }
    if (args.moeDenseTpSize().isPresent()) {
      int dense = args.moeDenseTpSize().getAsInt();
      if (dense != 1 && dense != tp) {
        Option o = last("moe_dense_tp_size");
        throw new InvalidInputException(
            o.written(),
            shown(o)
                + " is not supported: SGLang takes 1 (and on main also the TP size, "
                + tp
                + ") for the dense layers of a MoE model (\"moe_dense_tp_size only supports None,"
                + " 1, or tp_size\"); use 1");
      }
      if (dense != 1) {
        caveat(
            last("moe_dense_tp_size").written(),
            UP_TO_0_5_1,
            "SGLang "
                + FlagScanner.describe(UP_TO_0_5_1)
                + " only takes --moe-dense-tp-size 1 (\"moe_dense_tp_size only support 1 and None"
                + " currently\")");
      }
    }
    if (pp > 1) {
      if (args.speculative()) {
        throw new InvalidInputException(
            last("pp_size").written(),
            shown(last("pp_size"))
                + " cannot be combined with speculative decoding: SGLang refuses pipeline"
                + " parallelism with --speculative-algorithm (\"Pipeline parallelism is not"
                + " compatible with ... speculative decoding\"); drop one of them");
      }
      if (!values.bool("disable_overlap_schedule")) {
        caveat(
            last("pp_size").written(),
            EnumSet.range(Snapshot.V0_4_6_POST5, Snapshot.V0_5_1),
            "SGLang v0.4.6.post5 to v0.5.1 refuses pipeline parallelism without"
                + " --disable-overlap-schedule (\"Pipeline parallelism is not compatible with"
                + " overlap schedule\"); main turns the overlap scheduler off by itself");
      }
    }
  }

  private String tpText() {
    Optional<Option> tp = values.last("tp_size").map(FlagScanner.Occurrence::option);
    return tp.map(LaunchChecks::shown).orElse("the default --tp-size 1");
  }

  private static String dpChoices(int tp) {
    return divisorsText(tp, "--dp-size");
  }

  private static String divisorsText(int tp, String flag) {
    List<String> divisors = new ArrayList<>();
    for (int d = 2; d <= tp; d++) {
      if (tp % d == 0) {
        divisors.add(Integer.toString(d));
      }
    }
    if (divisors.isEmpty()) {
      return flag + " 1";
    }
    return flag + " " + FlagScanner.orList(divisors);
  }

  // ---- memory ---------------------------------------------------------------------------------

  private void memory() {
    if (args.memFractionStatic().isPresent()) {
      double f = args.memFractionStatic().getAsDouble();
      if (!(f > 0.0 && f < 1.0)) {
        Option o = last("mem_fraction_static");
        throw new InvalidInputException(
            o.written(),
            shown(o)
                + " is out of range: it is the share of free GPU memory SGLang may fill with"
                + " weights and KV cache and must be in (0, 1); try 0.85");
      }
    }
    if (args.chunkedPrefillSize().isPresent()) {
      int chunk = args.chunkedPrefillSize().getAsInt();
      int page = args.pageSize().orElse(1);
      if (chunk > 0 && chunk % page != 0) {
        Option o = last("chunked_prefill_size");
        throw new InvalidInputException(
            o.written(),
            String.format(
                Locale.ROOT,
                "%s is not a multiple of the page size %d: SGLang asserts \"chunked_prefill_size"
                    + " must be divisible by page_size\"; use %d",
                shown(o),
                page,
                Math.max(page, chunk / page * page)));
      }
      if (chunk <= 0 && Math.floorMod(chunk, page) != 0) {
        EnumSet<Snapshot> old = EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_4_9);
        caveat(
            last("chunked_prefill_size").written(),
            old,
            "SGLang "
                + FlagScanner.describe(old)
                + " asserts chunked_prefill_size % page_size == 0 even when chunked prefill is"
                + " off, so --chunked-prefill-size "
                + chunk
                + " with --page-size "
                + page
                + " stops there; v0.5.1 and later skip the check");
      }
    }
  }

  // ---- features -------------------------------------------------------------------------------

  private void features() {
    if (args.loraPaths().isPresent()) {
      if (!args.disableCudaGraph()) {
        caveat(
            last("lora_paths").written(),
            EnumSet.of(Snapshot.V0_4_5_POST3),
            "SGLang v0.4.5.post3 refuses --lora-paths without --disable-cuda-graph (\"compatibility"
                + " of lora and cuda graph and radix attention is in progress\")");
      }
      if (!args.disableRadixCache()) {
        EnumSet<Snapshot> old = EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_4_9);
        caveat(
            last("lora_paths").written(),
            old,
            "SGLang "
                + FlagScanner.describe(old)
                + " refuses --lora-paths without --disable-radix-cache (\"compatibility of lora and"
                + " radix attention is in progress\")");
      }
    }
    if (args.enableDeepepMoe()
        && args.enableDpAttention()
        && args.deepepMode().orElse("auto").equals("auto")) {
      EnumSet<Snapshot> old = EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_4_7);
      caveat(
          last("enable_deepep_moe").written(),
          old,
          "SGLang "
              + FlagScanner.describe(old)
              + " refuses --enable-deepep-moe in --deepep-mode auto together with"
              + " --enable-dp-attention (\"DeepEP MoE `auto` mode is not supported with DP"
              + " Attention\"); pass --deepep-mode normal or low_latency there");
    }
    if (args.disableCudaGraphPadding() && args.enableTorchCompile()) {
      caveat(
          "--disable-cuda-graph-padding",
          EnumSet.of(Snapshot.MAIN),
          "SGLang main refuses --disable-cuda-graph-padding with --enable-torch-compile (one"
              + " torch.compile per batch size would stall start-up); drop one of them");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void caveat(String input, EnumSet<Snapshot> snapshots, String message) {
    caveats.add(new VersionCaveat(input, snapshots, message));
  }

  private Option last(String... dests) {
    return values
        .last(dests)
        .map(FlagScanner.Occurrence::option)
        .orElseThrow(
            () -> new IllegalStateException("no occurrence for " + String.join(",", dests)));
  }

  /** The option as a reader would retype it: {@code --tp 8}, {@code --cuda-graph-bs 1 2 4}. */
  static String shown(Option o) {
    return o.values().isEmpty() && !o.inlineValue()
        ? o.written()
        : o.written() + " " + String.join(" ", quoted(o.values()));
  }

  /** Values as a reader would retype them: the empty string as {@code ''}. */
  static List<String> quoted(List<String> values) {
    List<String> q = new ArrayList<>();
    for (String v : values) {
      q.add(v.isEmpty() ? "''" : v);
    }
    return q;
  }
}
