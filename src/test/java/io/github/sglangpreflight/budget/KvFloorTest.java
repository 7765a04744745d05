package io.github.sglangpreflight.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * SGLang's own KV floor (one page: it stops only on an empty pool) and the warning for a pool that
 * starts but cannot hold one full-context request; the guard's default minimum (issue 10).
 */
class KvFloorTest {

  static BudgetModel h100x2(String... args) {
    return BudgetModelTest.budget(
        "0.5.21",
        "meta-llama/Llama-3.1-70B-Instruct",
        BudgetModelTest.slots("2xH100", 2),
        81559,
        Map.of(),
        OptionalLong.empty(),
        List.of(args));
  }

  @Test
  void floor_isOnePage() {
    assertEquals(1, h100x2("--tp", "2").sglangFloorKvTokens());
    assertEquals(64, h100x2("--tp", "2", "--page-size", "64").sglangFloorKvTokens());
    // the guard's default minimum is SGLang's floor; --min-kv-tokens replaces it
    assertEquals(1, h100x2("--tp", "2").minKvTokens());
    assertEquals(64, h100x2("--tp", "2", "--page-size", "64").minKvTokens());
  }

  @Test
  void aPoolBelowOneFullRequest_getsTheNoteWithItsTokensAndTheRemedies() {
    BudgetModel m = h100x2("--tp", "2", "--mem-fraction-static", "0.9");
    long tokens = m.at(0.9).kvTokens();
    assertTrue(tokens > 1 && tokens < 131_072, "" + tokens);

    assertEquals(
        Optional.of(
            String.format(
                java.util.Locale.ROOT,
                "the KV pool holds %,d tokens, less than one request of the full context length"
                    + " (131,072): SGLang starts and refuses longer requests; pass --context-length"
                    + " %d (or less) to say so, or --max-total-tokens to fix the pool, or"
                    + " --min-kv-tokens 131072 to require a full-length request",
                tokens,
                tokens)),
        m.fullContextNote(tokens));
    assertEquals(Optional.empty(), m.fullContextNote(131_072));
    assertEquals(Optional.empty(), m.fullContextNote(0));
  }
}
