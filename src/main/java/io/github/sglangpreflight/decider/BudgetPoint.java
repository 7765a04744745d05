package io.github.sglangpreflight.decider;

import java.util.List;
import java.util.Objects;

/**
 * The memory budget at one {@code --mem-fraction-static}, reduced to the numbers a decision speaks
 * of. All bytes are on the worst GPU (the one with the least headroom).
 *
 * @param fraction the fraction the budget is evaluated at
 * @param reserveBytes T·(1 − fraction): what SGLang leaves outside its static pool
 * @param reserveNeededBytes what must fit there
 * @param safetyMarginBytes the guard's margin on top
 * @param kvTokens the KV pool's tokens (0 when SGLang would refuse to start)
 * @param weightsBytesPerGpu the heaviest GPU's weights
 * @param worstGpu the CUDA ordinal of the worst GPU
 * @param worstGpuName its name
 * @param largestReserveTerms the largest terms that must fit in the reserve, largest first
 */
public record BudgetPoint(
    double fraction,
    long reserveBytes,
    long reserveNeededBytes,
    long safetyMarginBytes,
    long kvTokens,
    long weightsBytesPerGpu,
    int worstGpu,
    String worstGpuName,
    List<TermBytes> largestReserveTerms) {
  public BudgetPoint {
    Objects.requireNonNull(worstGpuName, "worstGpuName");
    largestReserveTerms = List.copyOf(largestReserveTerms);
  }

  /** True when SGLang would refuse to start: the KV pool has no token. */
  public boolean poolEmpty() {
    return kvTokens <= 0;
  }
}
