package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.Parallelism;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The SGLang server flags of a launch that change its GPU memory at start-up, as the user gave
 * them.
 *
 * <p>Every component is what SGLang's parser stores for the flag under all of its spellings
 * (aliases, unique prefixes) at every snapshot of {@link SglangFlags}: the last occurrence wins, as
 * in argparse. A flag that was not given is {@code Optional.empty()} (or {@code false} for on/off
 * flags): SGLang's defaults depend on the GPU, the model and the version, and are the profile's
 * part. {@link LaunchCommand#parse} guarantees the values passed SGLang's own checks and
 * preflight's range checks; a record built directly is not checked beyond null-safety.
 *
 * <p>{@link #toString()} masks {@link #apiKey()}.
 *
 * @param modelPath {@code --model-path} / {@code --model} (or {@code sglang serve}'s first
 *     argument)
 * @param tokenizerPath {@code --tokenizer-path}
 * @param revision {@code --revision}
 * @param loadFormat {@code --load-format}
 * @param dtype {@code --dtype}
 * @param quantization {@code --quantization}
 * @param kvCacheDtype {@code --kv-cache-dtype}
 * @param contextLength {@code --context-length} in tokens (main also takes {@code 128k}, {@code
 *     32Ki})
 * @param jsonModelOverrideArgs {@code --json-model-override-args}, the raw JSON text
 * @param trustRemoteCode {@code --trust-remote-code}
 * @param isEmbedding {@code --is-embedding}
 * @param torchaoConfig {@code --torchao-config}
 * @param tpSize {@code --tp-size} / {@code --tensor-parallel-size} (and the prefix {@code --tp})
 * @param dpSize {@code --dp-size} / {@code --data-parallel-size}
 * @param ppSize {@code --pp-size} / {@code --pipeline-parallel-size} (v0.4.6 on)
 * @param epSize {@code --ep-size} / {@code --expert-parallel-size} / {@code --ep} (explicit alias
 *     from v0.5.1; a prefix before, ambiguous in v0.4.6.post5 to v0.4.9)
 * @param nnodes {@code --nnodes}
 * @param nodeRank {@code --node-rank}
 * @param distInitAddr {@code --dist-init-addr} / {@code --nccl-init-addr}
 * @param enableDpAttention {@code --enable-dp-attention}
 * @param enableDpLmHead {@code --enable-dp-lm-head}
 * @param moeDenseTpSize {@code --moe-dense-tp-size}
 * @param enableEpMoe {@code --enable-ep-moe} (up to v0.5.1: sets ep = tp)
 * @param enableDeepepMoe {@code --enable-deepep-moe} (up to v0.5.1: DeepEP, ep = tp)
 * @param moeA2aBackend {@code --moe-a2a-backend} (v0.5.1 on; {@code deepep} and the other
 *     all-to-all backends set ep = tp)
 * @param deepepMode {@code --deepep-mode}
 * @param epNumRedundantExperts {@code --ep-num-redundant-experts} (extra expert copies per GPU)
 * @param enableEplb {@code --enable-eplb}
 * @param moeDpSize {@code --moe-dp-size} / {@code --moe-data-parallel-size} (main)
 * @param dcpSize {@code --dcp-size} / {@code --decode-context-parallel-size} (main)
 * @param attnCpSize {@code --attn-cp-size} / {@code --attention-context-parallel-size} (main)
 * @param enableTwoBatchOverlap {@code --enable-two-batch-overlap} (v0.4.7 on)
 * @param baseGpuId {@code --base-gpu-id}
 * @param gpuIdStep {@code --gpu-id-step}
 * @param memFractionStatic {@code --mem-fraction-static}
 * @param maxRunningRequests {@code --max-running-requests}
 * @param maxTotalTokens {@code --max-total-tokens}
 * @param chunkedPrefillSize {@code --chunked-prefill-size}; zero or negative (SGLang documents -1)
 *     turns chunked prefill off, see {@link #chunkedPrefillDisabled()}
 * @param maxPrefillTokens {@code --max-prefill-tokens}
 * @param pageSize {@code --page-size}
 * @param cpuOffloadGb {@code --cpu-offload-gb}
 * @param disableRadixCache {@code --disable-radix-cache}
 * @param enableMemorySaver {@code --enable-memory-saver}
 * @param enableHierarchicalCache {@code --enable-hierarchical-cache}
 * @param enableMultimodal {@code --enable-multimodal} (v0.4.6 on)
 * @param swaFullTokensRatio {@code --swa-full-tokens-ratio} (v0.5.1 on): the full-attention layers'
 *     share of the KV pool of a sliding-window model
 * @param maxMambaCacheSize {@code --max-mamba-cache-size} (main): state slots of a hybrid model
 * @param mambaSsmDtype {@code --mamba-ssm-dtype} (main)
 * @param disableCudaGraph {@code --disable-cuda-graph}
 * @param disableDecodeCudaGraph {@code --disable-decode-cuda-graph} (main)
 * @param disablePrefillCudaGraph {@code --disable-prefill-cuda-graph} (main)
 * @param disableCudaGraphPadding {@code --disable-cuda-graph-padding}
 * @param cudaGraphMaxBs {@code --cuda-graph-max-bs} (main: alias of {@code
 *     --cuda-graph-max-bs-decode}, which also lands here)
 * @param cudaGraphBs {@code --cuda-graph-bs} list (main: also {@code --cuda-graph-bs-decode})
 * @param cudaGraphMaxBsPrefill {@code --cuda-graph-max-bs-prefill} / {@code
 *     --piecewise-cuda-graph-max-tokens} (main)
 * @param cudaGraphBackendDecode {@code --cuda-graph-backend-decode} (main)
 * @param cudaGraphBackendPrefill {@code --cuda-graph-backend-prefill} and the deprecated switches
 *     that set it (main)
 * @param cudaGraphConfig {@code --cuda-graph-config}, raw JSON (main; overrides the other graph
 *     flags, not interpreted here)
 * @param enableTorchCompile {@code --enable-torch-compile}
 * @param torchCompileMaxBs {@code --torch-compile-max-bs}
 * @param attentionBackend {@code --attention-backend}
 * @param enableSymmMem {@code --enable-symm-mem} (v0.5.1 on)
 * @param enableNcclNvls {@code --enable-nccl-nvls}
 * @param disableCustomAllReduce {@code --disable-custom-all-reduce}
 * @param speculativeAlgorithm {@code --speculative-algorithm}
 * @param speculativeDraftModelPath {@code --speculative-draft-model-path} (main also {@code
 *     --speculative-draft-model})
 * @param speculativeNumSteps {@code --speculative-num-steps}
 * @param speculativeEagleTopk {@code --speculative-eagle-topk}
 * @param speculativeNumDraftTokens {@code --speculative-num-draft-tokens}
 * @param loraPaths {@code --lora-paths} entries as written ({@code name=path} or a path)
 * @param maxLorasPerBatch {@code --max-loras-per-batch}
 * @param maxLoraRank {@code --max-lora-rank} (v0.5.1 on)
 * @param maxLoadedLoras {@code --max-loaded-loras} (v0.5.1 on)
 * @param disaggregationMode {@code --disaggregation-mode}
 * @param device {@code --device}
 * @param host {@code --host}
 * @param port {@code --port}
 * @param apiKey {@code --api-key} (masked in {@link #toString()})
 * @param configFile {@code --config} (main): a YAML file SGLang merges under the command line; its
 *     values are not visible here
 */
public record ServerArgs(
    String modelPath,
    Optional<String> tokenizerPath,
    Optional<String> revision,
    Optional<String> loadFormat,
    Optional<String> dtype,
    Optional<String> quantization,
    Optional<String> kvCacheDtype,
    OptionalInt contextLength,
    Optional<String> jsonModelOverrideArgs,
    boolean trustRemoteCode,
    boolean isEmbedding,
    Optional<String> torchaoConfig,
    OptionalInt tpSize,
    OptionalInt dpSize,
    OptionalInt ppSize,
    OptionalInt epSize,
    OptionalInt nnodes,
    OptionalInt nodeRank,
    Optional<String> distInitAddr,
    boolean enableDpAttention,
    boolean enableDpLmHead,
    OptionalInt moeDenseTpSize,
    boolean enableEpMoe,
    boolean enableDeepepMoe,
    Optional<String> moeA2aBackend,
    Optional<String> deepepMode,
    OptionalInt epNumRedundantExperts,
    boolean enableEplb,
    OptionalInt moeDpSize,
    OptionalInt dcpSize,
    OptionalInt attnCpSize,
    boolean enableTwoBatchOverlap,
    OptionalInt baseGpuId,
    OptionalInt gpuIdStep,
    OptionalDouble memFractionStatic,
    OptionalInt maxRunningRequests,
    OptionalInt maxTotalTokens,
    OptionalInt chunkedPrefillSize,
    OptionalInt maxPrefillTokens,
    OptionalInt pageSize,
    OptionalInt cpuOffloadGb,
    boolean disableRadixCache,
    boolean enableMemorySaver,
    boolean enableHierarchicalCache,
    boolean enableMultimodal,
    OptionalDouble swaFullTokensRatio,
    OptionalInt maxMambaCacheSize,
    Optional<String> mambaSsmDtype,
    boolean disableCudaGraph,
    boolean disableDecodeCudaGraph,
    boolean disablePrefillCudaGraph,
    boolean disableCudaGraphPadding,
    OptionalInt cudaGraphMaxBs,
    Optional<List<Integer>> cudaGraphBs,
    OptionalInt cudaGraphMaxBsPrefill,
    Optional<String> cudaGraphBackendDecode,
    Optional<String> cudaGraphBackendPrefill,
    Optional<String> cudaGraphConfig,
    boolean enableTorchCompile,
    OptionalInt torchCompileMaxBs,
    Optional<String> attentionBackend,
    boolean enableSymmMem,
    boolean enableNcclNvls,
    boolean disableCustomAllReduce,
    Optional<String> speculativeAlgorithm,
    Optional<String> speculativeDraftModelPath,
    OptionalInt speculativeNumSteps,
    OptionalInt speculativeEagleTopk,
    OptionalInt speculativeNumDraftTokens,
    Optional<List<String>> loraPaths,
    OptionalInt maxLorasPerBatch,
    OptionalInt maxLoraRank,
    OptionalInt maxLoadedLoras,
    Optional<String> disaggregationMode,
    Optional<String> device,
    Optional<String> host,
    OptionalInt port,
    Optional<String> apiKey,
    Optional<String> configFile) {

  /**
   * The {@code --moe-a2a-backend} values for which SGLang sets the expert-parallel size to the TP
   * size: {@code deepep} in v0.5.1 ({@code server_args.py} L566-570 @v0.5.1), and on main the set
   * {@code _A2A_EP_SPANNING_BACKENDS} ({@code arg_groups/overrides.py} L2502-2547 @8761b971).
   */
  public static final Set<String> EP_SPANNING_A2A_BACKENDS =
      Set.of(
          "deepep", "megamoe", "mooncake", "nixl", "ascend_fuseep", "flashinfer", "mori", "pplx");

  public ServerArgs {
    Objects.requireNonNull(modelPath, "modelPath");
    List<Object> objects = new ArrayList<>();
    objects.add(tokenizerPath);
    objects.add(revision);
    objects.add(loadFormat);
    objects.add(dtype);
    objects.add(quantization);
    objects.add(kvCacheDtype);
    objects.add(contextLength);
    objects.add(jsonModelOverrideArgs);
    objects.add(torchaoConfig);
    objects.add(tpSize);
    objects.add(dpSize);
    objects.add(ppSize);
    objects.add(epSize);
    objects.add(nnodes);
    objects.add(nodeRank);
    objects.add(distInitAddr);
    objects.add(moeDenseTpSize);
    objects.add(moeA2aBackend);
    objects.add(deepepMode);
    objects.add(epNumRedundantExperts);
    objects.add(moeDpSize);
    objects.add(dcpSize);
    objects.add(attnCpSize);
    objects.add(swaFullTokensRatio);
    objects.add(maxMambaCacheSize);
    objects.add(mambaSsmDtype);
    objects.add(baseGpuId);
    objects.add(gpuIdStep);
    objects.add(memFractionStatic);
    objects.add(maxRunningRequests);
    objects.add(maxTotalTokens);
    objects.add(chunkedPrefillSize);
    objects.add(maxPrefillTokens);
    objects.add(pageSize);
    objects.add(cpuOffloadGb);
    objects.add(cudaGraphMaxBs);
    objects.add(cudaGraphBs);
    objects.add(cudaGraphMaxBsPrefill);
    objects.add(cudaGraphBackendDecode);
    objects.add(cudaGraphBackendPrefill);
    objects.add(cudaGraphConfig);
    objects.add(torchCompileMaxBs);
    objects.add(attentionBackend);
    objects.add(speculativeAlgorithm);
    objects.add(speculativeDraftModelPath);
    objects.add(speculativeNumSteps);
    objects.add(speculativeEagleTopk);
    objects.add(speculativeNumDraftTokens);
    objects.add(loraPaths);
    objects.add(maxLorasPerBatch);
    objects.add(maxLoraRank);
    objects.add(maxLoadedLoras);
    objects.add(disaggregationMode);
    objects.add(device);
    objects.add(host);
    objects.add(port);
    objects.add(apiKey);
    objects.add(configFile);
    for (Object o : objects) {
      if (o == null) {
        throw new NullPointerException("a ServerArgs component is null; use Optional.empty()");
      }
    }
    cudaGraphBs = cudaGraphBs.map(List::copyOf);
    loraPaths = loraPaths.map(List::copyOf);
  }

  /** Whether chunked prefill is off: {@code --chunked-prefill-size} zero or negative. */
  public boolean chunkedPrefillDisabled() {
    return chunkedPrefillSize.isPresent() && chunkedPrefillSize.getAsInt() <= 0;
  }

  /**
   * Whether decode CUDA graphs are off by a flag: {@code --cuda-graph-backend-decode disabled} if
   * given (it takes precedence on main), else {@code --disable-decode-cuda-graph} or {@code
   * --disable-cuda-graph}. SGLang also turns them off by itself in some setups (PD prefill servers,
   * {@code --deepep-mode normal}, torch-native attention); that is the profile's part.
   */
  public boolean decodeCudaGraphDisabled() {
    if (cudaGraphBackendDecode.isPresent()) {
      return cudaGraphBackendDecode.get().equals("disabled");
    }
    return disableDecodeCudaGraph || disableCudaGraph;
  }

  /** Whether speculative decoding is requested. */
  public boolean speculative() {
    return speculativeAlgorithm.isPresent();
  }

  /**
   * How the launch spreads the model over GPUs.
   *
   * <p>DP attention counts only with {@code --dp-size} above 1 (main turns it off at dp 1; up to
   * v0.5.1 SGLang refuses that combination, see {@link LaunchCommand#versionCaveats()}). The
   * expert-parallel size is the TP size with {@code --enable-ep-moe}, {@code --enable-deepep-moe}
   * (up to v0.5.1) or an all-to-all MoE backend in {@link #EP_SPANNING_A2A_BACKENDS}, else {@code
   * --ep-size} (default 1).
   *
   * @throws IllegalArgumentException if the sizes are inconsistent (never for a parsed launch)
   */
  public Parallelism parallelism() {
    int tp = tpSize.orElse(1);
    int dp = dpSize.orElse(1);
    return new Parallelism(
        tp, ppSize.orElse(1), dp, effectiveEpSize(), enableDpAttention && dp > 1, nnodes.orElse(1));
  }

  /** The expert-parallel size SGLang ends up with (see {@link #parallelism()}). */
  public int effectiveEpSize() {
    if (epSpansTp()) {
      return tpSize.orElse(1);
    }
    return epSize.orElse(1);
  }

  boolean epSpansTp() {
    return enableEpMoe
        || enableDeepepMoe
        || moeA2aBackend.map(EP_SPANNING_A2A_BACKENDS::contains).orElse(false);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ServerArgs[");
    var components = ServerArgs.class.getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      var c = components[i];
      Object value;
      try {
        value = c.getAccessor().invoke(this);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (c.getName().equals("apiKey") && apiKey.isPresent()) {
        value = "Optional[" + LaunchSecrets.MASK + "]";
      }
      if (i > 0) {
        b.append(", ");
      }
      b.append(c.getName()).append('=').append(value);
    }
    return b.append(']').toString();
  }

  // ---- construction from a scan ----------------------------------------------------------

  /** Builds the record from the scanned occurrences (last occurrence per destination wins). */
  static ServerArgs from(List<FlagScanner.Occurrence> occ, Optional<String> positionalModel) {
    Values v = new Values(occ);
    Optional<String> model = v.string("model_path");
    if (model.isEmpty()) {
      model = positionalModel;
    }
    return new ServerArgs(
        model.orElseThrow(
            () ->
                new InvalidInputException(
                    "--model-path",
                    "The launch has no --model-path: SGLang needs the model to serve (a local"
                        + " directory or a Hugging Face repo id) and stops with \"the following"
                        + " arguments are required: --model-path\"; add --model-path <model>")),
        v.string("tokenizer_path"),
        v.string("revision"),
        v.string("load_format"),
        v.string("dtype"),
        v.string("quantization"),
        v.string("kv_cache_dtype"),
        v.integer("context_length"),
        v.string("json_model_override_args"),
        v.bool("trust_remote_code"),
        v.bool("is_embedding"),
        v.string("torchao_config"),
        v.integer("tp_size"),
        v.integer("dp_size"),
        v.integer("pp_size"),
        v.integer("ep_size"),
        v.integer("nnodes"),
        v.integer("node_rank"),
        v.string("dist_init_addr"),
        v.bool("enable_dp_attention"),
        v.bool("enable_dp_lm_head"),
        v.integer("moe_dense_tp_size"),
        v.bool("enable_ep_moe"),
        v.bool("enable_deepep_moe"),
        v.string("moe_a2a_backend"),
        v.string("deepep_mode"),
        v.integer("ep_num_redundant_experts"),
        v.bool("enable_eplb"),
        v.integer("moe_dp_size"),
        v.integer("dcp_size"),
        v.integer("attn_cp_size"),
        v.bool("enable_two_batch_overlap"),
        v.integer("base_gpu_id"),
        v.integer("gpu_id_step"),
        v.decimal("mem_fraction_static"),
        v.integer("max_running_requests"),
        v.integer("max_total_tokens"),
        v.integer("chunked_prefill_size"),
        v.integer("max_prefill_tokens"),
        v.integer("page_size"),
        v.integer("cpu_offload_gb"),
        v.bool("disable_radix_cache"),
        v.bool("enable_memory_saver"),
        v.bool("enable_hierarchical_cache"),
        v.bool("enable_multimodal"),
        v.decimal("swa_full_tokens_ratio"),
        v.integer("max_mamba_cache_size"),
        v.string("mamba_ssm_dtype"),
        v.bool("disable_cuda_graph"),
        v.bool("disable_decode_cuda_graph"),
        v.bool("disable_prefill_cuda_graph"),
        v.bool("disable_cuda_graph_padding"),
        v.integer("cuda_graph_max_bs", "cuda_graph_max_bs_decode"),
        v.integers("cuda_graph_bs", "cuda_graph_bs_decode"),
        v.integer("cuda_graph_max_bs_prefill"),
        v.string("cuda_graph_backend_decode"),
        v.string("cuda_graph_backend_prefill"),
        v.string("cuda_graph_config"),
        v.bool("enable_torch_compile"),
        v.integer("torch_compile_max_bs"),
        v.string("attention_backend"),
        v.bool("enable_symm_mem"),
        v.bool("enable_nccl_nvls"),
        v.bool("disable_custom_all_reduce"),
        v.string("speculative_algorithm"),
        v.string("speculative_draft_model_path"),
        v.integer("speculative_num_steps"),
        v.integer("speculative_eagle_topk"),
        v.integer("speculative_num_draft_tokens"),
        v.strings("lora_paths"),
        v.integer("max_loras_per_batch"),
        v.integer("max_lora_rank"),
        v.integer("max_loaded_loras"),
        v.string("disaggregation_mode"),
        v.string("device"),
        v.string("host"),
        v.integer("port"),
        v.string("api_key"),
        v.string("config"));
  }

  /** Typed access to the last stored value per destination. */
  static final class Values {
    private final List<FlagScanner.Occurrence> occurrences;

    Values(List<FlagScanner.Occurrence> occurrences) {
      this.occurrences = occurrences;
    }

    /** The last occurrence that stores into any of {@code dests}. */
    Optional<FlagScanner.Occurrence> last(String... dests) {
      for (int i = occurrences.size() - 1; i >= 0; i--) {
        FlagScanner.Occurrence o = occurrences.get(i);
        for (String d : dests) {
          if (o.option().dests().contains(d)) {
            return Optional.of(o);
          }
        }
      }
      return Optional.empty();
    }

    Optional<String> string(String... dests) {
      return last(dests)
          .flatMap(o -> o.stored().isEmpty() ? Optional.empty() : Optional.of(o.stored().get(0)));
    }

    Optional<List<String>> strings(String... dests) {
      return last(dests).map(FlagScanner.Occurrence::stored);
    }

    boolean bool(String... dests) {
      return string(dests).map(s -> s.equals("True")).orElse(false);
    }

    OptionalInt integer(String... dests) {
      Optional<FlagScanner.Occurrence> o = last(dests);
      if (o.isEmpty() || o.get().stored().isEmpty()) {
        return OptionalInt.empty();
      }
      return OptionalInt.of(toInt(o.get(), o.get().stored().get(0)));
    }

    Optional<List<Integer>> integers(String... dests) {
      Optional<FlagScanner.Occurrence> o = last(dests);
      if (o.isEmpty()) {
        return Optional.empty();
      }
      List<Integer> list = new ArrayList<>();
      for (String s : o.get().stored()) {
        list.add(toInt(o.get(), s));
      }
      return Optional.of(list);
    }

    OptionalDouble decimal(String... dests) {
      return string(dests)
          .flatMap(FlagValues::pythonFloat)
          .map(OptionalDouble::of)
          .orElse(OptionalDouble.empty());
    }

    private static int toInt(FlagScanner.Occurrence o, String text) {
      BigInteger value =
          FlagValues.humanReadableInt(text)
              .orElseThrow(() -> new IllegalStateException("unchecked integer " + text));
      if (value.bitLength() >= 32) {
        String w = o.option().written();
        throw new InvalidInputException(
            w,
            String.format(
                Locale.ROOT,
                "%s %s is too large: preflight handles values up to %d",
                w,
                text,
                Integer.MAX_VALUE));
      }
      return value.intValue();
    }
  }
}
