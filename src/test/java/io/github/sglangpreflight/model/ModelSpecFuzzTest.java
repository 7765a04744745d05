package io.github.sglangpreflight.model;

import io.github.sglangpreflight.fuzz.Fuzz;
import io.github.sglangpreflight.model.arch.ArchLayouts;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.plan.SglangModelChecks;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * ModelSpec.fromConfig on the catalog's real config.json files with fields set to zero, negative,
 * huge or wrongly typed values or removed: a spec whose KV layout, synthesized weights and SGLang
 * start-up checks can be computed, or a refusal that names the file.
 */
@Tag("fuzz")
class ModelSpecFuzzTest {
  private static final List<Map<String, Object>> CONFIGS =
      ModelCatalog.builtIn().entries().stream()
          .map(e -> ModelCatalog.builtIn().rawConfig(e))
          .toList();

  @Provide
  Arbitrary<Map<String, Object>> configs() {
    return Arbitraries.of(CONFIGS);
  }

  @Property
  @SuppressWarnings("unchecked")
  void fromConfig_returnsOrRefusesNamingTheFile(
      @ForAll("configs") Map<String, Object> config,
      @ForAll("mutation") List<Fuzz.Mutation> mutations,
      @ForAll @IntRange(min = 1, max = 16) int tp,
      @ForAll @IntRange(min = 1, max = 8) int pp) {
    Map<String, Object> mutated = (Map<String, Object>) Fuzz.mutate(config, mutations);
    String where = "config.json at /fuzz";
    Fuzz.onlyInvalidInput(
        () -> {
          ModelSpec spec = ModelSpec.fromConfig(mutated, where);
          if (pp <= spec.numHiddenLayers()) {
            KvCacheLayout.of(
                spec, new Parallelism(tp, pp, 1, 1, false, 1), KvCacheOptions.newestMain());
          }
          ArchLayouts.synthesize(spec, where);
          SglangModelChecks.check(
              Snapshot.MAIN,
              LaunchCommand.parse(
                  List.of(
                      "python3",
                      "-m",
                      "sglang.launch_server",
                      "--model-path",
                      "/fuzz",
                      "--tp",
                      Integer.toString(tp),
                      "--pp-size",
                      Integer.toString(pp),
                      "--context-length",
                      "200000"),
                  Map.of()),
              spec);
          return spec;
        });
  }

  @Provide
  Arbitrary<List<Fuzz.Mutation>> mutation() {
    return Fuzz.mutations().list().ofMaxSize(6);
  }
}
