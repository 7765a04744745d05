package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link MmFeaturePoolTerm}: from 0.5.17 a multimodal launch on one CUDA node resolves the feature
 * transport to cuda_ipc and reserves SGLANG_MM_FEATURE_CACHE_MB (1024 MiB) before the KV pool.
 */
class MmFeaturePoolTermTest {
  static final String SCOUT = "meta-llama/Llama-4-Scout-17B-16E-Instruct";

  static List<BudgetItem> prePool(String version) {
    return BudgetModelTest.h200(version, SCOUT, 8, "--tp", "8")
        .at(0.8)
        .gpus()
        .getFirst()
        .prePoolItems();
  }

  @Test
  void from0517_1024MiBBeforeThePool_before_none() {
    BudgetItem pool = item(prePool("0.5.17"), TermId.MM_FEATURE_POOL);

    assertEquals(1024 * MIB, pool.bytes());
    assertEquals(
        "SGLANG_MM_FEATURE_CACHE_MB 1024 MiB (cuda_ipc feature transport)", pool.formula());
    assertTrue(pool.source().startsWith("--mm-feature-transport resolves to cuda_ipc"));
    assertFalse(has(prePool("0.5.16"), TermId.MM_FEATURE_POOL));
  }
}
