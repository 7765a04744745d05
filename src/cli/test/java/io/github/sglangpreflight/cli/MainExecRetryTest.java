package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec --retry-on-oom} against the fake {@code sglang} package of {@code
 * src/test/resources/launch/fake-sglang-pkg} (on PYTHONPATH, started as {@code python3 -m
 * sglang.launch_server}), which fails above or below a fraction the way SGLang does and prints
 * SGLang's lines. The check runs on the 1 x H100 preset for SGLang 0.5.1, where it accepts 0.88 for
 * Llama-3.1-8B (safe window 0.394-0.943).
 */
class MainExecRetryTest {
  @TempDir Path tmp;

  private Map<String, String> env(Map<String, String> fake) throws URISyntaxException {
    Map<String, String> env = new HashMap<>(fake);
    env.put(
        "PYTHONPATH",
        Path.of(getClass().getResource("/launch/fake-sglang-pkg/sglang/__init__.py").toURI())
            .getParent()
            .getParent()
            .toString());
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("FAKE_SGLANG_ATTEMPTS", attemptsFile().toString());
    return env;
  }

  private Path attemptsFile() {
    return tmp.resolve("attempts.txt");
  }

  private Path reportFile() {
    return tmp.resolve("report.json");
  }

  /** The fractions the fake was started with, in order. */
  private List<Double> attempts() throws IOException {
    if (!Files.exists(attemptsFile())) {
      return List.of();
    }
    return Files.readAllLines(attemptsFile()).stream().map(Double::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> exec() throws IOException {
    return (Map<String, Object>) JSON.std.mapFrom(Files.readString(reportFile())).get("exec");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> execAttempts() throws IOException {
    return (List<Map<String, Object>>) exec().get("attempts");
  }

  private CliRun exec(Map<String, String> fake, List<String> options, String fraction)
      throws URISyntaxException {
    List<String> o =
        new ArrayList<>(
            List.of(
                "--simulate",
                "1xH100",
                "--sglang-version",
                "0.5.1",
                "--report-file",
                reportFile().toString()));
    o.addAll(options);
    return run(
        env(fake),
        args(
            "exec",
            o,
            List.of(
                "python3",
                "-m",
                "sglang.launch_server",
                "--model-path",
                "meta-llama/Llama-3.1-8B-Instruct",
                "--mem-fraction-static",
                fraction)));
  }

  @Test
  void graphOom_shortfallPrinted_succeedsInOneStep() throws Exception {
    CliRun r = exec(Map.of("FAKE_SGLANG_GRAPH_GIB", "12"), List.of("--retry-on-oom", "2"), "0.88");

    assertEquals(0, r.exitCode(), r.toString());
    // T 78.81 GiB; after the pool 9.16 GiB free, the capture needs 12: (2.84 + 1 margin) / 78.81
    assertEquals(List.of(0.88, 0.831), attempts());
    assertTrue(
        r.err().contains("[2025-04-21 10:00:00 TP0] Capture cuda graph end."),
        "SGLang's output passes through: " + r);
    List<Map<String, Object>> a = execAttempts();
    assertEquals(2, a.size());
    assertEquals("cuda-graph-capture-failed", a.get(0).get("failure"));
    assertEquals(1, a.get(0).get("exitCode"));
    assertTrue(
        ((String) a.get(0).get("plan"))
            .endsWith(
                "it asked for 3.09 GiB with 0.25 GiB free, 2.84 GiB short; 3.84 GiB more outside"
                    + " the pool (with the 1.00 GiB margin) of T 78.81 GiB: lowering it to 0.831"),
        a.toString());
    assertEquals(0.831, a.get(1).get("memFractionStatic"));
    assertEquals(0, a.get(1).get("exitCode"));
    assertNull(a.get(1).get("failure"));
    assertEquals(0, exec().get("exitCode"));
  }

  @Test
  void notEnoughMemory_raisesTheFraction() throws Exception {
    // the minimum KV from --min-kv-tokens (one full request, the default before issue 10)
    CliRun r =
        exec(
            Map.of(),
            List.of("--retry-on-oom", "1", "--policy", "warn", "--min-kv-tokens", "131072"),
            "0.2");

    assertEquals(0, r.exitCode(), r.toString());
    // (15.11 GiB of weights + 16 GiB for 131,072 tokens) / 78.81 GiB, rounded up
    assertEquals(List.of(0.2, 0.395), attempts());
    assertEquals("not-enough-memory", execAttempts().get(0).get("failure"));
  }

  @Test
  void nothingWorks_givesUpClearlyWithTheChildsExitCode() throws Exception {
    CliRun r =
        exec(
            Map.of("FAKE_SGLANG_GRAPH_GIB", "60"),
            List.of("--retry-on-oom", "3", "--min-kv-tokens", "131072"),
            "0.88");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of(0.88), attempts(), "no relaunch when no fraction can work");
    String plan = (String) execAttempts().getFirst().get("plan");
    assertTrue(
        plan.endsWith(
            "that needs --mem-fraction-static 0.222, below 0.394, the smallest fraction whose pool"
                + " holds the minimum KV cache: no fraction can work; lower --cuda-graph-max-bs,"
                + " --context-length or --max-running-requests, or use more GPUs (--tp)"),
        plan);
    assertEquals(1, exec().get("exitCode"));
  }

  @Test
  void retriesExhausted_returnsTheLastExitCode() throws Exception {
    // the failed allocation is a tenth of what the capture lacks: one step is not enough
    CliRun r =
        exec(
            Map.of("FAKE_SGLANG_GRAPH_GIB", "20", "FAKE_SGLANG_REQUEST_SHARE", "0.1"),
            List.of("--retry-on-oom", "1"),
            "0.88");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(2, attempts().size(), attempts().toString());
    assertTrue(attempts().get(1) < 0.88, attempts().toString());
    assertEquals(2, execAttempts().size());
    assertNull(execAttempts().get(1).get("plan"));
  }

  @Test
  void defaultZero_runsOnceWithInheritedOutput() throws Exception {
    CliRun r = exec(Map.of("FAKE_SGLANG_GRAPH_GIB", "12"), List.of(), "0.88");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(List.of(0.88), attempts());
    assertFalse(r.err().contains("Capture cuda graph"), "the output is not read: " + r);
    assertEquals(1, exec().get("exitCode"));
    assertEquals(0, exec().get("retryOnOom"));
  }

  @Test
  void badValue_exit2() throws Exception {
    CliRun r = exec(Map.of(), List.of("--retry-on-oom", "many"), "0.88");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertTrue(
        r.err()
            .startsWith(
                "sglang-preflight exec: --retry-on-oom 'many' is not a whole number; give how many"
                    + " times to relaunch, e.g. --retry-on-oom 2\n"),
        r.err());
    assertEquals(List.of(), attempts());
  }
}
