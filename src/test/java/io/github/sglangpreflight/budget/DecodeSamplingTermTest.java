package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.term.TermId;
import org.junit.jupiter.api.Test;

/** {@link DecodeSamplingTerm}: eager decode's logits and sampling. */
class DecodeSamplingTermTest {

  @Test
  void singleGpu_256RequestsOfTheFullVocabulary() {
    BudgetItem d = item(h200("main", LLAMA8, 1).at(0.8).reserveItems(), TermId.DECODE_SAMPLING);

    assertEquals((long) (256 * 128256L * (2.0 + 4) + 256 * 128256L * 8.0), d.bytes());
    assertEquals(
        "lm_head + gather 256 rows x 128256 x (2/tp + 4) B + fp32 logits and probs 256 x 128256 x"
            + " 8 B",
        d.formula());
  }

  @Test
  void dpAttention_gathersTheRowsOverDp() {
    BudgetItem d = item(seed("0.4.5.post3").at(0.9074).reserveItems(), TermId.DECODE_SAMPLING);

    assertTrue(d.formula().startsWith("lm_head + gather 2048 rows x 129280"), d.formula());
    assertTrue(d.source().endsWith(", gathered over DP attention)"), d.source());
  }
}
