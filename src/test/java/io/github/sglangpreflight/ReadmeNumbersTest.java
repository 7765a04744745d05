package io.github.sglangpreflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The numbers README.md quotes for its first command are the ones the seed case gives: the README
 * text (whitespace folded) must contain each number as the library computes it, in its sentence. A
 * change that moves one of them fails here until the README says the new value.
 */
class ReadmeNumbersTest {
  private static final List<String> SEED =
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
  private static final Map<String, String> JIT = Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1");

  private static String readme;
  private static PreflightReport report;
  private static PreflightReport.Estimate requested;

  @BeforeAll
  static void seedCase() throws IOException {
    readme =
        Files.readString(Path.of(System.getProperty("project.basedir", "."), "README.md"))
            .replaceAll("\\s+", " ");
    report = guard().check(SEED, JIT);
    requested = report.estimate().orElseThrow();
  }

  private static Preflight guard() {
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource("8xH200"))
        .sglangVersion("0.4.5.post3")
        .build();
  }

  private static void assertQuoted(String sentence) {
    assertTrue(readme.contains(sentence), "README.md should say: " + sentence);
  }

  private static long item(String name) {
    return requested.items().stream()
        .filter(i -> i.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no budget item '" + name + "'"))
        .bytes();
  }

  @Test
  void theCommandIsTheSeedCase() {
    List<String> argv = new ArrayList<>();
    argv.addAll(List.of("SGL_ENABLE_JIT_DEEPGEMM=1", "bin/sglang-preflight", "check"));
    argv.addAll(List.of("--simulate", "8xH200", "--sglang-version", "0.4.5.post3"));
    argv.add("--");
    argv.addAll(SEED);
    assertQuoted(String.join(" ", argv));
    assertEquals(Decision.ADJUST, report.decision());
    assertQuoted("exit code 3 (ADJUST)");
  }

  @Test
  void theDefaultFraction() {
    assertQuoted("(G − 13 GiB)/G = " + Units.fraction(report.requestedFraction()) + ",");
  }

  @Test
  void outsideThePoolAndWhatItNeeds() {
    assertQuoted("leaves " + Units.gib(requested.reserveBytes()) + " outside the static pool");
    assertQuoted("the launch needs " + Units.gib(requested.reserveNeededBytes()) + " there");
    assertEquals(Units.GIB, requested.safetyMarginBytes());
    assertQuoted("(plus the 1 GiB safety margin)");
  }

  @Test
  void theTwoCudaGraphTerms() {
    assertQuoted(
        "under DP attention (" + Units.gib(item("CUDA-graph capture under DP attention")) + ",");
    List<Integer> sizes = requested.decodeCaptureList();
    assertQuoted(
        "the capture of "
            + sizes.size()
            + " batch sizes up to "
            + sizes.stream().mapToInt(Integer::intValue).max().orElseThrow());
    assertQuoted("page tables (" + Units.gib(item("CUDA-graph capture")) + ")");
  }

  @Test
  void theRewriteAndItsKvPool() {
    String recommended = Units.fraction(report.recommendedFraction().getAsDouble());
    assertEquals(recommended, report.command().getLast());
    assertQuoted("rewritten to `--mem-fraction-static " + recommended + "`");
    long tokens = report.adjustedEstimate().orElseThrow().kvTokens();
    assertQuoted(String.format(Locale.ROOT, "still holds %,d KV tokens", tokens));
  }

  @Test
  void theUsersValueIsAccepted() {
    List<String> at085 = new ArrayList<>(SEED);
    at085.addAll(List.of("--mem-fraction-static", "0.85"));
    assertEquals(Decision.ACCEPT, guard().check(at085, JIT).decision());
    assertQuoted("0.85, the value that worked for users, is accepted");
  }
}
