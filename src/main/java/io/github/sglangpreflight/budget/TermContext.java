package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.KvCacheLayout;
import io.github.sglangpreflight.model.KvPoolLayout;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.WeightsPerGpu;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.sglang.version.SglangFacts;
import io.github.sglangpreflight.term.Phase;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link BudgetTerm} may read, per phase: the launch (the same for every term) and what the
 * phase knows about one GPU. Values only; built by {@link BudgetModel}.
 */
sealed interface TermContext {

  /** The launch, resolved: every term may read it. */
  Launch launch();

  /** The phase the term is evaluated in (a term registered in two phases asks). */
  Phase phase();

  default LaunchPlan plan() {
    return launch().plan();
  }

  default SglangFacts facts() {
    return launch().plan().facts();
  }

  default ModelSpec spec() {
    return launch().model().spec();
  }

  /**
   * The launch as the budget resolved it.
   *
   * @param plan the launch's resolved settings
   * @param model the served model
   * @param draftModel the speculative draft model, when the launch names one and it is described
   * @param weights the weights per pipeline stage and rank
   * @param kv the KV cache layout of the target model
   */
  record Launch(
      LaunchPlan plan,
      ModelDescription model,
      Optional<ModelDescription> draftModel,
      WeightsPerGpu weights,
      KvCacheLayout kv,
      Optional<PoolSizing> pools) {

    /** A launch whose pool is one cell per token (no hybrid SWA or state pool). */
    Launch(
        LaunchPlan plan,
        ModelDescription model,
        Optional<ModelDescription> draftModel,
        WeightsPerGpu weights,
        KvCacheLayout kv) {
      this(plan, model, draftModel, weights, kv, Optional.empty());
    }
  }

  /**
   * SGLang's split of the pool budget where it is not one cell per token: hybrid SWA pools or a
   * linear-attention state pool, on one pipeline stage without speculative decoding.
   *
   * @param layout the pools
   * @param sizing the ratios and caps from the flags
   */
  record PoolSizing(KvPoolLayout layout, KvPoolLayout.Sizing sizing) {}

  /** Before T: one GPU of the launch. */
  record BeforeT(Launch launch, BudgetModel.GpuSlot gpu) implements TermContext {
    @Override
    public Phase phase() {
      return Phase.BEFORE_T;
    }
  }

  /**
   * Between T and the pool, on one GPU.
   *
   * @param ppRank the pipeline stage the GPU serves
   * @param notes where a term adds a sentence about an assumption it made (the first GPU's only)
   */
  record StaticPool(Launch launch, int ppRank, List<String> notes) implements TermContext {
    @Override
    public Phase phase() {
      return Phase.STATIC_POOL;
    }
  }

  /**
   * The KV pool of one GPU at one fraction.
   *
   * @param ppRank the pipeline stage the GPU serves
   * @param kvTokens the pool's tokens as SGLang reports them (0: SGLang refuses to start)
   * @param allocTokens the tokens SGLang allocates (the speculative extra included)
   */
  record Pool(Launch launch, int ppRank, long kvTokens, long allocTokens) implements TermContext {
    @Override
    public Phase phase() {
      return Phase.KV_POOL;
    }
  }

  /**
   * Outside the static pool, on one GPU at one fraction.
   *
   * @param ppRank the pipeline stage the GPU serves
   * @param kvTokens the KV tokens SGLang allocates on it
   * @param requestRows the request-to-token table's rows
   * @param maxRunningPerRank the requests that may run at once on it
   * @param captureList the decode CUDA-graph batch sizes SGLang captures (empty: no graphs)
   * @param firstRankOnNode whether it runs the node's once-per-node work (DeepGEMM warm-up)
   * @param preWarmupAvailableBytes free memory left after the pool and the pool buffers (what a
   *     warm-up may use)
   */
  record Reserve(
      Launch launch,
      int ppRank,
      long kvTokens,
      int requestRows,
      int maxRunningPerRank,
      List<Integer> captureList,
      boolean firstRankOnNode,
      long preWarmupAvailableBytes)
      implements TermContext {
    public Reserve {
      captureList = List.copyOf(captureList);
    }

    @Override
    public Phase phase() {
      return Phase.RESERVE;
    }

    /** The decoder layers on this GPU's stage. */
    public int layersOnRank() {
      return launch.weights().stages().get(ppRank).layers();
    }

    /** The same GPU with what the warm-up may use. */
    Reserve withPreWarmupAvailableBytes(long bytes) {
      return new Reserve(
          launch,
          ppRank,
          kvTokens,
          requestRows,
          maxRunningPerRank,
          captureList,
          firstRankOnNode,
          bytes);
    }
  }
}
