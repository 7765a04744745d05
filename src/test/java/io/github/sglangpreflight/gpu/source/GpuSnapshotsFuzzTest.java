package io.github.sglangpreflight.gpu.source;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.fuzz.Fuzz;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * GpuSnapshots.parse on real snapshots (the presets written by toJson) with memory sizes, counts,
 * UUIDs and compute capabilities made wrong: an inventory, or a refusal naming the snapshot.
 */
@Tag("fuzz")
class GpuSnapshotsFuzzTest {
  private static final List<Object> SNAPSHOTS =
      List.of("1xH100", "2xA100-80GB", "8xH200", "1xL4").stream()
          .map(p -> GpuSnapshots.toJson(GpuPresets.inventory(p)))
          .map(GpuSnapshotsFuzzTest::tree)
          .toList();

  private static Object tree(String json) {
    try {
      return JSON.std.anyFrom(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<Object> snapshots() {
    return Arbitraries.of(SNAPSHOTS);
  }

  @Provide
  Arbitrary<List<Fuzz.Mutation>> mutation() {
    return Fuzz.mutations().list().ofMaxSize(6);
  }

  @Property
  void parse_returnsOrRefusesNamingTheSnapshot(
      @ForAll("snapshots") Object snapshot, @ForAll("mutation") List<Fuzz.Mutation> mutations)
      throws Exception {
    String json = JSON.std.asString(Fuzz.mutate(snapshot, mutations));
    Fuzz.onlyInvalidInput(() -> GpuSnapshots.parse(json, "snapshot /fuzz/gpus.json"));
  }

  @Property
  void parse_truncatedText_returnsOrRefuses(
      @ForAll("snapshots") Object snapshot, @ForAll("cuts") int cut) throws Exception {
    String json = JSON.std.asString(snapshot);
    String text = json.substring(0, Math.min(json.length(), cut));
    Fuzz.onlyInvalidInput(() -> GpuSnapshots.parse(text, "snapshot /fuzz/gpus.json"));
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(0, 4000);
  }

  @Property
  void presets_anySpec_returnsOrRefuses(@ForAll("specs") String spec) {
    Fuzz.onlyInvalidInput(() -> GpuPresets.inventory(spec));
  }

  @Provide
  Arbitrary<String> specs() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30),
        Fuzz.numberTexts().map(n -> n + "xH200"),
        Arbitraries.integers().between(1, 5000).map(n -> "8x" + "H".repeat(n) + " "),
        Arbitraries.integers().between(1, 3000).map(n -> " ".repeat(n) + "8 x a100"));
  }
}
