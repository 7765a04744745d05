package io.github.sglangpreflight.launch;

/** The start-up failures SGLang (or torch under it) reports in its output. */
public enum StartupFailureKind {
  /**
   * {@code Not enough memory. Please try to increase --mem-fraction-static.}: the static pool left
   * no token for the KV cache after the weights (v0.1 to main; main appends {@code Current value:
   * mem_fraction_static=…}; 0.1.x spelled it {@code Not enought memory}). The fix is a larger
   * fraction, more GPUs or a smaller model.
   */
  NOT_ENOUGH_MEMORY,
  /**
   * Main since 2026-06: {@code Loaded weights leave no GPU memory for the KV cache under
   * --mem-fraction-static=X. Raise --mem-fraction-static above Y …}.
   */
  NO_MEMORY_FOR_KV_CACHE,
  /**
   * {@code Capture cuda graph failed: …} (any graph: decode, piecewise/prefill, draft): usually a
   * CUDA out-of-memory error, whose figures are then on the same line. The fix is a smaller
   * fraction or fewer captured batch sizes.
   */
  CUDA_GRAPH_CAPTURE_FAILED,
  /** Torch's {@code CUDA out of memory. Tried to allocate …} outside a graph-capture message. */
  CUDA_OUT_OF_MEMORY,
  /**
   * {@code The memory capacity is unbalanced. Some GPUs may be occupied by other processes.}: the
   * smallest free memory over the TP group is below 90 % of this GPU's. Fatal when raised (up to
   * 0.5.x by default), a warning on main unless {@code SGLANG_ENABLE_TP_MEMORY_INBALANCE_CHECK}.
   */
  MEMORY_CAPACITY_UNBALANCED
}
