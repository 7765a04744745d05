package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.units.Units.MIB;

import io.github.sglangpreflight.term.TermId;
import java.util.Optional;

/**
 * The GPU pool of the cuda_ipc multimodal feature transport: {@code SGLANG_MM_FEATURE_CACHE_MB}
 * reserved on the base GPU before the KV pool is sized ({@link
 * io.github.sglangpreflight.plan.LaunchPlan#mmFeatureCacheMib()} decides when). The pool size is
 * the minimum over the ranks, so the one GPU's reservation shrinks every rank's pool: the term
 * counts it on every GPU.
 */
final class MmFeaturePoolTerm implements BudgetTerm<TermContext.StaticPool> {

  @Override
  public TermId id() {
    return TermId.MM_FEATURE_POOL;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.StaticPool c) {
    int mib = c.plan().mmFeatureCacheMib();
    if (mib <= 0) {
      return Optional.empty();
    }
    return Optional.of(
        new BudgetItem(
            id(),
            mib * MIB,
            "SGLANG_MM_FEATURE_CACHE_MB " + mib + " MiB (cuda_ipc feature transport)",
            c.facts().multimodalFeatureTransportAuto()
                ? "--mm-feature-transport resolves to cuda_ipc on one CUDA node (0.5.17+); a public"
                    + " v0.5.16 -> v0.5.17 upgrade note measured the pool shrinking by 1024 MiB"
                : "SGLANG_USE_CUDA_IPC_TRANSPORT=1 (environ.py: 4096 MiB unless"
                    + " SGLANG_MM_FEATURE_CACHE_MB is set)"));
  }
}
