package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.term.TermId;
import java.util.List;
import java.util.Objects;

/**
 * The predicted memory of one SGLang launch on this node's GPUs at one {@code
 * --mem-fraction-static}: every byte explained. Produced by {@link BudgetModel#at(double)}.
 *
 * @param fraction the fraction the budget is evaluated at
 * @param preLoadFreeBytes T: the free memory SGLang measures before loading weights (minimum over
 *     the ranks of the worst group on this node)
 * @param availableAfterLoadBytes A: free memory after weights and the other pre-pool allocations
 * @param weightsBytesPerGpu the weights of the heaviest GPU
 * @param weightParts what those weights consist of
 * @param kvBytesPerToken bytes one token of KV cache takes on one GPU (worst stage)
 * @param kvTokens the KV pool's token count (minimum over groups), 0 when SGLang would refuse
 * @param kvPoolBytes the largest KV pool on one GPU
 * @param sglangReserveBytes T·(1 − fraction): what SGLang leaves outside its static pool
 * @param reserveNeededBytes what must fit there on the worst GPU
 * @param safetyMarginBytes the guard's margin on top
 * @param worstGpu the GPU with the least headroom
 * @param gpus per GPU of the launch on this node
 * @param decodeCaptureList the decode CUDA-graph batch sizes SGLang would capture
 */
public record MemoryBudget(
    double fraction,
    long preLoadFreeBytes,
    long availableAfterLoadBytes,
    long weightsBytesPerGpu,
    List<BudgetItem> weightParts,
    long kvBytesPerToken,
    long kvTokens,
    long kvPoolBytes,
    long sglangReserveBytes,
    long reserveNeededBytes,
    long safetyMarginBytes,
    GpuBudget worstGpu,
    List<GpuBudget> gpus,
    List<Integer> decodeCaptureList,
    List<PoolShare> kvPools) {

  /**
   * One KV pool on the tightest GPU: what it holds and how many units (tokens or requests).
   *
   * @param kind {@code kv_cell} (one cell per token), or a {@code KvPoolLayout.Kind} in lower case
   * @param layers the layers it serves on the GPU
   * @param bytesPerUnit bytes of one token (or request) over those layers
   * @param unit {@code token} or {@code request}
   * @param units how many it holds
   * @param formula the computation with the numbers
   * @param source the SGLang code it follows
   */
  public record PoolShare(
      String kind,
      int layers,
      long bytesPerUnit,
      String unit,
      long units,
      String formula,
      String source) {}

  public MemoryBudget {
    kvPools = List.copyOf(kvPools);
    weightParts = List.copyOf(weightParts);
    gpus = List.copyOf(gpus);
    decodeCaptureList = List.copyOf(decodeCaptureList);
    Objects.requireNonNull(worstGpu, "worstGpu");
  }

  /** The worst GPU's reserve terms: everything that must fit in {@code T·(1 − fraction)}. */
  public List<BudgetItem> reserveItems() {
    return worstGpu.reserveItems();
  }

  /** True when SGLang would refuse to start: the KV pool has no token. */
  public boolean poolEmpty() {
    return kvTokens <= 0;
  }

  /** True when every GPU keeps at least the safety margin free. */
  public boolean safe() {
    return !poolEmpty() && gpus.stream().allMatch(g -> g.headroomBytes() >= safetyMarginBytes);
  }

  /**
   * One GPU of the launch.
   *
   * @param cudaOrdinal the CUDA device ordinal SGLang sees
   * @param uuid the GPU's UUID
   * @param name its NVML name
   * @param ppRank the pipeline stage it serves
   * @param freeBytes NVML free memory now
   * @param overheadItems allocated before T: CUDA context, NCCL communicators, all-reduce buffers
   * @param preLoadFreeBytes T on this GPU: free minus the overheads
   * @param prePoolItems allocated between T and the pool: weights and friends
   * @param kvPoolBytes its KV pool
   * @param reserveItems what comes out of the reserve on this GPU
   * @param reserveNeededBytes their peak (a warm-up freed before capture counts once)
   * @param headroomBytes what is left after everything: must stay above the safety margin
   */
  public record GpuBudget(
      int cudaOrdinal,
      String uuid,
      String name,
      int ppRank,
      long freeBytes,
      List<BudgetItem> overheadItems,
      long preLoadFreeBytes,
      List<BudgetItem> prePoolItems,
      long kvPoolBytes,
      List<BudgetItem> reserveItems,
      long reserveNeededBytes,
      long headroomBytes) {

    public GpuBudget {
      overheadItems = List.copyOf(overheadItems);
      prePoolItems = List.copyOf(prePoolItems);
      reserveItems = List.copyOf(reserveItems);
    }

    /** The sum of the pre-pool items (weights included). */
    public long prePoolBytes() {
      return prePoolItems.stream().mapToLong(BudgetItem::bytes).sum();
    }

    /** The bytes of the weights item. */
    public long weightsBytes() {
      return prePoolItems.stream()
          .filter(i -> i.id() == TermId.WEIGHTS)
          .mapToLong(BudgetItem::bytes)
          .sum();
    }
  }
}
