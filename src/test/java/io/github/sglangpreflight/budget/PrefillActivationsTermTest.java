package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link PrefillActivationsTerm}: one chunk's activations and last-token logits. */
class PrefillActivationsTermTest {

  @Test
  void prefillActivations_dpAttentionRunsTheMoeOverTheGatheredChunk() {
    BudgetItem a = item(items(seed("0.4.5.post3"), 0.9074), "prefill activations");

    assertTrue(
        a.formula().contains("1024 tokens x 128 heads x 1.5 KiB (MLA prefill q/k/v expansion)"),
        a.formula());
    assertTrue(
        a.formula()
            .contains("8192 tokens through the MoE (top-9, fused-MoE caches) gathered over DP 8"),
        a.formula());
    assertTrue(a.formula().endsWith("x 1.15 fragmentation"), a.formula());
    assertTrue(a.source().contains("prompt logprobs"), a.source());
  }

  @Test
  void prefillActivations_smallGpu_boundsTheLastTokenLogitsAt256Requests() {
    // a 24 GB card: chunk 2048, decode graphs up to 8; a batch of 2048 one-token prompts is not
    // the peak the guard budgets: max(256, largest decode graph) requests
    BudgetModel m =
        BudgetModelTest.budget(
            "main",
            "Qwen/Qwen3-8B",
            BudgetModelTest.slots("RTX4090", 1),
            24564,
            Map.of(),
            OptionalLong.empty(),
            List.of());
    BudgetItem a = item(items(m, 0.8), "prefill activations");

    assertTrue(a.formula().contains("last-token logits 256 x 151936 x"), a.formula());
  }

  private static List<BudgetItem> items(BudgetModel m, double f) {
    return m.at(f).reserveItems();
  }
}
