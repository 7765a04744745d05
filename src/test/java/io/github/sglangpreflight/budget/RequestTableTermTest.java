package io.github.sglangpreflight.budget;

import static io.github.sglangpreflight.budget.BudgetModelTest.DSV3;
import static io.github.sglangpreflight.budget.BudgetModelTest.LLAMA8;
import static io.github.sglangpreflight.budget.BudgetModelTest.gib;
import static io.github.sglangpreflight.budget.BudgetModelTest.h200;
import static io.github.sglangpreflight.budget.BudgetModelTest.item;
import static io.github.sglangpreflight.budget.BudgetModelTest.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link RequestTableTerm}: rows per version rule, columns of the context (+ draft tokens). */
class RequestTableTermTest {

  @Test
  void at_seed_requestTableIs2049RowsOfTheFullContext() {
    MemoryBudget b = seed("0.4.5.post3").at(0.9074);
    BudgetItem table = item(b.reserveItems(), "request-to-token table");

    // about 0.50M tokens: clamp(0.5M / 163840 x 512, 2048, 4096) = 2048, + 1 (P1)
    assertEquals(2049L * (163840 + 4) * 4, table.bytes());
    assertEquals("1.25 GiB", gib(table.bytes()));
    assertEquals("2049 rows x (163840 + 4) x 4 B (int32)", table.formula());
  }

  @Test
  void at_requestTableRows_perVersionRule() {
    // v0.4.7+: no + 1; main from 2026-05-06: + 1 padding row, rows <= tokens / 2
    long exact =
        item(h200("0.5.1", DSV3, 8, "--tp", "8").at(0.85).reserveItems(), "request-to-token table")
            .bytes();
    long main =
        item(h200("main", DSV3, 8, "--tp", "8").at(0.85).reserveItems(), "request-to-token table")
            .bytes();

    assertEquals(2048L * 163844 * 4, exact);
    assertEquals(2049L * 163844 * 4, main);
    // v0.5.1: speculative draft tokens widen the rows; 48 running requests
    long spec =
        item(
                h200(
                        "0.5.1",
                        LLAMA8,
                        1,
                        "--speculative-algorithm",
                        "EAGLE",
                        "--speculative-draft-model-path",
                        "d",
                        "--speculative-num-draft-tokens",
                        "4",
                        "--speculative-num-steps",
                        "3",
                        "--speculative-eagle-topk",
                        "1")
                    .at(0.8)
                    .reserveItems(),
                "request-to-token table")
            .bytes();
    assertEquals(48L * (131072 + 4 + 4) * 4, spec);
  }
}
