package io.github.sglangpreflight.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A check of each listed architecture on a plausible GPU set decides (never exit 2), and the
 * weights per GPU are the checkpoint's bytes divided by the sharding within 3 % (the rest being
 * replicated norms, routers, vision towers and vocabulary padding).
 */
class ArchitecturePreflightTest {

  static List<ArchitectureCases.Case> cases() {
    return ArchitectureCases.ALL;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void checkDecidesWithWeightsPerGpuNearCheckpointOverSharding(ArchitectureCases.Case c) {
    String model = c.model();
    String preset = c.preset();
    int tp = c.tp();
    PreflightReport r = c.check();
    assertTrue(
        Set.of(Decision.ACCEPT, Decision.ADJUST, Decision.REJECT).contains(r.decision()),
        r.headline());
    PreflightReport.Estimate e = r.estimate().orElseThrow(() -> new AssertionError(r.headline()));
    long checkpoint = ModelCatalog.builtIn().describe(model).orElseThrow().tensorBytes();
    double expected = checkpoint / (double) tp;
    double tolerance = 0.03;
    assertEquals(
        1.0,
        e.weightsBytesPerGpu() / expected,
        tolerance,
        model
            + ": "
            + e.weightsBytesPerGpu()
            + " per GPU vs "
            + (long) expected
            + "; "
            + r.decision()
            + " "
            + r.headline());
    assertTrue(e.kvBytesPerToken() > 0, model);
    System.out.printf(
        "%s | %s tp%d | %s | %s | weights/GPU %,d (ckpt/tp %,d, %.3f) | KV %,d B/token%n",
        model,
        preset,
        tp,
        r.decision(),
        r.headline(),
        e.weightsBytesPerGpu(),
        (long) expected,
        e.weightsBytesPerGpu() / expected,
        e.kvBytesPerToken());
  }
}
