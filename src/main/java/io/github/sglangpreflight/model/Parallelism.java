package io.github.sglangpreflight.model;

/**
 * How an SGLang launch spreads a model over GPUs.
 *
 * <p>Without DP attention, {@code --dp-size N} starts N replicas of {@code tp × pp} GPUs each. With
 * {@code --enable-dp-attention}, DP lives inside the TP group: {@code tp} GPUs in all, attention
 * runs with {@code attn_tp = tp / dp} (weights replicated when that is 1) and the MoE/MLP stays
 * sharded over {@code tp}.
 *
 * @param tpSize {@code --tp-size}
 * @param ppSize {@code --pp-size}
 * @param dpSize {@code --dp-size}
 * @param epSize {@code --ep-size} (1 when expert parallelism is off)
 * @param dpAttention {@code --enable-dp-attention}
 * @param nnodes {@code --nnodes}
 */
public record Parallelism(
    int tpSize, int ppSize, int dpSize, int epSize, boolean dpAttention, int nnodes) {

  public Parallelism {
    requirePositive("tpSize", tpSize);
    requirePositive("ppSize", ppSize);
    requirePositive("dpSize", dpSize);
    requirePositive("epSize", epSize);
    requirePositive("nnodes", nnodes);
    if (dpAttention && tpSize % dpSize != 0) {
      throw new IllegalArgumentException(
          "with DP attention tpSize must be a multiple of dpSize, was tp "
              + tpSize
              + " dp "
              + dpSize);
    }
    if (tpSize % epSize != 0) {
      throw new IllegalArgumentException(
          "tpSize must be a multiple of epSize, was tp " + tpSize + " ep " + epSize);
    }
    if (worldGpus() % nnodes != 0) {
      throw new IllegalArgumentException(
          "the "
              + worldGpus()
              + " GPUs of the launch do not split evenly over "
              + nnodes
              + " nodes");
    }
  }

  /** One GPU, no parallelism. */
  public static Parallelism single() {
    return new Parallelism(1, 1, 1, 1, false, 1);
  }

  /** The TP size attention runs with: {@code tp / dp} under DP attention, else {@code tp}. */
  public int attnTpSize() {
    return dpAttention ? tpSize / dpSize : tpSize;
  }

  /** The number of attention DP groups: {@code dp} under DP attention, else 1. */
  public int attnDpSize() {
    return dpAttention ? dpSize : 1;
  }

  /** The TP size of the MoE experts' weights: {@code tp / ep}. */
  public int moeTpSize() {
    return tpSize / epSize;
  }

  /** GPUs the whole launch uses over all nodes. */
  public int worldGpus() {
    return dpAttention ? tpSize * ppSize : tpSize * ppSize * dpSize;
  }

  /** GPUs the launch uses on each node. */
  public int gpusPerNode() {
    return worldGpus() / nnodes;
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
  }
}
