package io.github.sglangpreflight.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.model.ModelDescription;
import io.github.sglangpreflight.model.source.ModelCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every catalog entry parses and synthesizes; published totals are reproduced within 2 %. */
class CatalogArchitecturesTest {
  private final ModelCatalog catalog = ModelCatalog.builtIn();

  @Test
  void catalogHoldsAtLeastFortyModelsAndEveryOneSynthesizes() {
    assertTrue(catalog.entries().size() >= 40, "entries: " + catalog.entries().size());
    StringBuilder report = new StringBuilder();
    for (ModelCatalog.Entry e : catalog.entries()) {
      ModelDescription d = catalog.describe(e.id()).orElseThrow(() -> new AssertionError(e.id()));
      assertTrue(d.tensorBytes() > 0, e.id());
      report
          .append(e.id())
          .append(' ')
          .append(d.spec().family())
          .append(' ')
          .append(String.format("%,d", d.tensorBytes()))
          .append('\n');
    }
    System.out.println(report);
  }

  @Test
  void everyPublishedCheckpointTotalIsReproducedWithinTwoPercent() {
    int checked = 0;
    for (ModelCatalog.Entry e : catalog.entries()) {
      Map<String, Object> raw = catalog.rawConfig(e);
      if (!(raw.get("_source") instanceof Map<?, ?> src)
          || !(src.get("safetensors_total_size") instanceof Number total)
          || !e.completions().isEmpty()) {
        continue;
      }
      long synthesized = catalog.describe(e.id()).orElseThrow().tensorBytes();
      double ratio = synthesized / total.doubleValue();
      assertEquals(1.0, ratio, 0.02, e.id() + ": " + synthesized + " vs " + total);
      checked++;
    }
    assertTrue(checked >= 8, "checked " + checked);
  }

  @Test
  void issueIdsResolve() {
    for (String id :
        new String[] {
          "gpt-oss-120b",
          "openai/gpt-oss-20b",
          "DeepSeek-V3.2-Exp",
          "Qwen/Qwen3-235B-A22B-GPTQ-Int4",
          "Qwen3-Next-80B-A3B-Thinking",
          "zai-org/GLM-4.6",
          "GLM-4.5-Air",
          "MiniMax-M2",
          "gemma-3-27b-it",
          "Qwen3-VL-8B-Instruct",
          "Llama-4-Maverick-17B-128E-Instruct",
          "Qwen3.5-397B-A17B",
          "Kimi-K2.5"
        }) {
      assertTrue(catalog.describe(id).isPresent(), id);
    }
  }
}
