package io.github.sglangpreflight.plan;

import io.github.sglangpreflight.gpu.ComputeCapability;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.Quantization;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.args.LaunchEnvironment;
import io.github.sglangpreflight.sglang.args.ServerArgs;
import io.github.sglangpreflight.sglang.args.SglangFlags;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.sglang.version.SglangProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * An SGLang launch with every setting SGLang would resolve at start-up filled in: the user's flags
 * where given, else the defaults of that SGLang version for this GPU capacity and model. Pure.
 *
 * @param facts the SGLang version's behaviour
 * @param parallelism TP/PP/DP/EP as SGLang ends up with them
 * @param gpuMemMib G: the minimum {@code nvidia-smi memory.total} in MiB over every GPU of the host
 * @param smVersion the compute capability of the launch's GPUs as {@code major*10+minor}, if known
 * @param contextLength {@code --context-length} or the model's
 * @param kvCacheDtype {@code --kv-cache-dtype} (default {@code auto})
 * @param pageSize {@code --page-size} (default 1)
 * @param chunkedPrefillSize the chunk before the DP-attention division; not positive = disabled
 * @param chunkPerRank the chunk each rank prefills (after {@code // dp} under DP attention), or
 *     {@code max_prefill_tokens} when chunked prefill is off
 * @param maxPrefillTokens {@code --max-prefill-tokens} (default 16384)
 * @param decodeGraphs decode CUDA graphs are captured
 * @param decodeCaptureList the decode batch sizes before the request-table filter
 * @param cudaGraphMaxBs the cap the user or SGLang set, if any
 * @param prefillGraphs prefill (breakable/piecewise) CUDA graphs are captured (main only)
 * @param prefillGraphTokens their token sizes
 * @param attentionBackend the attention backend SGLang will use
 * @param attentionBackendDefaulted true when SGLang picks it (no {@code --attention-backend})
 * @param speculative the speculative-decoding settings, if on
 * @param maxRunningRequests {@code --max-running-requests} (48 by default with speculative
 *     decoding), empty when SGLang derives it
 * @param maxTotalTokens {@code --max-total-tokens}
 * @param torchCompile {@code --enable-torch-compile}
 * @param deepEp the MoE all-to-all is DeepEP
 * @param deepEpMode {@code --deepep-mode} (auto, normal, low_latency)
 * @param jitDeepGemm JIT DeepGEMM runs (version default, environment, GPU and checkpoint)
 * @param jitDeepGemmReason why it is on or off, one sentence
 * @param deepGemmFastWarmup {@code SGLANG_JIT_DEEPGEMM_FAST_WARMUP} (main)
 * @param symmMemPreallocGib symmetric memory SGLang preallocates per GPU (main with {@code
 *     --enable-symm-mem})
 * @param lora LoRA settings, if adapters are given
 * @param multimodal the model has a vision/audio tower
 * @param baseGpuId {@code --base-gpu-id}
 * @param gpuIdStep {@code --gpu-id-step}
 * @param nodeRank {@code --node-rank}
 * @param imbalanceCheckEnabled SGLang stops on unbalanced free memory (else it warns)
 * @param customAllReduce the custom all-reduce is on
 * @param disaggregationMode {@code --disaggregation-mode}, if any
 * @param postCaptureKvSizing the KV pool is sized after CUDA-graph capture ({@code
 *     SGLANG_ENABLE_POST_CAPTURE_KV_SIZING=1}, 0.5.16+, not MLA)
 * @param prefillGraphBackend the prefill CUDA-graph backend: {@code breakable} (default from
 *     0.5.15), {@code tc_piecewise} (default 0.5.10 - 0.5.14) or given; {@code disabled} without
 *     prefill graphs
 * @param mmFeatureCacheMib GPU memory SGLang reserves on the base GPU for the multimodal feature
 *     pool of the cuda_ipc transport ({@code SGLANG_MM_FEATURE_CACHE_MB}), 0 when none
 * @param sglangDefaultFraction the fraction SGLang picks without the flag
 * @param userFraction {@code --mem-fraction-static} as given
 * @param notes sentences about defaults and assumptions
 */
public record LaunchPlan(
    SglangFacts facts,
    Parallelism parallelism,
    OptionalLong gpuMemMib,
    OptionalInt smVersion,
    int contextLength,
    String kvCacheDtype,
    int pageSize,
    int chunkedPrefillSize,
    int chunkPerRank,
    int maxPrefillTokens,
    boolean decodeGraphs,
    List<Integer> decodeCaptureList,
    OptionalInt cudaGraphMaxBs,
    boolean prefillGraphs,
    List<Integer> prefillGraphTokens,
    String attentionBackend,
    boolean attentionBackendDefaulted,
    Optional<Speculative> speculative,
    OptionalInt maxRunningRequests,
    OptionalInt maxTotalTokens,
    boolean torchCompile,
    boolean deepEp,
    String deepEpMode,
    boolean jitDeepGemm,
    String jitDeepGemmReason,
    boolean deepGemmFastWarmup,
    int symmMemPreallocGib,
    Optional<Lora> lora,
    boolean multimodal,
    int baseGpuId,
    int gpuIdStep,
    int nodeRank,
    boolean imbalanceCheckEnabled,
    boolean customAllReduce,
    Optional<String> disaggregationMode,
    boolean postCaptureKvSizing,
    String prefillGraphBackend,
    int mmFeatureCacheMib,
    Explained sglangDefaultFraction,
    OptionalDouble userFraction,
    List<String> notes) {

  /**
   * Speculative decoding settings.
   *
   * @param algorithm EAGLE, EAGLE3, NEXTN, STANDALONE, NGRAM, ...
   * @param steps {@code --speculative-num-steps}
   * @param topk {@code --speculative-eagle-topk}
   * @param draftTokens {@code --speculative-num-draft-tokens}
   * @param draftModelPath {@code --speculative-draft-model-path}
   */
  public record Speculative(
      String algorithm, int steps, int topk, int draftTokens, Optional<String> draftModelPath) {}

  /**
   * LoRA settings.
   *
   * @param adapters how many adapters are given
   * @param maxLorasPerBatch {@code --max-loras-per-batch} (default 8)
   * @param maxRank {@code --max-lora-rank}, if given
   */
  public record Lora(int adapters, int maxLorasPerBatch, OptionalInt maxRank) {}

  public LaunchPlan {
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(parallelism, "parallelism");
    decodeCaptureList = List.copyOf(decodeCaptureList);
    prefillGraphTokens = List.copyOf(prefillGraphTokens);
    notes = List.copyOf(notes);
  }

  /** The fraction SGLang will use: the flag, or its own default. */
  public double requestedFraction() {
    if (userFraction.isPresent()) {
      return userFraction.getAsDouble() * userFractionFactor();
    }
    return sglangDefaultFraction.value();
  }

  /**
   * What SGLang multiplies a user-given fraction by: 0.9 for a multimodal model up to v0.4.8.post1
   * (model_runner.py L302-311 @v0.4.5.post3, L414-419 @v0.4.8 apply it to any value), else 1.
   */
  public double userFractionFactor() {
    return multimodal && facts.multimodalFactorAppliesToUserFraction() ? 0.9 : 1.0;
  }

  /**
   * The {@code --mem-fraction-static} value that makes SGLang run at {@code effective}: the value
   * divided by {@link #userFractionFactor()}, at most 0.999.
   */
  public double flagValueFor(double effective) {
    return Math.min(0.999, Math.floor(effective / userFractionFactor() * 1000 + 1e-9) / 1000);
  }

  /** Where {@link #requestedFraction()} comes from. */
  public boolean fractionFromFlag() {
    return userFraction.isPresent();
  }

  /**
   * Resolves a parsed launch for one SGLang version, GPU capacity and model.
   *
   * @param facts the SGLang version
   * @param launch the parsed command
   * @param spec the model
   * @param gpuMemMib G, the minimum {@code memory.total} MiB over the host's GPUs
   * @param computeCapability of the GPUs the launch uses
   */
  public static LaunchPlan of(
      SglangFacts facts,
      LaunchCommand launch,
      ModelSpec spec,
      OptionalLong gpuMemMib,
      Optional<ComputeCapability> computeCapability) {
    ServerArgs a = launch.serverArgs();
    LaunchEnvironment env = launch.environment();
    SglangFlags.Snapshot snap = facts.flagSnapshot();
    SglangDefaults.FlagDefaults dfl = SglangDefaults.flagDefaults(facts);
    List<String> notes = new ArrayList<>(facts.notes());
    Parallelism p = a.parallelism();
    OptionalInt sm =
        computeCapability.map(c -> OptionalInt.of(c.smVersion())).orElse(OptionalInt.empty());

    int context = a.contextLength().orElse(spec.contextLength());
    String kvDtype = a.kvCacheDtype().orElse(dfl.kvCacheDtype());
    kvDtype = nsaKvCacheDtype(facts, spec, kvDtype, sm, notes);
    int page = a.pageSize().orElse(dfl.pageSize());

    // chunked prefill: user, else version default; multimodal models lose it in old versions
    Optional<String> pd = a.disaggregationMode().filter(m -> !m.equals("null"));
    int chunk;
    if (a.chunkedPrefillSize().isPresent()) {
      chunk = a.chunkedPrefillSize().getAsInt();
    } else if (spec.multimodal() && facts.multimodalDisablesChunkedPrefill()) {
      chunk = -1;
      notes.add("SGLang " + facts.version() + " disables chunked prefill for multimodal models");
    } else {
      chunk = (int) SglangDefaults.defaultChunkedPrefill(facts, gpuMemMib, pd).value();
    }
    int maxPrefill = a.maxPrefillTokens().orElse(dfl.maxPrefillTokens());
    int chunkPerRank = chunk > 0 ? (p.dpAttention() ? chunk / p.dpSize() : chunk) : maxPrefill;

    // speculative decoding
    Optional<Speculative> spec2 = Optional.empty();
    OptionalInt maxRunning = a.maxRunningRequests();
    if (a.speculative()) {
      String algo = a.speculativeAlgorithm().get().toUpperCase(Locale.ROOT);
      int steps = a.speculativeNumSteps().orElse(dfl.speculativeNumSteps());
      int topk =
          a.speculativeEagleTopk()
              .orElse(page > 1 ? dfl.speculativePagedEagleTopk() : dfl.speculativeEagleTopk());
      int draftTokens = a.speculativeNumDraftTokens().orElse(dfl.speculativeNumDraftTokens());
      if (a.speculativeNumSteps().isEmpty()
          || a.speculativeEagleTopk().isEmpty()
          || a.speculativeNumDraftTokens().isEmpty()) {
        notes.add(
            String.format(
                Locale.ROOT,
                "speculative parameters not all given: assuming SGLang's usual choice steps %d,"
                    + " topk %d, draft tokens %d",
                steps,
                topk,
                draftTokens));
      }
      spec2 =
          Optional.of(
              new Speculative(algo, steps, topk, draftTokens, a.speculativeDraftModelPath()));
      if (maxRunning.isEmpty()) {
        maxRunning = OptionalInt.of(dfl.speculativeMaxRunningRequests());
      }
    }

    // decode CUDA graphs
    boolean deepEp =
        a.enableDeepepMoe() || a.moeA2aBackend().filter("deepep"::equalsIgnoreCase).isPresent();
    String deepEpMode = a.deepepMode().orElse(dfl.deepEpMode());
    boolean decodeGraphs = !a.decodeCudaGraphDisabled();
    if (decodeGraphs && deepEp && deepEpMode.equals("normal")) {
      decodeGraphs = false;
      notes.add("--deepep-mode normal makes SGLang run without decode CUDA graphs");
    }
    if (decodeGraphs && pd.filter("prefill"::equals).isPresent()) {
      decodeGraphs = false;
    }
    OptionalInt maxBs =
        a.cudaGraphMaxBs().isPresent()
            ? a.cudaGraphMaxBs()
            : SglangDefaults.defaultCudaGraphMaxBs(facts, gpuMemMib, p.tpSize());
    if (facts.captureListRule() == SglangFacts.CaptureListRule.MAIN
        && a.cudaGraphBs().filter(l -> !l.isEmpty()).isPresent()) {
      // v0.5.3rc2+: a given --cuda-graph-bs list decides max_bs, whatever --cuda-graph-max-bs says
      maxBs =
          OptionalInt.of(
              a.cudaGraphBs().get().stream().mapToInt(Integer::intValue).max().getAsInt());
    }
    List<Integer> capture =
        decodeGraphs
            ? SglangDefaults.decodeCaptureList(
                facts,
                gpuMemMib,
                a.disableCudaGraphPadding(),
                spec2.isPresent(),
                p.dpSize(),
                maxBs,
                a.cudaGraphBs())
            : List.of();

    // prefill graphs (main only)
    boolean prefillGraphs =
        facts.prefillGraphsByDefault()
            && !a.disableCudaGraph()
            && !a.disablePrefillCudaGraph()
            && !a.cudaGraphBackendPrefill().filter("disabled"::equals).isPresent()
            && pd.filter("decode"::equals).isEmpty()
            && !a.enableTwoBatchOverlap();
    if (a.cudaGraphBackendPrefill().filter(b -> !b.equals("disabled")).isPresent()
        && facts.captureListRule() == SglangFacts.CaptureListRule.MAIN) {
      prefillGraphs = !a.disableCudaGraph();
    }
    List<Integer> prefillTokens = List.of();
    if (prefillGraphs) {
      int max = spec.usesMla() ? dfl.mlaPrefillGraphMaxTokens() : Math.max(chunk, 0);
      if (max <= 0) {
        max = maxPrefill;
      }
      if (a.cudaGraphMaxBsPrefill().isPresent()) {
        max = a.cudaGraphMaxBsPrefill().getAsInt();
      }
      if (a.maxTotalTokens().isPresent()) {
        max = Math.min(max, a.maxTotalTokens().getAsInt());
      }
      prefillTokens = SglangDefaults.prefillGraphTokens(max);
    }

    // attention backend
    boolean mla = spec.usesMla();
    String backend;
    boolean backendDefaulted = a.attentionBackend().isEmpty();
    if (backendDefaulted) {
      boolean noSpecOrTopkOne = spec2.map(x -> x.topk() == 1 && page == 1).orElse(true);
      backend =
          facts.defaultAttentionBackend(mla, sm.orElse(0), spec.architecture(), noSpecOrTopkOne);
      notes.add(
          "attention backend not given: SGLang "
              + facts.version()
              + " picks "
              + backend
              + (sm.isPresent() ? " on sm" + sm.getAsInt() : "")
              + (facts.profile() == SglangProfile.P1 && backend.equals("fa3")
                  ? " (with a CUDA >= 12.3 torch; the -cu121 image picks "
                      + (mla ? "triton" : "flashinfer")
                      + ": pass --attention-backend to be exact)"
                  : ""));
    } else {
      backend = a.attentionBackend().get();
    }

    // JIT DeepGEMM
    boolean jit;
    String jitReason;
    LaunchEnvironment.Switch jitSwitch = env.jitDeepGemm(snap);
    boolean wanted = jitSwitch.orElse(facts.jitDeepGemmDefaultOn());
    boolean blockFp8 = spec.quantization().map(Quantization::isBlockFp8).orElse(false);
    String envName =
        snap == SglangFlags.Snapshot.MAIN
            ? "SGLANG_ENABLE_JIT_DEEPGEMM"
            : "SGL_ENABLE_JIT_DEEPGEMM";
    if (!wanted) {
      jit = false;
      jitReason =
          jitSwitch == LaunchEnvironment.Switch.UNSET
              ? "JIT DeepGEMM is off by default in SGLang " + facts.version()
              : envName + " turns JIT DeepGEMM off";
    } else if (sm.isPresent() && !facts.jitDeepGemmSupports(sm.getAsInt())) {
      jit = false;
      jitReason =
          "JIT DeepGEMM does not run on sm" + sm.getAsInt() + " in SGLang " + facts.version();
    } else {
      jit = true;
      jitReason =
          (jitSwitch == LaunchEnvironment.Switch.TRUE
                  ? envName + "=1 turns JIT DeepGEMM on"
                  : "JIT DeepGEMM is on by default in SGLang " + facts.version())
              + (blockFp8 ? "" : "; the checkpoint has no block-fp8 weights, so no GEMM uses it");
    }
    boolean fastWarmup =
        facts.deepGemmFastWarmupKnob() && env.jitDeepGemmFastWarmup(snap).orElse(false);

    int symm = 0;
    if (a.enableSymmMem() && facts.symmetricMemoryPrealloc()) {
      symm = env.symmMemPreallocGb(snap).orElse(dfl.symmMemPreallocGib());
    }

    Optional<Lora> lora = Optional.empty();
    if (a.loraPaths().isPresent() && !a.loraPaths().get().isEmpty()) {
      lora =
          Optional.of(
              new Lora(
                  a.loraPaths().get().size(),
                  a.maxLorasPerBatch().orElse(dfl.maxLorasPerBatch()),
                  a.maxLoraRank()));
    }

    // up to 0.5.6.post2 SGLang reads SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK (truthy: warn), also
    // where the flag snapshot is already main's (model_runner.py L799@1053e1be1, L711@5c8bd8b51)
    SglangFlags.Snapshot imbalanceSnap =
        facts.imbalanceSwitchIsNew()
            ? SglangFlags.Snapshot.MAIN
            : snap == SglangFlags.Snapshot.MAIN ? SglangFlags.Snapshot.V0_5_1 : snap;
    boolean imbalance = env.tpMemoryImbalanceCheckEnabled(imbalanceSnap);
    if (facts.imbalanceSwitchIsNew()
        && env.get("SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK").isPresent()) {
      notes.add(
          "SGL_DISABLE_TP_MEMORY_INBALANCE_CHECK is set: SGLang "
              + facts.version()
              + " copies its value into SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK, so =1 keeps the"
              + " check ON; set SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK=0 and drop the old variable"
              + " to turn it off");
    }

    int decodeMaxBs = maxBs.orElse(capture.isEmpty() ? 0 : capture.getLast());
    boolean postCapture =
        SglangDefaults.postCaptureKvSizing(facts, env.postCaptureKvSizing(snap).orElse(false), mla);
    if (postCapture) {
      notes.add(
          "SGLANG_ENABLE_POST_CAPTURE_KV_SIZING=1: SGLang "
              + facts.version()
              + " re-sizes the KV pool after CUDA-graph capture to the free memory less T x (1 -"
              + " fraction) (post_capture_resize_kv_pool), so the capture comes out of the pool;"
              + " the guard still budgets it outside the pool: its pool is smaller and its"
              + " fraction lower than SGLang needs (on the safe side)");
    }
    String prefillBackend =
        !prefillGraphs
            ? "disabled"
            : a.cudaGraphBackendPrefill()
                .orElse(facts.breakablePrefillByDefault() ? "breakable" : "tc_piecewise");
    int mmFeatureMib =
        SglangDefaults.multimodalFeatureCacheMib(
            facts,
            spec.multimodal(),
            p.nnodes(),
            pd.isPresent(),
            optionValue(launch, "--mm-feature-transport"),
            env);
    Explained dflt =
        SglangDefaults.defaultFraction(
            facts,
            new SglangDefaults.FractionInputs(
                gpuMemMib,
                p.tpSize(),
                p.ppSize(),
                p.dpSize(),
                p.dpAttention(),
                spec2.map(Speculative::algorithm),
                spec.multimodal(),
                spec.visionLayers(),
                spec.visionHidden(),
                mla,
                chunk,
                maxPrefill,
                decodeMaxBs,
                decodeGraphs,
                prefillGraphs,
                prefillTokens.size(),
                deepEp,
                pd,
                maxRunning,
                spec2.map(Speculative::draftTokens).orElse(1),
                postCapture));

    return new LaunchPlan(
        facts,
        p,
        gpuMemMib,
        sm,
        context,
        kvDtype,
        page,
        chunk,
        chunkPerRank,
        maxPrefill,
        decodeGraphs,
        capture,
        maxBs,
        prefillGraphs,
        prefillTokens,
        backend,
        backendDefaulted,
        spec2,
        maxRunning,
        a.maxTotalTokens(),
        a.enableTorchCompile(),
        deepEp,
        deepEpMode,
        jit && blockFp8,
        jitReason,
        fastWarmup,
        symm,
        lora,
        spec.multimodal(),
        a.baseGpuId().orElse(dfl.baseGpuId()),
        a.gpuIdStep().orElse(dfl.gpuIdStep()),
        a.nodeRank().orElse(dfl.nodeRank()),
        imbalance,
        !a.disableCustomAllReduce(),
        pd,
        postCapture,
        prefillBackend,
        mmFeatureMib,
        dflt,
        a.memFractionStatic(),
        notes);
  }

  /**
   * SGLang's KV dtype for a DeepSeek DSA (NSA) model: from 0.5.3 {@code auto} becomes {@code
   * fp8_e4m3} on compute capability 10 and above (server_args.py {@code
   * _set_default_nsa_kv_cache_dtype}; switch point {@code NSA_FP8_KV_ON_BLACKWELL}). Below sm100
   * SGLang writes {@code bfloat16}, which is what {@code auto} sizes for these BF16-dtype models.
   * Without a known compute capability the value stays as given, with a note.
   */
  static String nsaKvCacheDtype(
      SglangFacts facts, ModelSpec spec, String kvDtype, OptionalInt sm, List<String> notes) {
    boolean dsa = spec.usesMla() && spec.arch().indexer().isPresent();
    if (!dsa || !kvDtype.equals("auto") || !facts.nsaFp8KvOnBlackwell()) {
      return kvDtype;
    }
    if (sm.isEmpty()) {
      notes.add(
          "--kv-cache-dtype auto on a DeepSeek DSA model: SGLang "
              + facts.version()
              + " makes it fp8_e4m3 on compute capability 10 and above and bfloat16 below; the"
              + " GPU's compute capability is not known, so the KV cache is sized as bfloat16");
      return kvDtype;
    }
    if (sm.getAsInt() < 100) {
      return kvDtype;
    }
    notes.add(
        "--kv-cache-dtype auto on a DeepSeek DSA model: SGLang "
            + facts.version()
            + " uses fp8_e4m3 on sm"
            + sm.getAsInt()
            + " (_set_default_nsa_kv_cache_dtype)");
    return "fp8_e4m3";
  }

  // the value of an option the typed ServerArgs do not carry (a known option or an unknown one)
  private static Optional<String> optionValue(LaunchCommand launch, String flag) {
    for (LaunchCommand.Option o : launch.options()) {
      if (o.flag().equals(flag) && !o.values().isEmpty()) {
        return Optional.of(o.values().getLast());
      }
    }
    List<String> rest = launch.unknownArgs();
    for (int i = 0; i < rest.size(); i++) {
      String arg = rest.get(i);
      if (arg.equals(flag) && i + 1 < rest.size()) {
        return Optional.of(rest.get(i + 1));
      }
      if (arg.startsWith(flag + "=")) {
        return Optional.of(arg.substring(flag.length() + 1));
      }
    }
    return Optional.empty();
  }
}
