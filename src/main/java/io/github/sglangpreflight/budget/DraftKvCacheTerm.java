package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.model.KvCacheLayout;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Optional;

/**
 * The speculative draft's KV pool where SGLang leaves it unbudgeted (before main 2026-06-12): it
 * reuses the target pool's token count and is allocated after it. The MTP layer's cell, or the
 * draft model's over the target's TP.
 */
final class DraftKvCacheTerm implements BudgetTerm<TermContext.Reserve> {

  @Override
  public TermId id() {
    return TermId.DRAFT_KV_CACHE;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Reserve c) {
    LaunchPlan p = c.plan();
    if (p.speculative().isEmpty() || !p.facts().draftUnbudgeted()) {
      return Optional.empty();
    }
    LaunchPlan.Speculative sp = p.speculative().get();
    TermContext.Launch l = c.launch();
    long cell;
    String what;
    if (l.weights().nextnDraft().isPresent() && sp.draftModelPath().isEmpty()) {
      cell = l.kv().draftBytesPerToken(Math.max(1, c.spec().numNextnPredictLayers()));
      what = "MTP layer";
    } else if (l.draftModel().isPresent()) {
      Parallelism par = p.parallelism();
      KvCacheLayout dkv =
          KvCacheLayout.of(
              l.draftModel().get().spec(),
              new Parallelism(par.tpSize(), 1, par.dpSize(), 1, par.dpAttention(), 1),
              p.facts().kvCacheOptions().withKvCacheDtype(p.kvCacheDtype()));
      cell = dkv.bytesPerToken();
      what = l.draftModel().get().id();
    } else {
      return Optional.empty();
    }
    long targetTokens = c.kvTokens();
    return Optional.of(
        new BudgetItem(
            id(),
            targetTokens * cell,
            Units.count(targetTokens) + " tokens x " + cell + " B (" + what + ")",
            "model_runner.py L757-778 @v0.4.5.post3: the draft pool reuses the target's token"
                + " count, allocated after the target pool (unbudgeted before main 2026-06-12)"));
  }
}
