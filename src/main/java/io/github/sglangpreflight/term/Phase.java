package io.github.sglangpreflight.term;

/**
 * When, relative to SGLang's own accounting, a budget term takes its memory. SGLang measures T (the
 * free memory before it loads weights), fills {@code T × mem_fraction_static} with the weights and
 * the KV pool, and leaves {@code T × (1 − mem_fraction_static)} for everything after.
 */
public enum Phase {
  /**
   * Allocated before SGLang reads T: it lowers T itself (CUDA context, the first communicators).
   */
  BEFORE_T,
  /** Allocated between T and the KV pool: it shares the static pool with the pool (weights …). */
  STATIC_POOL,
  /** The KV pool itself: whatever the static pool leaves. */
  KV_POOL,
  /**
   * Allocated after the pool during start-up: it must fit in {@code T × (1 − fraction)}. The pool
   * buffers come first, then a warm-up that a version may free before the rest (the budget counts
   * the peak, not the sum).
   */
  RESERVE,
  /** Allocated lazily once serving starts (first dispatch, first large batch): also reserve. */
  AFTER_START
}
