package io.github.sglangpreflight.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.model.KvCacheLayout;
import io.github.sglangpreflight.model.KvCacheOptions;
import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.model.WeightPlacement;
import io.github.sglangpreflight.model.WeightPlacementOptions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ModelCatalogTest {
  private final ModelCatalog catalog = ModelCatalog.builtIn();

  static Stream<String> everyName() {
    return ModelCatalog.builtIn().names().stream();
  }

  @ParameterizedTest
  @MethodSource("everyName")
  void describe_everyCatalogName_givesAUsableModel(String name) {
    ModelDescription d = catalog.describe(name).orElseThrow();
    Parallelism tp4 = new Parallelism(4, 1, 1, 1, false, 1);

    assertEquals(ModelDescription.Origin.CATALOG, d.origin());
    assertTrue(
        WeightPlacement.perGpu(d, tp4, WeightPlacementOptions.newestMain()).worstRankBytes() > 0);
    assertTrue(KvCacheLayout.of(d.spec(), tp4, KvCacheOptions.newestMain()).bytesPerToken() > 0);
  }

  @Test
  void catalog_coversTheSharedModelConfigs() {
    // the first 20 entries are the shared model configs; the architectures added later follow
    assertEquals(
        List.of(
            "deepseek-ai/DeepSeek-V3",
            "deepseek-ai/DeepSeek-V2.5",
            "meta-llama/Llama-3.1-8B-Instruct",
            "meta-llama/Llama-3.1-70B-Instruct",
            "meta-llama/Llama-3.1-405B-Instruct",
            "meta-llama/Llama-3.3-70B-Instruct",
            "meta-llama/Llama-4-Scout-17B-16E-Instruct",
            "Qwen/Qwen3-8B",
            "Qwen/Qwen3-14B",
            "Qwen/Qwen3-32B",
            "Qwen/Qwen3-30B-A3B",
            "Qwen/Qwen3-235B-A22B",
            "Qwen/Qwen3-235B-A22B-FP8",
            "Qwen/QwQ-32B",
            "Qwen/Qwen2.5-7B-Instruct",
            "Qwen/Qwen2.5-72B-Instruct",
            "mistralai/Mixtral-8x7B-Instruct-v0.1",
            "mistralai/Mistral-7B-Instruct-v0.2",
            "google/gemma-2-9b-it",
            "moonshotai/Kimi-K2-Instruct"),
        catalog.entries().stream().map(ModelCatalog.Entry::id).toList().subList(0, 20));
  }

  @Test
  void describe_bareNameAnyCase_matchesTheEntry() {
    ModelDescription d = catalog.describe("qwen3-235b-a22b-fp8").orElseThrow();

    assertEquals("qwen3-235b-a22b-fp8", d.id());
    assertEquals("catalog:Qwen__Qwen3-235B-A22B-FP8.json", d.location());
  }

  @Test
  void describe_otherOrganisationWithTheSameName_isNotMatched() {
    assertEquals(Optional.empty(), catalog.describe("unsloth/DeepSeek-V3"));
  }

  @Test
  void describe_deepSeekR1_isServedAsAnAliasAndSaysSo() {
    ModelDescription d = catalog.describe("deepseek-ai/DeepSeek-R1").orElseThrow();

    assertEquals("DeepseekV3ForCausalLM", d.spec().architecture());
    assertEquals(
        "deepseek-ai/DeepSeek-R1 is served by the catalog entry deepseek-ai/DeepSeek-V3:"
            + " DeepSeek-R1 has the DeepseekV3ForCausalLM architecture of DeepSeek-V3:"
            + " aiconfigurator's DeepSeek-R1 config has identical memory fields and the same"
            + " 688,586,727,753 weight-file bytes are recorded for both repos",
        d.notes().get(0));
  }

  @Test
  void describe_partialConfigs_areCompletedAndSaySo() {
    for (String id :
        List.of(
            "Qwen/QwQ-32B", "mistralai/Mistral-7B-Instruct-v0.2", "deepseek-ai/DeepSeek-V2.5")) {
      ModelDescription d = catalog.describe(id).orElseThrow();
      assertTrue(d.notes().get(0).startsWith("completed: "), id + ": " + d.notes());
    }
  }

  @Test
  void describe_deepSeekV25_hasTheSiblingV2Dimensions() {
    ModelDescription d = catalog.describe("deepseek-ai/DeepSeek-V2.5").orElseThrow();

    assertEquals(60, d.spec().numHiddenLayers());
    assertEquals(160, d.spec().moe().orElseThrow().numExperts());
    assertEquals(576, d.spec().mla().orElseThrow().kvCacheDim());
    // 235,741,434,880 parameters (236B stated) in bf16
    assertEquals(2 * 235_741_434_880L, d.tensorBytes());
  }

  @Test
  void closeTo_misspelledName_givesTheNearestEntries() {
    assertEquals(
        List.of(
            "meta-llama/Llama-3.1-8B-Instruct",
            "meta-llama/Llama-3.1-70B-Instruct",
            "meta-llama/Llama-3.1-405B-Instruct"),
        catalog.closeTo("meta-llama/Llama-3.1-8B-Instrct"));
  }
}
