package io.github.sglangpreflight.budget;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The registry: every budget term, per phase, in the order SGLang allocates them (the order the
 * report lists them in). {@link BudgetModel} asks each term of a phase for its item and sums.
 * Adding a term: one class, one {@link io.github.sglangpreflight.term.TermId} constant, one line
 * here.
 */
final class BudgetTerms {

  private BudgetTerms() {}

  /** Registered in two phases: its version says which one it takes memory in. */
  private static final DraftWeightsTerm DRAFT_WEIGHTS = new DraftWeightsTerm();

  /** Before SGLang reads T: they lower T itself. */
  static final List<BudgetTerm<? super TermContext.BeforeT>> BEFORE_T =
      List.of(
          new CudaContextTerm(),
          new NcclCommunicatorTerms.TpGroup(),
          new NcclCommunicatorTerms.PpGroup(),
          new CustomAllReduceTerm());

  /** Between T and the KV pool: they share the static pool with it. */
  static final List<BudgetTerm<? super TermContext.StaticPool>> STATIC_POOL =
      List.of(
          new WeightsTerm(),
          new NcclCommunicatorTerms.DefaultGroup(),
          new LoraPoolTerm(),
          DRAFT_WEIGHTS,
          new MultimodalCacheTerm(),
          new MmFeaturePoolTerm());

  /** The KV pool: whatever the static pool leaves. */
  static final KvPoolTerm KV_POOL = new KvPoolTerm();

  /** Outside the pool, first: allocated with the pool, before any warm-up. */
  static final List<BudgetTerm<? super TermContext.Reserve>> POOL_BUFFERS =
      List.of(
          new RequestTableTerm(),
          new KvFreeListTerm(),
          new EagerInputBuffersTerm(),
          new AttentionWorkspaceTerm(),
          new CublasWorkspaceTerm());

  /** Outside the pool, second: a warm-up that may be freed before what follows. */
  static final BudgetTerm<TermContext.Reserve> WARMUP = new DeepGemmWarmupTerm();

  /** Outside the pool, last: capture, serving-time activations, lazy buffers, the draft. */
  static final List<BudgetTerm<? super TermContext.Reserve>> AFTER_WARMUP =
      List.of(
          new CudaGraphDecodeTerm(),
          new CudaGraphDpAttentionTerm(),
          new CudaGraphPrefillTerm(),
          new PrefillActivationsTerm(),
          new DecodeSamplingTerm(),
          new NcclCommunicatorTerms.Lazy(),
          new SymmetricMemoryTerm(),
          new DeepEpTerm(),
          new TorchCompileTerm(),
          DRAFT_WEIGHTS,
          new DraftKvCacheTerm(),
          new DraftCudaGraphsTerm());

  /** Every registered term once (a term registered in two phases appears once). */
  static List<BudgetTerm<?>> all() {
    Set<BudgetTerm<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<BudgetTerm<?>> out = new ArrayList<>();
    List<BudgetTerm<?>> every = new ArrayList<>();
    every.addAll(BEFORE_T);
    every.addAll(STATIC_POOL);
    every.add(KV_POOL);
    every.addAll(POOL_BUFFERS);
    every.add(WARMUP);
    every.addAll(AFTER_WARMUP);
    for (BudgetTerm<?> t : every) {
      if (seen.add(t)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** The items of {@code terms} in {@code context}, in order. */
  static <C extends TermContext> List<BudgetItem> items(
      List<? extends BudgetTerm<? super C>> terms, C context) {
    List<BudgetItem> out = new ArrayList<>();
    for (BudgetTerm<? super C> t : terms) {
      item(t, context).ifPresent(out::add);
    }
    return out;
  }

  /** The bytes of {@code terms} in {@code context} together, without their items. */
  static <C extends TermContext> long bytes(
      List<? extends BudgetTerm<? super C>> terms, C context) {
    long sum = 0;
    for (BudgetTerm<? super C> t : terms) {
      sum += t.bytes(context);
    }
    return sum;
  }

  /** One term's item, checked to carry the term's id. */
  static <C extends TermContext> Optional<BudgetItem> item(BudgetTerm<? super C> term, C context) {
    Optional<BudgetItem> item = term.item(context);
    item.ifPresent(
        i -> {
          if (i.id() != term.id()) {
            throw new IllegalStateException(
                term.getClass().getSimpleName() + " returned an item of " + i.id());
          }
        });
    return item;
  }
}
