package io.github.sglangpreflight.decision;

/**
 * The stable identity of a remedy: one kind of change to a rejected launch that frees GPU memory.
 * The JSON report writes it as {@code remedies[].id} and in {@code reasonDetails[].remedies}.
 */
public enum RemedyId {
  /** {@code --cuda-graph-max-bs N}: capture decode graphs for smaller batches only. */
  LOWER_CUDA_GRAPH_MAX_BS("lower-cuda-graph-max-bs"),
  /** {@code --disable-cuda-graph}. */
  DISABLE_CUDA_GRAPH("disable-cuda-graph"),
  /** {@code --kv-cache-dtype fp8_e4m3}. */
  FP8_KV_CACHE("fp8-kv-cache"),
  /** {@code --context-length N}: half the context length. */
  LOWER_CONTEXT_LENGTH("lower-context-length"),
  /** {@code --chunked-prefill-size N}: half the prefill chunk. */
  LOWER_CHUNKED_PREFILL("lower-chunked-prefill"),
  /** {@code --max-running-requests 256}. */
  CAP_RUNNING_REQUESTS("cap-running-requests"),
  /** Drop {@code --enable-dp-attention} and {@code --dp-size}. */
  DROP_DP_ATTENTION("drop-dp-attention"),
  /** {@code --tp-size 2N}: twice the GPUs per replica. */
  MORE_TP("more-tp"),
  /** {@code --quantization fp8}: fp8 weights. */
  FP8_WEIGHTS("fp8-weights"),
  /** Stop another process that holds memory on one of the launch's GPUs. */
  STOP_OTHER_PROCESS("stop-other-process");

  private final String id;

  RemedyId(String id) {
    this.id = id;
  }

  /** The stable id, kebab-case, as the JSON report writes it: {@code fp8-kv-cache}. */
  public String id() {
    return id;
  }
}
