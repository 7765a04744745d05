package io.github.sglangpreflight.report;

import io.github.sglangpreflight.calibration.CalibrationKey;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.decision.ReasonDetail;
import io.github.sglangpreflight.decision.ReasonId;
import io.github.sglangpreflight.decision.RemedyId;
import io.github.sglangpreflight.launch.MemoryTerm;
import io.github.sglangpreflight.launch.PredictedTerm;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The outcome of one check: the decision, the numbers behind it and what to do. Immutable. {@link
 * ReportFormat} renders it as a table or as JSON (schema {@value #SCHEMA}, docs/report-schema.md).
 * Built from what the decider decided, what was checked ({@link Inputs}) and the budget's numbers
 * ({@link Estimates}); the sentences ({@link #reasons()}) and the structured reasons ({@link
 * #reasonDetails()}) are rendered from the same decision in one place.
 *
 * @param decision ACCEPT, ADJUST or REJECT
 * @param recommendedFraction the fraction to run with; empty on REJECT (and for an unchecked launch
 *     without the flag)
 * @param reasons why, one sentence each, most important first; the first says what was decided
 * @param reasonDetails why, structured, most important first: each reason's id, its numbers by name
 *     and its remedy ids (the sentences are rendered from these)
 * @param policy the policy the decision was made under
 * @param inputs what was checked: the fraction, SGLang, the model, the GPUs, the command
 * @param estimates the safe window and the budget at the requested and recommended fractions
 * @param remedies what would make a rejected launch fit, best first
 * @param command the command to run (rewritten on ADJUST under the adjust policy)
 * @param notes assumptions and degraded paths, one sentence each
 */
public record PreflightReport(
    Decision decision,
    OptionalDouble recommendedFraction,
    List<String> reasons,
    List<ReasonDetail> reasonDetails,
    Policy policy,
    Inputs inputs,
    Estimates estimates,
    List<Remedy> remedies,
    List<String> command,
    List<String> notes) {

  /** The JSON schema id of the report. */
  public static final String SCHEMA = "sglang-preflight/report/v1";

  private static final Set<TermId> POOL_BUFFERS =
      EnumSet.of(TermId.REQUEST_TABLE, TermId.KV_FREE_LIST, TermId.EAGER_INPUT_BUFFERS);
  private static final Set<TermId> BEFORE_GRAPHS =
      EnumSet.of(TermId.ATTENTION_WORKSPACE, TermId.CUBLAS_WORKSPACE);
  private static final Set<TermId> GRAPHS =
      EnumSet.of(
          TermId.CUDA_GRAPH_DECODE,
          TermId.CUDA_GRAPH_DP_ATTENTION,
          TermId.CUDA_GRAPH_PREFILL,
          TermId.DRAFT_CUDA_GRAPHS);

  public PreflightReport {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(recommendedFraction, "recommendedFraction");
    reasons = List.copyOf(reasons);
    reasonDetails = List.copyOf(reasonDetails);
    if (reasons.isEmpty() || reasonDetails.isEmpty()) {
      throw new IllegalArgumentException("a report needs at least one reason and its detail");
    }
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(estimates, "estimates");
    remedies = List.copyOf(remedies);
    command = List.copyOf(command);
    notes = List.copyOf(notes);
  }

  /**
   * What was checked.
   *
   * @param requestedFraction the fraction SGLang would use: the flag, or its default (0 when
   *     unchecked without the flag)
   * @param requestedFractionSource where the requested fraction comes from
   * @param sglang the SGLang version, its profile and its own default
   * @param model the model and where its facts came from; empty when unchecked
   * @param gpuSource where the GPU readings came from
   * @param gpus the GPUs the launch uses on this node
   * @param originalCommand the command as given
   * @param calibrationKey what a launch of this check is recorded under in the calibration store
   *     (GPU model, driver, SGLang, model, layout); empty when unchecked
   */
  public record Inputs(
      double requestedFraction,
      FractionSource requestedFractionSource,
      Sglang sglang,
      Optional<Model> model,
      String gpuSource,
      List<GpuReport> gpus,
      List<String> originalCommand,
      Optional<CalibrationKey> calibrationKey) {
    /** Inputs without a calibration key. */
    public Inputs(
        double requestedFraction,
        FractionSource requestedFractionSource,
        Sglang sglang,
        Optional<Model> model,
        String gpuSource,
        List<GpuReport> gpus,
        List<String> originalCommand) {
      this(
          requestedFraction,
          requestedFractionSource,
          sglang,
          model,
          gpuSource,
          gpus,
          originalCommand,
          Optional.empty());
    }

    public Inputs {
      Objects.requireNonNull(calibrationKey, "calibrationKey");
      Objects.requireNonNull(requestedFractionSource, "requestedFractionSource");
      Objects.requireNonNull(sglang, "sglang");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(gpuSource, "gpuSource");
      gpus = List.copyOf(gpus);
      originalCommand = List.copyOf(originalCommand);
    }
  }

  /**
   * The budget's numbers.
   *
   * @param maxSafeFraction the largest fraction that keeps every GPU's safety margin
   * @param minFraction the smallest fraction that holds the weights and the minimum KV cache
   * @param estimate the budget at the requested fraction; empty when no budget was computed
   * @param adjustedEstimate the budget at the recommended fraction when that differs
   */
  public record Estimates(
      OptionalDouble maxSafeFraction,
      OptionalDouble minFraction,
      Optional<Estimate> estimate,
      Optional<Estimate> adjustedEstimate) {
    public Estimates {
      Objects.requireNonNull(maxSafeFraction, "maxSafeFraction");
      Objects.requireNonNull(minFraction, "minFraction");
      Objects.requireNonNull(estimate, "estimate");
      Objects.requireNonNull(adjustedEstimate, "adjustedEstimate");
    }

    /** No budget: the GPUs could not be read, or the launch's GPUs are missing. */
    public static Estimates none() {
      return new Estimates(
          OptionalDouble.empty(), OptionalDouble.empty(), Optional.empty(), Optional.empty());
    }
  }

  /** False only when the GPUs could not be read and the launch goes unchecked. */
  public boolean checked() {
    return reasonDetails.getFirst().id() != ReasonId.GPUS_UNREADABLE;
  }

  /** The fraction SGLang would use: the flag, or its default. */
  public double requestedFraction() {
    return inputs.requestedFraction();
  }

  /** Where the requested fraction comes from. */
  public FractionSource requestedFractionSource() {
    return inputs.requestedFractionSource();
  }

  /** The largest fraction that keeps every GPU's safety margin. */
  public OptionalDouble maxSafeFraction() {
    return estimates.maxSafeFraction();
  }

  /** The smallest fraction that holds the weights and the minimum KV cache. */
  public OptionalDouble minFraction() {
    return estimates.minFraction();
  }

  /** The SGLang version, its profile and its own default. */
  public Sglang sglang() {
    return inputs.sglang();
  }

  /** The model and where its facts came from. */
  public Optional<Model> model() {
    return inputs.model();
  }

  /** Where the GPU readings came from. */
  public String gpuSource() {
    return inputs.gpuSource();
  }

  /** The GPUs the launch uses on this node. */
  public List<GpuReport> gpus() {
    return inputs.gpus();
  }

  /** The budget at the requested fraction; empty when unchecked. */
  public Optional<Estimate> estimate() {
    return estimates.estimate();
  }

  /** The budget at the recommended fraction when that differs. */
  public Optional<Estimate> adjustedEstimate() {
    return estimates.adjustedEstimate();
  }

  /** The command as given. */
  public List<String> originalCommand() {
    return inputs.originalCommand();
  }

  /**
   * This report with the secrets in both commands masked ({@code --api-key} values and the like, as
   * {@link io.github.sglangpreflight.sglang.args.LaunchCommand#maskedForLog()} does). {@link
   * ReportFormat} renders only masked commands; {@link #command()} itself stays runnable.
   */
  public PreflightReport masked() {
    Inputs i = inputs;
    return new PreflightReport(
        decision,
        recommendedFraction,
        reasons,
        reasonDetails,
        policy,
        new Inputs(
            i.requestedFraction(),
            i.requestedFractionSource(),
            i.sglang(),
            i.model(),
            i.gpuSource(),
            i.gpus(),
            mask(i.originalCommand()),
            i.calibrationKey()),
        estimates,
        remedies,
        mask(command),
        notes);
  }

  private static List<String> mask(List<String> argv) {
    return io.github.sglangpreflight.sglang.args.LaunchCommand.maskArguments(argv);
  }

  /**
   * The guard's predictions for the terms an SGLang log shows, from the budget of the command that
   * runs: the adjusted fraction's when the guard rewrote the command, else the requested one's.
   * Empty when the launch went unchecked.
   */
  public List<PredictedTerm> predictedTerms() {
    boolean rewritten = !command.equals(originalCommand());
    Optional<Estimate> e = rewritten ? adjustedEstimate().or(this::estimate) : estimate();
    if (e.isEmpty()) {
      return List.of();
    }
    PreflightReport.Estimate est = e.get();
    long prePoolOther =
        est.prePool().stream().mapToLong(PreflightReport.Item::bytes).sum()
            - est.weightsBytesPerGpu();
    long pool = sum(est, POOL_BUFFERS);
    long before = sum(est, BEFORE_GRAPHS);
    long graphs = sum(est, GRAPHS);
    long afterGraphs = est.availableAfterLoadBytes() - est.kvPoolBytes() - pool - before - graphs;
    List<PredictedTerm> out = new ArrayList<>();
    out.add(new PredictedTerm(MemoryTerm.PRE_LOAD_FREE, est.preLoadFreeBytes() - prePoolOther));
    out.add(new PredictedTerm(MemoryTerm.WEIGHTS, est.weightsBytesPerGpu()));
    out.add(new PredictedTerm(MemoryTerm.KV_POOL, est.kvPoolBytes()));
    out.add(new PredictedTerm(MemoryTerm.KV_TOKENS, est.kvTokens()));
    out.add(new PredictedTerm(MemoryTerm.REQ_TO_TOKEN_AND_OTHER, pool));
    out.add(new PredictedTerm(MemoryTerm.BETWEEN_POOL_AND_GRAPHS, before));
    out.add(new PredictedTerm(MemoryTerm.CUDA_GRAPH, graphs));
    out.add(new PredictedTerm(MemoryTerm.HEADROOM_AFTER_GRAPHS, Math.max(0, afterGraphs)));
    return List.copyOf(out);
  }

  private static long sum(PreflightReport.Estimate e, Set<TermId> ids) {
    return e.items().stream()
        .filter(i -> ids.contains(i.id()))
        .mapToLong(PreflightReport.Item::bytes)
        .sum();
  }

  /** The first reason: one sentence that says what was decided and why. */
  public String headline() {
    return reasons().getFirst();
  }

  /** Where the requested fraction comes from. */
  public enum FractionSource {
    /** {@code --mem-fraction-static} was given. */
    FLAG("flag"),
    /** SGLang's own default for that version and GPU. */
    SGLANG_DEFAULT("sglang-default");

    private final String label;

    FractionSource(String label) {
      this.label = label;
    }

    /** The label the JSON uses: {@code flag} or {@code sglang-default}. */
    public String label() {
      return label;
    }
  }

  /**
   * The SGLang version the decision models.
   *
   * @param version e.g. {@code 0.4.5.post3} or {@code main}
   * @param versionSource {@code flag}, {@code detected:<path>} or {@code newest}
   * @param profile e.g. {@code P1 (<=0.4.5.x)}
   * @param defaultFraction SGLang's default fraction for this launch
   * @param defaultFractionFormula how SGLang computes it, with the numbers
   * @param defaultFractionSource the SGLang code
   */
  public record Sglang(
      String version,
      String versionSource,
      String profile,
      double defaultFraction,
      String defaultFractionFormula,
      String defaultFractionSource) {}

  /**
   * The model.
   *
   * @param id the {@code --model-path} value (or the catalog id)
   * @param origin {@code local-dir}, {@code hf-cache}, {@code catalog} or {@code config-file}
   * @param location where its facts were read
   * @param architecture e.g. {@code DeepseekV3ForCausalLM}
   * @param tensorsMeasured true when weights come from safetensors headers, false when synthesized
   */
  public record Model(
      String id, String origin, String location, String architecture, boolean tensorsMeasured) {}

  /**
   * One GPU of the launch.
   *
   * @param index the CUDA ordinal SGLang sees
   * @param nvmlIndex the NVML index
   * @param uuid the GPU's (or MIG device's) UUID
   * @param name its name
   * @param pciBusId its PCI bus id
   * @param totalBytes NVML total
   * @param reservedBytes the driver reservation (empty with NVML v1)
   * @param freeBytes NVML free
   * @param usedBytes NVML used (v2: by processes)
   * @param processes compute processes on it
   * @param preLoadFreeBytes T on this GPU: free minus CUDA context and NCCL
   * @param weightsBytes its weights
   * @param kvPoolBytes its KV pool at the requested fraction
   * @param reserveNeededBytes what must fit outside the pool
   * @param headroomBytes what is left after everything, at the requested fraction
   * @param interconnect how it reaches its peers: {@code nvlink}, {@code nvlink-pairs}, {@code
   *     pcie} or {@code unknown}
   * @param interconnectSource where that comes from (NVML and what it answered, a preset, a
   *     snapshot), or why it is unknown
   */
  public record GpuReport(
      int index,
      int nvmlIndex,
      String uuid,
      String name,
      String pciBusId,
      long totalBytes,
      OptionalLong reservedBytes,
      long freeBytes,
      long usedBytes,
      List<Process> processes,
      long preLoadFreeBytes,
      long weightsBytes,
      long kvPoolBytes,
      long reserveNeededBytes,
      long headroomBytes,
      String interconnect,
      String interconnectSource) {
    public GpuReport {
      processes = List.copyOf(processes);
      java.util.Objects.requireNonNull(interconnect, "interconnect");
      java.util.Objects.requireNonNull(interconnectSource, "interconnectSource");
    }
  }

  /**
   * A process on a GPU.
   *
   * @param pid host PID
   * @param usedBytes its memory, if the driver says
   * @param name its name, if visible
   */
  public record Process(long pid, OptionalLong usedBytes, Optional<String> name) {}

  /**
   * One KV pool on the tightest GPU.
   *
   * @param kind {@code kv_cell} (one cell per token for every layer), {@code full_attention},
   *     {@code sliding_window}, {@code mla_latent}, {@code dsa_indexer} or {@code linear_state}
   * @param layers the layers it serves on that GPU
   * @param bytesPerUnit bytes of one unit over those layers
   * @param unit {@code token} or {@code request}
   * @param units how many units it holds
   * @param formula the computation with the numbers
   * @param source the SGLang code it follows
   */
  public record KvPool(
      String kind,
      int layers,
      long bytesPerUnit,
      String unit,
      long units,
      String formula,
      String source) {}

  /**
   * The budget at one fraction.
   *
   * @param fraction the fraction
   * @param preLoadFreeBytes T: free memory SGLang measures before weights (minimum over ranks)
   * @param availableAfterLoadBytes A: free memory after the weights
   * @param weightsBytesPerGpu the heaviest GPU's weights
   * @param weightParts what they consist of
   * @param kvBytesPerToken KV bytes per token per GPU
   * @param kvTokens the KV pool's tokens
   * @param kvPoolBytes the pool's bytes per GPU
   * @param reserveBytes T·(1 − fraction): what SGLang keeps outside the pool
   * @param reserveNeededBytes what must fit there (worst GPU)
   * @param safetyMarginBytes the guard's margin
   * @param headroomBytes the worst GPU's memory left after everything
   * @param worstGpu the CUDA ordinal of that GPU
   * @param overheads what the worst GPU loses before T (context, NCCL)
   * @param prePool what it allocates between T and the pool (weights and friends)
   * @param items what must fit in the reserve on the worst GPU, largest first
   * @param decodeCaptureList the decode CUDA-graph batch sizes
   * @param gpus every GPU's share at this fraction
   */
  public record Estimate(
      double fraction,
      long preLoadFreeBytes,
      long availableAfterLoadBytes,
      long weightsBytesPerGpu,
      List<Item> weightParts,
      long kvBytesPerToken,
      long kvTokens,
      long kvPoolBytes,
      long reserveBytes,
      long reserveNeededBytes,
      long safetyMarginBytes,
      long headroomBytes,
      int worstGpu,
      List<Item> overheads,
      List<Item> prePool,
      List<Item> items,
      List<Integer> decodeCaptureList,
      List<GpuShare> gpus,
      List<KvPool> kvPools) {
    public Estimate {
      gpus = List.copyOf(gpus);
      kvPools = List.copyOf(kvPools);
      weightParts = List.copyOf(weightParts);
      overheads = List.copyOf(overheads);
      prePool = List.copyOf(prePool);
      items = List.copyOf(items);
      decodeCaptureList = List.copyOf(decodeCaptureList);
    }
  }

  /**
   * One GPU's memory at an estimate's fraction.
   *
   * @param index the CUDA ordinal
   * @param preLoadFreeBytes T on this GPU
   * @param prePoolBytes weights and the other allocations before the pool
   * @param kvPoolBytes its KV pool
   * @param reserveNeededBytes what it needs outside the pool
   * @param headroomBytes what is left after everything
   */
  public record GpuShare(
      int index,
      long preLoadFreeBytes,
      long prePoolBytes,
      long kvPoolBytes,
      long reserveNeededBytes,
      long headroomBytes) {}

  /**
   * A budget term.
   *
   * @param id the term's stable id (a weight part carries the weights' id)
   * @param name what the memory is for
   * @param bytes its bytes on one GPU
   * @param formula the computation with the numbers
   * @param source the SGLang code, public log or measurement it follows
   */
  public record Item(TermId id, String name, long bytes, String formula, String source) {
    /** Formula and source in one line. */
    public String basis() {
      return formula + " [" + source + "]";
    }
  }

  /**
   * A change that would make the launch fit, with what it frees and what it costs.
   *
   * @param id the kind of change, stable
   * @param change the change in words, e.g. {@code --cuda-graph-max-bs 128}
   * @param arguments the launch arguments to set (flag and value)
   * @param freesBytes memory it frees on the worst GPU (weights, KV for the minimum, reserve)
   * @param cost what it costs the service
   * @param sufficient true when the launch fits with this change alone
   * @param maxSafeFractionAfter the largest safe fraction with the change
   */
  public record Remedy(
      RemedyId id,
      String change,
      List<String> arguments,
      long freesBytes,
      String cost,
      boolean sufficient,
      OptionalDouble maxSafeFractionAfter) {
    public Remedy {
      Objects.requireNonNull(id, "id");
      arguments = List.copyOf(arguments);
    }
  }
}
