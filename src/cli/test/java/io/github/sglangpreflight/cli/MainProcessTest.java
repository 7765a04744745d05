package io.github.sglangpreflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in its own JVM, as {@code bin/sglang-preflight} starts it ({@code java
 * --enable-native-access=ALL-UNNAMED ... Main}): real exit codes, real stdout/stderr with
 * slf4j-simple configured by {@code Main}, no stack traces and no native-access warning.
 */
class MainProcessTest {
  @TempDir Path tmp;

  record Proc(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private Proc java(List<String> jvmOptions, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("SGLANG_PREFLIGHT_NVML_LIBRARY");
    pb.environment().remove("COLUMNS");
    pb.environment().putAll(env);
    Path err = tmp.resolve("stderr.txt");
    pb.redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the CLI finished");
    return new Proc(p.exitValue(), out, Files.readString(err));
  }

  private static void assertCleanStderr(Proc p) {
    assertFalse(p.err().contains("\tat "), p.toString());
    assertFalse(p.err().contains("Exception"), p.toString());
    assertFalse(p.err().contains("WARNING"), "no JVM warning (native access): " + p);
  }

  private static String[] seed(String... options) {
    List<String> a =
        new ArrayList<>(
            List.of("check", "--simulate", "8xH200", "--sglang-version", "0.4.5.post3"));
    a.addAll(List.of(options));
    a.add("--");
    a.addAll(CliRun.SEED_COMMAND);
    return a.toArray(String[]::new);
  }

  @Test
  void seedCase_exit3_tableOnStdout_nothingSaidTwiceOnStderr() throws Exception {
    Proc p = java(List.of(), CliRun.SEED_ENV, seed());

    assertEquals(ExitCodes.ADJUST, p.exitCode(), p.toString());
    assertTrue(
        p.out().startsWith("sglang-preflight: ADJUST  --mem-fraction-static 0.907"), p.out());
    assertTrue(p.out().contains("█"), "UTF-8 bars whatever the locale");
    assertEquals("", p.err(), "the table carries the decision; no log repeats it");
  }

  @Test
  void seedCaseJson_exit3_onlyJsonOnStdout_theDecisionLoggedOnStderr() throws Exception {
    Proc p = java(List.of(), CliRun.SEED_ENV, seed("--json"));

    assertEquals(ExitCodes.ADJUST, p.exitCode(), p.toString());
    Map<String, Object> report = JSON.std.mapFrom(p.out().strip());
    assertEquals("ADJUST", report.get("decision"));
    List<String> lines = p.err().lines().toList();
    assertEquals(2, lines.size(), p.err());
    assertTrue(
        lines.get(0).startsWith("INFO Preflight - preflight ADJUST: --mem-fraction-static"),
        p.err());
    assertEquals("WARN Preflight - " + ((List<?>) report.get("reasons")).getFirst(), lines.get(1));
    assertCleanStderr(p);
  }

  @Test
  void quiet_json_noInfoLine() throws Exception {
    Proc p = java(List.of(), CliRun.SEED_ENV, seed("--json", "--quiet"));

    assertEquals(ExitCodes.ADJUST, p.exitCode(), p.toString());
    assertFalse(p.err().contains("INFO"), p.err());
    assertTrue(p.err().startsWith("WARN Preflight - ADJUST: "), p.err());
  }

  @Test
  void debug_logsEveryBudgetTerm() throws Exception {
    Proc p = java(List.of(), CliRun.SEED_ENV, seed("--debug"));

    assertEquals(ExitCodes.ADJUST, p.exitCode(), p.toString());
    assertTrue(
        p.err().contains("DEBUG Preflight - reserve term CUDA-graph capture under DP attention: "),
        p.err());
  }

  @Test
  void reject_exit4() throws Exception {
    Proc p =
        java(
            List.of(),
            Map.of(),
            "check",
            "--simulate",
            "1xL4",
            "--sglang-version",
            "0.5.1",
            "--",
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "meta-llama/Llama-3.1-70B-Instruct");

    assertEquals(ExitCodes.REJECT, p.exitCode(), p.toString());
    assertTrue(p.out().startsWith("sglang-preflight: REJECT"), p.out());
    assertEquals("", p.err());
  }

  @Test
  void missingSeparator_exit2_oneSentenceAndTheHint() throws Exception {
    Proc p = java(List.of(), Map.of(), "check", "--simulate", "8xH200");

    assertEquals(ExitCodes.BAD_INPUT, p.exitCode(), p.toString());
    assertEquals(2, p.err().lines().count(), p.err());
    assertCleanStderr(p);
    assertEquals("", p.out());
  }

  @Test
  void badModel_exit2_noStackTrace() throws Exception {
    Proc p =
        java(
            List.of(),
            Map.of(),
            "check",
            "--simulate",
            "1xH100",
            "--sglang-version",
            "0.5.1",
            "--",
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            tmp.resolve("nope").toString(),
            "--tp",
            "1");

    assertEquals(ExitCodes.BAD_INPUT, p.exitCode(), p.toString());
    assertEquals(1, p.err().lines().count(), p.err());
    assertCleanStderr(p);
  }

  @Test
  void nvmlLibraryMissing_exit1_theLibrarysSentence() throws Exception {
    Path missing = tmp.resolve("nowhere/libnvidia-ml.so.1");

    Proc p =
        java(
            List.of("-Dsglang.preflight.nvml.library=" + missing),
            Map.of(),
            "check",
            "--sglang-version",
            "0.5.1",
            "--",
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            "meta-llama/Llama-3.1-8B-Instruct");

    assertEquals(ExitCodes.GPUS_UNREADABLE, p.exitCode(), p.toString());
    assertTrue(
        p.err()
            .startsWith(
                "sglang-preflight check: NVML not available: -Dsglang.preflight.nvml.library="
                    + missing
                    + " is unusable (no such file)"),
        p.err());
    assertCleanStderr(p);
  }

  @Test
  void gpusThroughTheStubNvml_readsItWithoutANativeAccessWarning() throws Exception {
    Path stub =
        Path.of(
                System.getProperty("nvml.stub.dir", "target/nvml-stub"),
                "current",
                "libnvidia-ml.so.1")
            .toAbsolutePath();
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(stub), "stub NVML built");

    Proc p = java(List.of("-Dsglang.preflight.nvml.library=" + stub), Map.of(), "gpus");

    assertEquals(ExitCodes.ACCEPT, p.exitCode(), p.toString());
    assertTrue(p.out().contains(" GPUs from NVML (" + stub.toRealPath() + ")"), p.out());
    assertCleanStderr(p);
  }
}
