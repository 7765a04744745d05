package io.github.sglangpreflight.budget;

import io.github.sglangpreflight.plan.LaunchPlan;
import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.util.Optional;

/**
 * The KV cache pool: whatever the static pool leaves, in whole tokens of one cell each (the draft's
 * layers included where SGLang counts them in the cell), rounded down to pages and capped by {@code
 * --max-total-tokens}. {@link BudgetModel} takes the minimum over the ranks of a group.
 */
final class KvPoolTerm implements BudgetTerm<TermContext.Pool> {

  @Override
  public TermId id() {
    return TermId.KV_POOL;
  }

  @Override
  public Optional<BudgetItem> item(TermContext.Pool c) {
    long cell = cellBytes(c.launch(), c.ppRank());
    long bytes = bytes(c.launch(), c.ppRank(), c.kvTokens(), c.allocTokens());
    return Optional.of(
        new BudgetItem(
            id(),
            bytes,
            c.launch().pools().isPresent()
                ? Units.count(c.allocTokens())
                    + " full-attention tokens; "
                    + poolsText(c.launch().pools().get())
                : Units.count(c.allocTokens()) + " tokens x " + cell + " B",
            c.launch().pools().isPresent()
                ? "pool_configurator.py HybridSWAPoolConfigurator.calculate_pool_sizes,"
                    + " kv_cache_configurator.py _handle_max_mamba_cache @003fca80"
                : "model_runner.py L741-752 (profile_max_num_token), mem_cache/memory_pool.py"
                    + " @v0.4.5.post3"));
  }

  private static String poolsText(TermContext.PoolSizing p) {
    StringBuilder b = new StringBuilder();
    for (var pool : p.layout().pools()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(pool.kind().name().toLowerCase(java.util.Locale.ROOT))
          .append(' ')
          .append(pool.bytesPerUnit())
          .append(pool.perRequest() ? " B per request" : " B per token");
    }
    return b.append(" (swa ratio ")
        .append(p.sizing().swaFullTokensRatio())
        .append(", mamba ratio ")
        .append(p.sizing().mambaFullMemoryRatio())
        .append(')')
        .toString();
  }

  /** The pool's bytes on one GPU of the stage: nothing when SGLang refuses to start. */
  static long bytes(TermContext.Launch l, int ppRank, long kvTokens, long allocTokens) {
    if (kvTokens <= 0) {
      return 0;
    }
    if (l.pools().isPresent()) {
      TermContext.PoolSizing p = l.pools().get();
      return p.layout().poolBytes(allocTokens, p.sizing());
    }
    return allocTokens * cellBytes(l, ppRank);
  }

  /**
   * Tokens one stage profiles from the {@code restBytes} the static pool leaves for the pool: one
   * cell per token, or, with hybrid SWA / state pools, the state slots first and then {@code full ×
   * n_full + ratio × swa × n_swa} per token (KvPoolLayout#profiledTokens).
   */
  static long profiledTokens(TermContext.Launch l, int ppRank, double restBytes) {
    if (l.pools().isPresent()) {
      TermContext.PoolSizing p = l.pools().get();
      return p.layout().profiledTokens(restBytes, p.sizing());
    }
    return restBytes > 0 ? (long) Math.floor(restBytes / cellBytes(l, ppRank)) : 0;
  }

  /**
   * What SGLang keeps of the profiled tokens: at most {@code --max-total-tokens}, then cut to whole
   * pages (the cap comes first: model_runner.py L789-793 @v0.4.5.post3, _apply_token_constraints of
   * the KV-cache configurator on main), so a cap below one page leaves no token.
   */
  static long poolTokens(LaunchPlan plan, long profiled) {
    long tok = profiled;
    if (plan.maxTotalTokens().isPresent()) {
      tok = Math.min(tok, plan.maxTotalTokens().getAsInt());
    }
    return tok / Math.max(1, plan.pageSize()) * Math.max(1, plan.pageSize());
  }

  /** Bytes of one token on one GPU of the stage, the draft's KV included where SGLang adds it. */
  static long cellBytes(TermContext.Launch l, int ppRank) {
    LaunchPlan plan = l.plan();
    long cell = l.kv().stages().get(ppRank).bytesPerToken();
    if (plan.speculative().isPresent() && plan.facts().draftKvInCell()) {
      LaunchPlan.Speculative s = plan.speculative().get();
      if (s.algorithm().startsWith("EAGLE")
          || s.algorithm().equals("STANDALONE")
          || s.algorithm().equals("NEXTN")) {
        int draftLayers =
            l.draftModel()
                .map(d -> d.spec().numHiddenLayers())
                .orElse(Math.max(1, l.model().spec().numNextnPredictLayers()));
        int layers = l.kv().stages().get(ppRank).layers();
        cell = (long) (cell * (1 + draftLayers / (double) layers));
      }
    }
    return cell;
  }

  /**
   * The tokens SGLang allocates beyond {@code tokens} for speculative decoding where the draft's KV
   * is not in the cell: room for every running request's draft tokens.
   */
  static long speculativeExtraTokens(LaunchPlan plan, long tokens) {
    if (plan.speculative().isEmpty() || plan.facts().draftKvInCell() || tokens <= 0) {
      return 0;
    }
    LaunchPlan.Speculative s = plan.speculative().get();
    long n = plan.maxRunningRequests().orElse(48);
    return n * s.steps() * s.topk() + n * s.draftTokens() + 100;
  }
}
