package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.model.source.ModelResolver;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.testing.Evidence;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays public out-of-memory reports through {@link Preflight#check}: {@code
 * evidence/oom-cases.tsv} (copied unchanged from the project data) with the launches of {@code
 * evidence/oom-replays.tsv}. A fraction that failed must come out unsafe (or impossible), one that
 * worked safe; SGLang's own refusals must be predicted. Every report is replayed or skipped with
 * its reason (a skipped report shows as an aborted test named after it).
 */
class PreflightOomCasesTest {

  private record Line(
      String url,
      String caseName,
      boolean replay,
      String version,
      String gpus,
      List<String> command,
      Map<String, String> env,
      String expect,
      String note) {}

  static Preflight preflight(String version, GpuInventorySource gpus) {
    return Preflight.newBuilder()
        .gpuSource(gpus)
        .sglangVersion(version)
        .modelResolver(
            new ModelResolver(Map.of(), Path.of("/nonexistent-home"), ModelCatalog.builtIn()))
        .build();
  }

  static GpuInventorySource gpus(String spec) throws URISyntaxException {
    if (spec.startsWith("preset:")) {
      return GpuSnapshots.presetSource(spec.substring("preset:".length()));
    }
    String file = spec.substring("snapshot:".length());
    return GpuSnapshots.snapshotSource(
        Path.of(PreflightOomCasesTest.class.getResource("/evidence/snapshots/" + file).toURI()));
  }

  @Test
  void table_everyReportHasAReplayOrASkipReason() throws IOException {
    Set<String> covered = new HashSet<>();
    for (Line l : lines()) {
      covered.add(l.url());
      assertFalse(l.note().isBlank(), "a line needs its note or reason: " + l.url());
    }
    List<String> missing = new ArrayList<>();
    Set<String> known = new HashSet<>();
    for (Map<String, String> row : rows("/evidence/oom-cases.tsv")) {
      known.add(row.get("issue_url"));
      if (!covered.contains(row.get("issue_url"))) {
        missing.add(row.get("issue_url"));
      }
    }
    for (Map<String, String> row : rows("/evidence/sglang-startup-logs.tsv")) {
      if (row.get("outcome").equals("not_enough_memory")) {
        known.add(row.get("url"));
      }
    }
    assertEquals(List.of(), missing, "reports without a line in oom-replays.tsv");
    covered.removeAll(known);
    assertEquals(Set.of(), covered, "lines for reports that are in neither table");
  }

