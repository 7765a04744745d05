package io.github.sglangpreflight.term;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The stable identity of one budget term. Reports, the JSON schema, remedies and the wrapper's
 * predicted-versus-actual comparison name terms by these ids, never by their display labels; a
 * label may be reworded, an id may not (it is part of {@code sglang-preflight/report/v1}).
 */
public enum TermId {
  CUDA_CONTEXT("cuda-context", "CUDA context", Phase.BEFORE_T),
  NCCL_TP_GROUP("nccl-tp-group", "NCCL communicator (TP group)", Phase.BEFORE_T),
  NCCL_PP_GROUP("nccl-pp-group", "NCCL communicator (PP group)", Phase.BEFORE_T),
  CUSTOM_ALL_REDUCE("custom-all-reduce", "custom all-reduce buffers", Phase.BEFORE_T),
  WEIGHTS("weights", "model weights", Phase.STATIC_POOL),
  NCCL_DEFAULT_GROUP("nccl-default-group", "NCCL communicator (default group)", Phase.STATIC_POOL),
  LORA_POOL("lora-pool", "LoRA adapter pool", Phase.STATIC_POOL),
  DRAFT_WEIGHTS("draft-weights", "draft model weights", Phase.STATIC_POOL),
  MULTIMODAL_CACHE("multimodal-cache", "multimodal cache reservation", Phase.STATIC_POOL),
  KV_POOL("kv-pool", "KV cache pool", Phase.KV_POOL),
  REQUEST_TABLE("request-table", "request-to-token table", Phase.RESERVE),
  KV_FREE_LIST("kv-free-list", "KV free list", Phase.RESERVE),
  EAGER_INPUT_BUFFERS("eager-input-buffers", "eager input buffers", Phase.RESERVE),
  ATTENTION_WORKSPACE("attention-workspace", "attention backend workspace", Phase.RESERVE),
  CUBLAS_WORKSPACE("cublas-workspace", "cuBLAS workspace", Phase.RESERVE),
  DEEPGEMM_WARMUP("deepgemm-warmup", "JIT DeepGEMM warm-up", Phase.RESERVE),
  CUDA_GRAPH_DECODE("cuda-graph-decode", "CUDA-graph capture", Phase.RESERVE),
  CUDA_GRAPH_DP_ATTENTION(
      "cuda-graph-dp-attention", "CUDA-graph capture under DP attention", Phase.RESERVE),
  CUDA_GRAPH_PREFILL("cuda-graph-prefill", "prefill CUDA graphs", Phase.RESERVE),
  PREFILL_ACTIVATIONS("prefill-activations", "prefill activations", Phase.RESERVE),
  DECODE_SAMPLING("decode-sampling", "decode logits and sampling", Phase.RESERVE),
  NCCL_LAZY("nccl-lazy", "NCCL buffers created after start", Phase.AFTER_START),
  SYMMETRIC_MEMORY("symmetric-memory", "symmetric memory", Phase.RESERVE),
  DEEPEP_BUFFERS("deepep-buffers", "DeepEP buffers", Phase.AFTER_START),
  TORCH_COMPILE("torch-compile", "torch.compile", Phase.RESERVE),
  DRAFT_KV_CACHE("draft-kv-cache", "draft KV cache", Phase.RESERVE),
  DRAFT_CUDA_GRAPHS("draft-cuda-graphs", "draft CUDA graphs", Phase.RESERVE),
  MM_FEATURE_POOL("mm-feature-pool", "multimodal feature transport pool", Phase.STATIC_POOL);

  private static final Map<String, TermId> BY_ID =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(TermId::id, Function.identity()));

  private final String id;
  private final String label;
  private final Phase phase;

  TermId(String id, String label, Phase phase) {
    this.id = id;
    this.label = label;
    this.phase = phase;
  }

  /** The stable id, kebab-case, as the JSON report writes it: {@code cuda-graph-decode}. */
  public String id() {
    return id;
  }

  /** Words for people: {@code CUDA-graph capture}. May be reworded between releases. */
  public String label() {
    return label;
  }

  /**
   * When the term takes its memory. {@link #DRAFT_WEIGHTS} is {@link Phase#STATIC_POOL} where
   * SGLang loads the draft before the pool (main from 2026-06-21) and outside the pool before; the
   * term itself decides from the version.
   */
  public Phase phase() {
    return phase;
  }

  /** The term with that stable id. */
  public static Optional<TermId> byId(String id) {
    return Optional.ofNullable(BY_ID.get(id));
  }
}
