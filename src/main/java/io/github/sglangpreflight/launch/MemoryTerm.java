package io.github.sglangpreflight.launch;

/**
 * The memory terms of an SGLang start-up that its log lets one measure per rank, in the order they
 * happen. Each is a number of bytes except {@link #KV_TOKENS}.
 */
public enum MemoryTerm {
  /** Free memory that {@code Init torch distributed ends} reports the set-up took (NCCL, CUDA). */
  TORCH_DISTRIBUTED("torch distributed", Unit.BYTES),
  /**
   * Free memory at {@code Load weight begin}: the T that SGLang sizes the static pool from (static
   * pool = T × {@code --mem-fraction-static}).
   */
  PRE_LOAD_FREE("free before load", Unit.BYTES),
  /**
   * {@code mem usage} at {@code Load weight end}; for versions that do not print it (before
   * 2025-03), free memory at load begin minus at load end.
   */
  WEIGHTS("weights", Unit.BYTES),
  /** K plus V (or the MLA KV size) of the KV cache pools. */
  KV_POOL("KV pool", Unit.BYTES),
  /** {@code #tokens} of the KV cache, or the scheduler's {@code max_total_num_tokens}. */
  KV_TOKENS("KV tokens", Unit.TOKENS),
  /**
   * Free memory at load end, minus the KV pool, minus free memory at {@code Memory pool end}: the
   * request-to-token table ({@code max_running_requests × context_len × 4} bytes) and smaller
   * buffers.
   */
  REQ_TO_TOKEN_AND_OTHER("request table and other", Unit.BYTES),
  /**
   * Free memory at {@code Memory pool end} minus at the first graph capture's begin: attention
   * backend workspaces and other allocations the log does not name.
   */
  BETWEEN_POOL_AND_GRAPHS("between pool and graphs", Unit.BYTES),
  /** Sum of {@code mem usage} of every graph capture (decode, prefill/piecewise, draft …). */
  CUDA_GRAPH("CUDA graphs", Unit.BYTES),
  /**
   * Free memory after the last graph capture (or after main's post-capture KV sizing): what is left
   * for activations at serving time.
   */
  HEADROOM_AFTER_GRAPHS("headroom after graphs", Unit.BYTES);

  /** What a term's value counts. */
  public enum Unit {
    BYTES,
    TOKENS
  }

  private final String label;
  private final Unit unit;

  MemoryTerm(String label, Unit unit) {
    this.label = label;
    this.unit = unit;
  }

  /** Lower-case words for tables, e.g. {@code KV pool}. */
  public String label() {
    return label;
  }

  public Unit unit() {
    return unit;
  }
}
