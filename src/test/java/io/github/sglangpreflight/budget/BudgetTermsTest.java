package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.Phase;
import io.github.sglangpreflight.term.TermId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry: every term once, each id from exactly one class, each in its phase. */
class BudgetTermsTest {

  @Test
  void everyTermIdIsProducedByExactlyOneTermClass() {
    Map<TermId, List<Class<?>>> byId = new EnumMap<>(TermId.class);
    for (BudgetTerm<?> t : BudgetTerms.all()) {
      byId.computeIfAbsent(t.id(), k -> new ArrayList<>()).add(t.getClass());
    }

    assertEquals(EnumSet.allOf(TermId.class), byId.keySet(), "a TermId without a term class");
    for (var e : byId.entrySet()) {
      assertEquals(1, e.getValue().size(), e.getKey() + " is produced by " + e.getValue());
    }
    Set<Class<?>> classes = new HashSet<>();
    for (BudgetTerm<?> t : BudgetTerms.all()) {
      assertTrue(classes.add(t.getClass()), t.getClass() + " is registered twice");
    }
  }

  @Test
  void eachRegistryListHoldsTermsOfItsPhase() {
    for (BudgetTerm<?> t : BudgetTerms.BEFORE_T) {
      assertEquals(Phase.BEFORE_T, t.id().phase(), t.id().toString());
    }
    for (BudgetTerm<?> t : BudgetTerms.STATIC_POOL) {
      assertEquals(Phase.STATIC_POOL, t.id().phase(), t.id().toString());
    }
    assertEquals(Phase.KV_POOL, BudgetTerms.KV_POOL.id().phase());
    List<BudgetTerm<?>> outside = new ArrayList<>(BudgetTerms.POOL_BUFFERS);
    outside.add(BudgetTerms.WARMUP);
    outside.addAll(BudgetTerms.AFTER_WARMUP);
    for (BudgetTerm<?> t : outside) {
      // the draft's weights: inside the static pool from main 2026-06-21, outside before
      if (t.id() != TermId.DRAFT_WEIGHTS) {
        assertTrue(
            t.id().phase() == Phase.RESERVE || t.id().phase() == Phase.AFTER_START,
            t.id() + " is " + t.id().phase());
      }
    }
    assertEquals(TermId.DEEPGEMM_WARMUP, BudgetTerms.WARMUP.id());
    assertEquals(
        List.of(
            TermId.REQUEST_TABLE,
            TermId.KV_FREE_LIST,
            TermId.EAGER_INPUT_BUFFERS,
            TermId.ATTENTION_WORKSPACE,
            TermId.CUBLAS_WORKSPACE),
        BudgetTerms.POOL_BUFFERS.stream().map(BudgetTerm::id).toList(),
        "the terms allocated before the warm-up (the peak rule counts them first)");
  }

  @Test
  void everyItemOfABudgetIsNamedByItsTermsLabel() {
    List<BudgetModel> launches =
        List.of(
            seed("0.4.5.post3"),
            seed("main"),
            h200("0.5.1", LLAMA8, 2, "--tp", "2", "--lora-paths", "a=/x"),
            h200("main", LLAMA8, 4, "--tp", "2", "--pp", "2", "--enable-symm-mem"),
            DraftWeightsTermTest.nextn("0.5.1"),
            h200("0.5.1", DSV3, 8, "--tp", "8", "--enable-deepep-moe", "--enable-torch-compile"));
    Set<TermId> seen = EnumSet.noneOf(TermId.class);
    for (BudgetModel m : launches) {
      for (MemoryBudget.GpuBudget g : m.at(0.8).gpus()) {
        List<BudgetItem> items = new ArrayList<>(g.overheadItems());
        items.addAll(g.prePoolItems());
        items.addAll(g.reserveItems());
        for (BudgetItem i : items) {
          assertEquals(i.id().label(), i.name(), i.id().toString());
          seen.add(i.id());
        }
      }
    }
    Set<TermId> missing = EnumSet.allOf(TermId.class);
    missing.removeAll(seen);
    // the pool is a number of its own (kvPoolBytes); the multimodal cache and the feature pool
    // need a VLM on main
    assertEquals(
        EnumSet.of(TermId.KV_POOL, TermId.MULTIMODAL_CACHE, TermId.MM_FEATURE_POOL), missing);
  }
}
