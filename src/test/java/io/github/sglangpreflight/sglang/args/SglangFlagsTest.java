package io.github.sglangpreflight.sglang.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.sglang.args.SglangFlags.Arity;
import io.github.sglangpreflight.sglang.args.SglangFlags.Flag;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SglangFlagsTest {
  private final SglangFlags flags = SglangFlags.bundled();

  @Test
  void bundled_everySnapshot_requiresModelPathAndHasHelp() {
    for (Snapshot s : Snapshot.values()) {
      Flag model = flags.definition("--model-path", s).orElseThrow();
      assertTrue(model.required(), s.label());
      assertEquals("model_path", model.dest());
      assertEquals(Arity.ONE, model.arity());
      assertEquals("help", flags.definition("--help", s).orElseThrow().action());
    }
  }

  @Test
  void bundled_optionStringsAreUniquePerSnapshot() {
    for (Snapshot s : Snapshot.values()) {
      List<String> options = flags.optionStrings(s);
      assertEquals(options.size(), new HashSet<>(options).size(), s.label());
    }
  }

  @Test
  void bundled_tpIsNeverAnAlias() {
    assertEquals(Set.of(), flags.knownIn("--tp"));
    assertEquals(EnumSet.allOf(Snapshot.class), flags.knownIn("--tp-size"));
    assertEquals(EnumSet.allOf(Snapshot.class), flags.knownIn("--tensor-parallel-size"));
    for (Snapshot s : Snapshot.values()) {
      assertEquals(List.of("--tp-size"), flags.prefixMatches("--tp", s), s.label());
    }
  }

  @Test
  void bundled_aliasesAppearWhereSglangAddedThem() {
    assertEquals(EnumSet.range(Snapshot.V0_4_9, Snapshot.MAIN), flags.knownIn("--model"));
    assertEquals(EnumSet.of(Snapshot.V0_5_1, Snapshot.MAIN), flags.knownIn("--ep"));
    assertEquals(EnumSet.range(Snapshot.V0_4_6_POST5, Snapshot.MAIN), flags.knownIn("--pp-size"));
    assertEquals(
        EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1), flags.knownIn("--enable-ep-moe"));
    assertEquals(EnumSet.of(Snapshot.MAIN), flags.knownIn("--admin-api-key"));
  }

  @Test
  void bundled_renamedFlag_changesItsDestination() {
    Flag old = flags.definition("--cuda-graph-max-bs", Snapshot.V0_4_5_POST3).orElseThrow();
    Flag main = flags.definition("--cuda-graph-max-bs", Snapshot.MAIN).orElseThrow();
    assertEquals("cuda_graph_max_bs", old.dest());
    assertEquals("cuda_graph_max_bs_decode", main.dest());
    assertEquals("deprecated_alias", main.action());
  }

  @Test
  void bundled_choicesGrowBetweenSnapshots() {
    List<String> old =
        flags.definition("--kv-cache-dtype", Snapshot.V0_4_5_POST3).orElseThrow().choices();
    List<String> main = flags.definition("--kv-cache-dtype", Snapshot.MAIN).orElseThrow().choices();
    assertEquals(List.of("auto", "fp8_e5m2", "fp8_e4m3"), old);
    assertTrue(main.containsAll(old));
    assertTrue(main.contains("bf16"));
  }

  @Test
  void bundled_typesAndArities_areRead() {
    assertEquals(
        Optional.of("human_readable_int"),
        flags.definition("--context-length", Snapshot.MAIN).orElseThrow().valueType());
    assertEquals(
        Optional.of("int"),
        flags.definition("--context-length", Snapshot.V0_5_1).orElseThrow().valueType());
    assertEquals(
        Arity.ONE_OR_MORE,
        flags.definition("--cuda-graph-bs", Snapshot.V0_4_5_POST3).orElseThrow().arity());
    assertEquals(
        Arity.ZERO_OR_MORE, flags.definition("--lora-paths", Snapshot.MAIN).orElseThrow().arity());
    Flag ratio = flags.definition("--hybrid-kvcache-ratio", Snapshot.V0_4_9).orElseThrow();
    assertEquals(Arity.OPTIONAL, ratio.arity());
    assertEquals(Optional.of("0.5"), ratio.constValue());
    assertEquals(
        Arity.FLAG, flags.definition("--trust-remote-code", Snapshot.MAIN).orElseThrow().arity());
  }

  @Test
  void knownIn_unknownOption_isEmpty() {
    assertEquals(Set.of(), flags.knownIn("--no-such-flag"));
    assertEquals(List.of(), flags.definitions("--no-such-flag"));
    assertFalse(flags.definition("--pp-size", Snapshot.V0_4_5_POST3).isPresent());
  }

  @Test
  void snapshot_labelsAndCommits() {
    assertEquals("v0.4.5.post3", Snapshot.V0_4_5_POST3.label());
    assertEquals("b9c87e781dd1e061090ce5e99eca2d6cc448b97f", Snapshot.V0_4_5_POST3.commit());
    assertEquals("main", Snapshot.MAIN.label());
    assertEquals("8761b971f1739e1753688a43eab31eb75b5d52d4", Snapshot.MAIN.commit());
    assertEquals(Snapshot.V0_4_9, Snapshot.ofLabel("v0.4.9"));
  }

  @Test
  void parse_malformedRow_isRejected() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> SglangFlags.parse("options\tdest\n--x\tx\tone\tstore\n"));
    assertEquals("sglang-flags.tsv line 2 has 4 cells, expected 9", e.getMessage());
  }

  @Test
  void parse_minimalTable_isRead() {
    SglangFlags t =
        SglangFlags.parse(
            "# comment\noptions\tdest\tarity\taction\ttype\tchoices\tconst\trequired\tsnapshots\n"
                + "--a,--alpha\talpha\t+\tstore\tint\t1|2\t-\tno\tv0.4.5.post3,main\n");
    Flag a = t.definitions("--alpha").get(0);
    assertEquals(List.of("--a", "--alpha"), a.optionStrings());
    assertEquals(List.of("1", "2"), a.choices());
    assertEquals(EnumSet.of(Snapshot.V0_4_5_POST3, Snapshot.MAIN), a.snapshots());
    assertEquals(Optional.empty(), a.constValue());
  }
}
