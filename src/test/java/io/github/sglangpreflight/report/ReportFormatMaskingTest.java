package io.github.sglangpreflight.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportFormatMaskingTest {

  private static PreflightReport report() {
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource("1xH100"))
        .sglangVersion("main")
        .build()
        .check(
            List.of(
                "python3",
                "-m",
                "sglang.launch_server",
                "--model-path",
                "meta-llama/Llama-3.1-8B-Instruct",
                "--api-key",
                "sk-secret-123",
                "--admin-api-key=adm-456"),
            Map.of());
  }

  @Test
  void toJsonAndToText_neverContainTheApiKeys() {
    PreflightReport r = report();

    String json = ReportFormat.toJson(r);
    String text = ReportFormat.toText(r, ReportFormat.TextStyle.standard());

    for (String out : List.of(json, text)) {
      assertFalse(out.contains("sk-secret-123"), out);
      assertFalse(out.contains("adm-456"), out);
    }
    assertTrue(json.contains("\"***\""), json);
  }

  @Test
  void command_staysRunnable_whileMaskedHidesTheSecrets() {
    PreflightReport r = report();

    assertTrue(r.command().contains("sk-secret-123"));
    assertTrue(r.masked().command().contains("***"));
    assertFalse(r.masked().originalCommand().contains("sk-secret-123"));
    assertEquals(r.command().size(), r.masked().command().size());
  }
}
