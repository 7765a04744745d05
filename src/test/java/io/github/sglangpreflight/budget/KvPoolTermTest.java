package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link KvPoolTerm}: the pool's bytes are its tokens times the cell. */
class KvPoolTermTest {

  @Test
  void poolBytes_areTokensTimesTheCell() {
    BudgetModel m = h200("0.5.1", LLAMA8, 1);
    MemoryBudget b = m.at(0.8);

    // Llama-3.1-8B: 32 layers x 8 KV heads x 128 x 2 (K and V) x 2 B
    assertEquals(131072, m.kvLayout().bytesPerToken());
    assertEquals(b.kvTokens() * 131072, b.kvPoolBytes());
  }

  @Test
  void poolTokens_wholePagesAtMostMaxTotalTokens() {
    BudgetModel paged = h200("0.5.1", LLAMA8, 1, "--page-size", "16");
    BudgetModel capped = h200("0.5.1", LLAMA8, 1, "--max-total-tokens", "100000");

    assertEquals(1008, KvPoolTerm.poolTokens(paged.plan(), 1015));
    assertEquals(100000, KvPoolTerm.poolTokens(capped.plan(), 500000));
    assertEquals(99999, KvPoolTerm.poolTokens(capped.plan(), 99999));
  }

  @Test
  void poolEmpty_noBytes() {
    BudgetModel m = h200("0.5.1", LLAMA8, 1);
    TermContext.Launch launch =
        new TermContext.Launch(
            m.plan(), m.request().model(), m.request().draftModel(), m.weights(), m.kvLayout());

    assertEquals(
        0, new KvPoolTerm().item(new TermContext.Pool(launch, 0, 0, 100)).orElseThrow().bytes());
    assertEquals(
        100L * 131072,
        new KvPoolTerm().item(new TermContext.Pool(launch, 0, 90, 100)).orElseThrow().bytes());
  }

  @Test
  void hybridSwa_tokensFromFullPlusRatioTimesSwa_swaPoolHoldsRatioOfThem() {
    BudgetModel m = h200("main", "openai/gpt-oss-120b", 1, "--tp", "1");
    MemoryBudget b = m.at(0.85);
    var layout = m.kvPools().orElseThrow();
    assertTrue(layout.hybridSwa());
    // 18 full + 0.8 × 18 sliding layers of 2,048 B: 66,355.2 B per full-attention token
    assertEquals(66_355.2, layout.tokenCoefficientBytes(0.8), 1e-6);
    assertEquals(2, b.kvPools().size());
    assertEquals("full_attention", b.kvPools().get(0).kind());
    assertEquals(b.kvTokens(), b.kvPools().get(0).units());
    assertEquals("sliding_window", b.kvPools().get(1).kind());
    assertEquals((long) (b.kvTokens() * 0.8), b.kvPools().get(1).units());
    assertEquals((long) Math.ceil(b.kvTokens() * 66_355.2), b.kvPoolBytes());
  }

  @Test
  void hybridSwa_ratioFlag_changesTheSplit() {
    MemoryBudget d = h200("main", "openai/gpt-oss-120b", 1).at(0.85);
    MemoryBudget r =
        h200("main", "openai/gpt-oss-120b", 1, "--swa-full-tokens-ratio", "0.5").at(0.85);
    // the SWA pool costs less per full token at 0.5: more full-attention tokens
    assertTrue(r.kvTokens() > d.kvTokens());
    assertEquals((long) (r.kvTokens() * 0.5), r.kvPools().get(1).units());
  }

  @Test
  void oldVersion_oneCellForEveryLayer() {
    MemoryBudget b = h200("0.4.5.post3", LLAMA8, 1).at(0.8);
    assertEquals(1, b.kvPools().size());
    assertEquals("kv_cell", b.kvPools().get(0).kind());
    assertEquals(131072, b.kvPools().get(0).bytesPerUnit());
  }

  @Test
  void linearState_slotsComeFirst_thenTokens() {
    BudgetModel m = h200("main", "Qwen/Qwen3-Next-80B-A3B-Thinking", 2, "--tp", "2");
    MemoryBudget b = m.at(0.85);
    var layout = m.kvPools().orElseThrow();
    var state = b.kvPools().get(b.kvPools().size() - 1);
    assertEquals("linear_state", state.kind());
    assertEquals("request", state.unit());
    assertEquals(36L * 1_073_152, state.bytesPerUnit());
    // r/(1+r) of the rest to the slots: they hold 0.9 × the token pool's bytes (within a slot)
    assertEquals(
        (long) Math.floor(b.kvTokens() * 12_288 * 0.9 / state.bytesPerUnit()), state.units());
    assertEquals(b.kvTokens() * 12_288 + state.units() * state.bytesPerUnit(), b.kvPoolBytes());
    MemoryBudget capped =
        h200(
                "main",
                "Qwen/Qwen3-Next-80B-A3B-Thinking",
                2,
                "--tp",
                "2",
                "--max-mamba-cache-size",
                "64")
            .at(0.85);
    assertEquals(64, capped.kvPools().get(capped.kvPools().size() - 1).units());
    assertTrue(capped.kvTokens() > b.kvTokens());
    assertEquals(layout.stateBytesPerRequest(), state.bytesPerUnit());
  }
}
