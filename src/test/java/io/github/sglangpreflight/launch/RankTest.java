package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RankTest {

  @Test
  void parse_tpPpOrderOf2025_readsBothIds() {
    Rank rank = Rank.parse("TP3 PP1");
    assertEquals(OptionalInt.of(3), rank.tp());
    assertEquals(OptionalInt.of(1), rank.pp());
    assertEquals("TP3 PP1", rank.label());
  }

  @Test
  void parse_blank_isUnlabeled() {
    assertSame(Rank.UNLABELED, Rank.parse("  "));
    assertFalse(Rank.UNLABELED.isLabeled());
    assertEquals("-", Rank.UNLABELED.toString());
  }

  @Test
  void parse_notAnId_throwsNamingThePart() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Rank.parse("TP0 gpu1"));
    assertEquals(
        "rank id must be an upper-case name followed by digits, like TP0, was 'gpu1'",
        e.getMessage());
  }

  @Test
  void compareTo_mixedRanks_sortsByDpPpTpEp() {
    List<Rank> ranks =
        new ArrayList<>(
            List.of(
                Rank.parse("DP1 TP0"),
                Rank.parse("TP10"),
                Rank.parse("DP0 TP1"),
                Rank.parse("TP2"),
                Rank.UNLABELED,
                Rank.parse("DP0 TP0")));
    Collections.sort(ranks);
    assertEquals("[-, TP2, TP10, DP0 TP0, DP0 TP1, DP1 TP0]", ranks.toString());
  }
}
