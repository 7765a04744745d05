package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import java.util.Locale;
import java.util.Optional;

/**
 * The LoRA adapter pool: allocated before the KV pool, so SGLang counts it against the static pool.
 * An estimate: the target modules are assumed to be every linear layer.
 */
final class LoraPoolTerm implements BudgetTerm<TermContext.StaticPool> {

  /** The rank assumed when the launch gives no {@code --max-lora-rank}. */
  static final int DEFAULT_RANK = 64;

  @Override
  public TermId id() {
    return TermId.LORA_POOL;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.StaticPool c) {
    if (c.plan().lora().isEmpty()) {
      return Optional.empty();
    }
    LaunchPlan.Lora lora = c.plan().lora().get();
    int rank = lora.maxRank().orElse(DEFAULT_RANK);
    if (lora.maxRank().isEmpty()) {
      c.notes().add("LoRA rank unknown (no --max-lora-rank): the adapter pool assumes rank 64");
    }
    ModelSpec spec = c.spec();
    long h = spec.hiddenSize();
    long q = (long) spec.numAttentionHeads() * spec.headDim();
    long kvw = (long) spec.numKeyValueHeads() * spec.headDim();
    long inter = spec.denseIntermediateSize().orElse(4 * spec.hiddenSize());
    long perLayer = (h + q) + 2 * (h + kvw) + (q + h) + 2 * (h + inter) + (inter + h);
    int tp = c.plan().parallelism().tpSize();
    long layers = c.launch().weights().worstRank().layers();
    long bytes = (long) lora.maxLorasPerBatch() * rank * perLayer * layers * 2 / tp;
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            String.format(
                Locale.ROOT,
                "%d slots x rank %d x %d layers x (in + out of q,k,v,o,gate,up,down = %d) x 2 B"
                    + " / tp %d",
                lora.maxLorasPerBatch(),
                rank,
                layers,
                perLayer,
                tp),
            "lora/mem_pool.py @main (allocated before the pool, so SGLang counts it against the KV"
                + " budget); estimate: target modules assumed to be every linear layer"));
  }
}
