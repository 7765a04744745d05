package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.MIB;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.has;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaGraphPrefillTerm}: what the captured prefill graphs keep, from the model's shapes
 * (issue 10, item 4). Numbers derived by hand from the capture list and the configs.
 */
class CudaGraphPrefillTermTest {

  /**
   * The 58 token sizes up to 8192 (generate_prefill_cuda_graph_batch_sizes): 4..32 step 4 (sum
   * 144), 48..256/16 (2128), 288..512/32 (3200), 576..1024/64 (6400), 1280..4096/256 (32256),
   * 4608..8192/512 (51200).
   */
  static final long SIZES_8192 = 58;

  static final long SUM_8192 = 144 + 2128 + 3200 + 6400 + 32256 + 51200;

  @Test
  void breakable_llama8bOnH200_inputsLargestLayerOutputsPerSizeAndNonTorch() {
    BudgetModel m = h200("main", LLAMA8, 1);
    BudgetItem g = item(m.at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL);

    assertEquals(4, m.plan().prefillGraphTokens().getFirst());
    assertEquals(8192, m.plan().prefillGraphTokens().getLast());
    assertEquals(SIZES_8192, m.plan().prefillGraphTokens().size());
    assertEquals(95_328, SUM_8192);
    long inputs = 24 * 8192L; // input_ids, positions, out_cache_loc: int64
    // MLP over 8192 tokens: 6 x I (14336) + 2 x H (4096) bytes per token, above attention's
    // 4H + 2(32 + 2 x 8) x 128 + 2 x 32 x 128 + 2H = 45056
    long layer = 8192L * (6 * 14336 + 2 * 4096);
    long outputs = SUM_8192 * 4096 * 2; // hidden states kept per size, bf16
    long nonTorch = 8 * MIB * SIZES_8192;
    assertEquals(inputs + layer + outputs + nonTorch, g.bytes());
    assertEquals(2_039_414_784L, g.bytes());
    assertTrue(
        g.formula().startsWith("breakable, 58 token sizes up to 8192: static inputs 24 B x 8192"),
        g.formula());
    assertTrue(g.formula().contains("outputs kept per size 95328 tokens x 4096 x 2 B"));
  }

  @Test
  void tcPiecewise_keepsWeakReferencesOnly() {
    // 0.5.10 - 0.5.14: the piecewise backend's outputs are weak references, reused by the pool
    BudgetItem g =
        item(h200("0.5.12", LLAMA8, 1).at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL);

    assertEquals(24 * 8192L + 8192L * (6 * 14336 + 2 * 4096) + 8 * MIB * SIZES_8192, g.bytes());
    assertTrue(g.formula().contains("outputs weak-referenced (reused) 0"), g.formula());
  }

  @Test
  void smallWideVocabularyModel_costsItsShapes_notTheVocabulary() {
    // Qwen3-0.6B (H 1024, I 3072, 16 heads, 8 KV heads, d 128, vocab 151936) on an H100: chunk
    // 8192. The LM head runs eagerly after replay, so the vocabulary adds nothing here.
    BudgetModel m =
        BudgetModelTest.budget(
            "main",
            "Qwen/Qwen3-0.6B",
            BudgetModelTest.slots("H100", 1),
            81559,
            Map.of(),
            OptionalLong.empty(),
            List.of());
    BudgetItem g = item(m.at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL);

    long inputs = 24 * 8192L;
    long layer = 8192L * (6 * 3072 + 2 * 1024); // MLP 20480 B/token above attention's 18432
    long outputs = SUM_8192 * 1024 * 2;
    long nonTorch = 8 * MIB * SIZES_8192;
    assertEquals(inputs + layer + outputs + nonTorch, g.bytes());
    assertEquals(849_739_776L, g.bytes());
    assertFalse(g.formula().contains("151936"), g.formula());
    // SGLang's own estimate (8 MiB per size) is the non-torch part only
    assertTrue(g.bytes() > 8 * MIB * SIZES_8192);
  }

  @Test
  void mla_keepsSglangs1536MiBWhenTheShapesComeToLess() {
    BudgetItem mla = item(seed("main").at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL);

    assertTrue(mla.bytes() >= 1536 * MIB, "" + mla.bytes());
    assertTrue(mla.formula().startsWith("breakable, "), mla.formula());
  }

  @Test
  void beforeMain_none() {
    assertFalse(has(h200("0.5.1", LLAMA8, 1).at(0.8).reserveItems(), TermId.CUDA_GRAPH_PREFILL));
  }
}