  @TestFactory
  Stream<DynamicTest> reports_replayedThroughPreflight() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Line l : lines()) {
      if (!l.replay()) {
        tests.add(
            DynamicTest.dynamicTest(
                "SKIP " + l.url() + ": " + l.note(), () -> Assumptions.abort(l.note())));
        continue;
      }
      tests.add(
          DynamicTest.dynamicTest(
              l.url() + " | " + l.caseName() + " -> " + l.expect(), () -> replay(l)));
    }
    return tests.stream();
  }

  private static void replay(Line l) throws URISyntaxException {
    PreflightReport r = preflight(l.version(), gpus(l.gpus())).check(l.command(), l.env());
    String summary =
        String.format(
            Locale.ROOT,
            "%s | %s: %s at %.3f (%s), safe window %s-%s; %s",
            l.url(),
            l.caseName(),
            r.decision(),
            r.requestedFraction(),
            r.requestedFractionSource().label(),
            r.minFraction().isPresent() ? Units.fraction(r.minFraction().getAsDouble()) : "none",
            r.maxSafeFraction().isPresent()
                ? Units.fraction(r.maxSafeFraction().getAsDouble())
                : "none",
            r.headline());
    System.out.println(summary);
    switch (l.expect()) {
      case "UNSAFE" -> {
        assertNotEquals(Decision.ACCEPT, r.decision(), summary);
        if (r.decision() == Decision.ADJUST) {
          assertTrue(r.recommendedFraction().getAsDouble() < r.requestedFraction(), summary);
        }
      }
      case "SAFE" -> assertEquals(Decision.ACCEPT, r.decision(), summary);
      case "FITS" -> assertNotEquals(Decision.REJECT, r.decision(), summary);
      case "REJECT_NO_FRACTION" -> {
        assertEquals(Decision.REJECT, r.decision(), summary);
        assertTrue(
            r.headline().startsWith("REJECT: no --mem-fraction-static works")
                || r.headline().contains("the weights and pre-pool allocations need"),
            summary);
      }
      case "REFUSED_UNBALANCED" -> {
        assertEquals(Decision.REJECT, r.decision(), summary);
        assertTrue(
            r.headline().contains("stops with \"The memory capacity is unbalanced\""), summary);
      }
      case "NOT_REFUSED_UNBALANCED" -> {
        assertTrue(r.reasons().stream().noneMatch(x -> x.contains("unbalanced")), summary);
        assertTrue(
            r.notes().stream()
                .anyMatch(n -> n.contains("warns \"The memory capacity is unbalanced\"")),
            r.notes().toString());
      }
      default -> fail("unknown expectation " + l.expect());
    }
  }

  // ------------------------------------------------------------------ the seed case, sglang#5811

  static final List<String> SEED =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "deepseek-ai/DeepSeek-V3",
          "--tp",
          "8",
          "--enable-dp-attention",
          "--dp-size",
          "8",
          "--trust-remote-code");
  static final Map<String, String> SEED_ENV = Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1");

  static PreflightReport seed(List<String> extra) {
    List<String> argv = new ArrayList<>(SEED);
    argv.addAll(extra);
    return preflight("0.4.5.post3", GpuSnapshots.presetSource("8xH200")).check(argv, SEED_ENV);
  }

  @Test
  void seed_defaultFraction_isAdjustedBelow0907() {
    PreflightReport r = seed(List.of());

    assertEquals(Decision.ADJUST, r.decision());
    assertEquals((143771 - 13312) / 143771.0, r.requestedFraction(), 1e-12);
    assertEquals(PreflightReport.FractionSource.SGLANG_DEFAULT, r.requestedFractionSource());
    assertTrue(r.recommendedFraction().getAsDouble() < 0.907, r.headline());
    assertEquals(r.maxSafeFraction(), r.recommendedFraction());
    assertTrue(r.recommendedFraction().getAsDouble() >= 0.85, r.headline());
    // the rewritten command carries the recommended fraction, everything else untouched
    assertEquals(
        Units.fraction(r.recommendedFraction().getAsDouble()),
        r.command().get(r.command().indexOf("--mem-fraction-static") + 1));
    assertEquals(SEED, r.originalCommand());
  }

  @Test
  void seed_headline_namesDpAttentionGraphCaptureNotTheJitCache() {
    PreflightReport r = seed(List.of());
    String headline = r.headline();

    assertTrue(
        headline.startsWith(
            "ADJUST: --mem-fraction-static 0.907 (SGLang 0.4.5.post3's default) leaves 12.81 GiB"
                + " outside the static pool on GPU 0 (NVIDIA H200) but the launch needs "),
        headline);
    assertTrue(
        headline.contains(
            "most of it CUDA-graph capture under DP attention (6.00 GiB) and CUDA-graph capture ("),
        headline);
    assertFalse(headline.toLowerCase(Locale.ROOT).contains("jit"), headline);
    assertFalse(headline.toLowerCase(Locale.ROOT).contains("deepgemm"), headline);
    assertFalse(headline.toLowerCase(Locale.ROOT).contains("cache"), headline);
  }

  @Test
  void seed_jitDeepGemm_isZeroBytesBecauseKernelsCompileOnTheCpu() {
    PreflightReport.Item jit =
        seed(List.of()).estimate().orElseThrow().items().stream()
            .filter(i -> i.name().equals("JIT DeepGEMM warm-up"))
            .findFirst()
            .orElseThrow();

    assertEquals(0, jit.bytes());
    assertTrue(
        jit.formula().startsWith("SGL_ENABLE_JIT_DEEPGEMM=1 turns JIT DeepGEMM on: "),
        jit.formula());
    assertTrue(jit.formula().contains("compiles kernels with nvcc on the CPU"), jit.formula());
  }

  @Test
  void seed_085_isAccepted() {
    PreflightReport r = seed(List.of("--mem-fraction-static", "0.85"));

    assertEquals(Decision.ACCEPT, r.decision());
    assertEquals(0.85, r.requestedFraction());
    assertTrue(
        r.headline().startsWith("ACCEPT: --mem-fraction-static 0.850 leaves "), r.headline());
    assertEquals(r.originalCommand(), r.command());
    assertTrue(r.estimate().orElseThrow().headroomBytes() >= Preflight.DEFAULT_SAFETY_MARGIN_BYTES);
  }

  @Test
  void seed_rejectPolicy_refusesAndNamesTheFraction() {
    PreflightReport r =
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("8xH200"))
            .sglangVersion("0.4.5.post3")
            .policy(Policy.REJECT)
            .modelResolver(
                new ModelResolver(Map.of(), Path.of("/nonexistent-home"), ModelCatalog.builtIn()))
            .build()
            .check(SEED, SEED_ENV);
    double maxSafe = seed(List.of()).maxSafeFraction().getAsDouble();

    assertEquals(Decision.REJECT, r.decision());
    assertTrue(
        r.headline()
            .endsWith(
                "; the reject policy forbids changing it: run with --mem-fraction-static "
                    + Units.fraction(maxSafe)),
        r.headline());
    assertEquals(SEED, r.command());
  }

  // ------------------------------------------------------------------ files

  private static List<Line> lines() throws IOException {
    List<Line> out = new ArrayList<>();
    for (Map<String, String> row : rows("/evidence/oom-replays.tsv")) {
      Map<String, String> env = new LinkedHashMap<>();
      if (!row.get("env").isBlank()) {
        for (String kv : row.get("env").split(";")) {
          int eq = kv.indexOf('=');
          env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      out.add(
          new Line(
              row.get("issue_url"),
              row.get("case"),
              row.get("action").equals("replay"),
              row.get("sglang_version"),
              row.get("gpus"),
              row.get("command").isBlank() ? List.of() : List.of(row.get("command").split(" +")),
              env,
              row.get("expect"),
              row.get("note")));
    }
    return out;
  }

  private static List<Map<String, String>> rows(String resource) throws IOException {
    return Evidence.rows(resource);
  }
}
