package io.github.sglangpreflight.launch;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One start-up line of SGLang, typed. Memory is in bytes (SGLang's "GB" is GiB, converted exactly
 * from the two printed decimals); a figure a version does not print is empty.
 *
 * <p>Produced by {@link StartupLogParser#parse(String)}; accumulated by {@link StartupObservation}.
 */
sealed interface StartupEvent {

  /** The worker the line names in its prefix, or {@link Rank#UNLABELED}. */
  Rank rank();

  /** The line as printed, without its line terminator. */
  String line();

  /** The {@link StartupStage} this line marks, if it is a milestone. */
  default Optional<StartupStage> stage() {
    return Optional.empty();
  }

  /**
   * {@code Init torch distributed ends. [elapsed=… s, ]mem usage=… GB} (v0.4.4 to main; {@code
   * elapsed=} since 2026-01).
   *
   * @param memUsageBytes free memory the NCCL/torch distributed set-up took on this GPU
   */
  record TorchDistributedReady(
      Rank rank, String line, OptionalLong memUsageBytes, OptionalDouble elapsedSeconds)
      implements StartupEvent {
    public TorchDistributedReady {
      requireCommon(rank, line);
      Objects.requireNonNull(memUsageBytes, "memUsageBytes");
      Objects.requireNonNull(elapsedSeconds, "elapsedSeconds");
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.TORCH_DISTRIBUTED_READY);
    }
  }

  /**
   * {@code Load weight begin. avail mem=… GB}: the free memory SGLang sizes the static pool from.
   */
  record WeightLoadBegin(Rank rank, String line, long availBytes) implements StartupEvent {
    public WeightLoadBegin {
      requireCommon(rank, line);
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.LOADING_WEIGHTS);
    }
  }

  /**
   * {@code Load weight end. [elapsed=… s, ]type=…, [dtype=…, |quant=…, ]avail mem=… GB[, mem
   * usage=… GB.]}; {@code mem usage} since 2025-03, {@code elapsed=} since 2026-01.
   */
  record WeightLoadEnd(
      Rank rank,
      String line,
      long availBytes,
      OptionalLong memUsageBytes,
      OptionalDouble elapsedSeconds)
      implements StartupEvent {
    public WeightLoadEnd {
      requireCommon(rank, line);
      Objects.requireNonNull(memUsageBytes, "memUsageBytes");
      Objects.requireNonNull(elapsedSeconds, "elapsedSeconds");
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.WEIGHTS_LOADED);
    }
  }

  /**
   * {@code [Full |SWA ]KV Cache is allocated. [dtype: …, ][#tokens: N, ]K size: … GB, V size: … GB}
   * or {@code …, KV size: … GB} (MLA), and main's opt-in {@code Post-capture KV sizing: KV cache
   * allocated. dtype: …, #tokens: N, KV size: … GB, avail mem=… GB}.
   *
   * @param tokens {@code #tokens} (printed since 2025-03)
   * @param kBytes K buffers, MHA pools
   * @param vBytes V buffers, MHA pools
   * @param kvBytes the single KV figure of MLA and post-capture pools
   * @param dtype KV cache dtype as printed since 2026-05, e.g. {@code torch.bfloat16}
   * @param poolLabel {@code Full} or {@code SWA} for hybrid sliding-window pools
   * @param afterGraphCapture main's post-capture sizing, where the pool is backed after the graphs
   * @param availBytes free memory after the allocation, post-capture line only
   */
  record KvCacheAllocated(
      Rank rank,
      String line,
      OptionalLong tokens,
      OptionalLong kBytes,
      OptionalLong vBytes,
      OptionalLong kvBytes,
      Optional<String> dtype,
      Optional<String> poolLabel,
      boolean afterGraphCapture,
      OptionalLong availBytes)
      implements StartupEvent {
    public KvCacheAllocated {
      requireCommon(rank, line);
      Objects.requireNonNull(tokens, "tokens");
      Objects.requireNonNull(kBytes, "kBytes");
      Objects.requireNonNull(vBytes, "vBytes");
      Objects.requireNonNull(kvBytes, "kvBytes");
      Objects.requireNonNull(dtype, "dtype");
      Objects.requireNonNull(poolLabel, "poolLabel");
      Objects.requireNonNull(availBytes, "availBytes");
      if (kvBytes.isEmpty() && (kBytes.isEmpty() || vBytes.isEmpty())) {
        throw new IllegalArgumentException("a KV cache line needs K and V sizes or a KV size");
      }
    }

    /** K plus V, or the single KV size. */
    public long totalBytes() {
      return kvBytes.isPresent() ? kvBytes.getAsLong() : kBytes.getAsLong() + vBytes.getAsLong();
    }

    @Override
    public Optional<StartupStage> stage() {
      return afterGraphCapture ? Optional.empty() : Optional.of(StartupStage.KV_CACHE_ALLOCATED);
    }
  }

  /** {@code Memory pool end. avail mem=… GB}: free memory after the KV and request pools. */
  record MemoryPoolEnd(Rank rank, String line, long availBytes) implements StartupEvent {
    public MemoryPoolEnd {
      requireCommon(rank, line);
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.MEMORY_POOL_READY);
    }
  }

  /**
   * The scheduler's {@code max_total_num_tokens=N, chunked_prefill_size=…, max_prefill_tokens=…,
   * max_running_requests=…, context_len=…[, available_gpu_mem=… GB]} ({@code available_gpu_mem}
   * since 2025-05-31; printed by TP rank 0 only on main).
   *
   * @param chunkedPrefillSize empty when printed as None or a non-positive value (disabled)
   */
  record SchedulerLimits(
      Rank rank,
      String line,
      long maxTotalNumTokens,
      OptionalLong chunkedPrefillSize,
      OptionalLong maxRunningRequests,
      OptionalLong contextLen,
      OptionalLong availableGpuMemBytes)
      implements StartupEvent {
    public SchedulerLimits {
      requireCommon(rank, line);
      Objects.requireNonNull(chunkedPrefillSize, "chunkedPrefillSize");
      Objects.requireNonNull(maxRunningRequests, "maxRunningRequests");
      Objects.requireNonNull(contextLen, "contextLen");
      Objects.requireNonNull(availableGpuMemBytes, "availableGpuMemBytes");
    }
  }

  /**
   * {@code Capture <graph> begin. …avail mem=… GB}: {@code cuda graph} (to mid-2026), {@code draft
   * cuda graph}, {@code piecewise CUDA graph} (2025-11 to 2026-06), {@code target decode CUDA
   * graph}, {@code target prefill CUDA graph}, {@code draft extend CUDA graph} … (main).
   *
   * @param graph the words between {@code Capture} and {@code begin}, as printed
   * @param availBytes free memory before the capture (printed since 2025-03)
   */
  record GraphCaptureBegin(Rank rank, String line, String graph, OptionalLong availBytes)
      implements StartupEvent {
    public GraphCaptureBegin {
      requireCommon(rank, line);
      Objects.requireNonNull(graph, "graph");
      Objects.requireNonNull(availBytes, "availBytes");
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.CAPTURING_GRAPHS);
    }
  }

  /**
   * {@code Capture <graph> end. Time elapsed: … s[. avail mem=… GB. mem usage=… GB.]} (to 2026-06,
   * the two figures swapped places in 2025-04) or {@code Capture <graph> end. elapsed=… s, mem
   * usage=… GB, avail mem=… GB.} (main).
   */
  record GraphCaptureEnd(
      Rank rank,
      String line,
      String graph,
      OptionalDouble elapsedSeconds,
      OptionalLong memUsageBytes,
      OptionalLong availBytes)
      implements StartupEvent {
    public GraphCaptureEnd {
      requireCommon(rank, line);
      Objects.requireNonNull(graph, "graph");
      Objects.requireNonNull(elapsedSeconds, "elapsedSeconds");
      Objects.requireNonNull(memUsageBytes, "memUsageBytes");
      Objects.requireNonNull(availBytes, "availBytes");
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.GRAPHS_CAPTURED);
    }
  }

  /**
   * JIT DeepGEMM warm-up on main (since 2025-12): {@code Required memory for warmup: XGB, Available
   * memory: YGB} and, when it does not fit, {@code Available memory YGB is less than required
   * memory XGB for warmup, reducing max_m to M …}.
   *
   * @param reducedMaxM the {@code max_m} SGLang fell back to, on the second wording
   */
  record DeepGemmWarmup(
      Rank rank, String line, long requiredBytes, long availableBytes, OptionalLong reducedMaxM)
      implements StartupEvent {
    public DeepGemmWarmup {
      requireCommon(rank, line);
      Objects.requireNonNull(reducedMaxM, "reducedMaxM");
    }
  }

  /**
   * A start-up failure, with the figures the line carries.
   *
   * @param fatal false for the unbalanced-memory warning that main logs instead of raising
   * @param requestedBytes torch's {@code Tried to allocate}
   * @param gpuIndex torch's {@code GPU N} (the index inside the process's visible devices)
   * @param totalCapacityBytes torch's total capacity of that GPU
   * @param freeBytes torch's free memory of that GPU
   * @param memFractionStatic the fraction in use, when the line says it
   * @param minimumMemFractionStatic the fraction SGLang asks to raise above ({@link
   *     StartupFailureKind#NO_MEMORY_FOR_KV_CACHE})
   */
  record Failure(
      Rank rank,
      String line,
      StartupFailureKind kind,
      boolean fatal,
      OptionalLong requestedBytes,
      OptionalInt gpuIndex,
      OptionalLong totalCapacityBytes,
      OptionalLong freeBytes,
      OptionalDouble memFractionStatic,
      OptionalDouble minimumMemFractionStatic)
      implements StartupEvent {
    public Failure {
      requireCommon(rank, line);
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(requestedBytes, "requestedBytes");
      Objects.requireNonNull(gpuIndex, "gpuIndex");
      Objects.requireNonNull(totalCapacityBytes, "totalCapacityBytes");
      Objects.requireNonNull(freeBytes, "freeBytes");
      Objects.requireNonNull(memFractionStatic, "memFractionStatic");
      Objects.requireNonNull(minimumMemFractionStatic, "minimumMemFractionStatic");
    }

    /** Whether the line is a CUDA out-of-memory error (its requested size was read). */
    public boolean outOfMemory() {
      return requestedBytes.isPresent();
    }
  }

  /** Uvicorn's {@code Uvicorn running on http://HOST:PORT (Press CTRL+C to quit)}. */
  record HttpListening(Rank rank, String line, String url) implements StartupEvent {
    public HttpListening {
      requireCommon(rank, line);
      Objects.requireNonNull(url, "url");
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.HTTP_LISTENING);
    }
  }

  /** {@code The server is fired up and ready to roll!}: the warm-up request succeeded. */
  record ServerReady(Rank rank, String line) implements StartupEvent {
    public ServerReady {
      requireCommon(rank, line);
    }

    @Override
    public Optional<StartupStage> stage() {
      return Optional.of(StartupStage.READY);
    }
  }

  private static void requireCommon(Rank rank, String line) {
    Objects.requireNonNull(rank, "rank");
    Objects.requireNonNull(line, "line");
  }
}
