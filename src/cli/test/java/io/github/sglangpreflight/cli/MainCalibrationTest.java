package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.calibration.CalibrationRecord;
import io.github.sglangpreflight.calibration.CalibrationStore;
import io.github.sglangpreflight.term.TermId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calibration end to end: {@code exec} records what the fake {@code sglang} package's log
 * measured (src/test/resources/launch/fake-sglang-pkg: weights 15.11 GB, capture 6.19 GB), a later
 * {@code check} of the same launch uses it, and {@code calibration list|clear} show and empty the
 * store. On the 1 x H100 preset for SGLang 0.5.1, Llama-3.1-8B at 0.88.
 */
class MainCalibrationTest {
  @TempDir Path tmp;

  private static final List<String> LAUNCH =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct",
          "--mem-fraction-static",
          "0.88");

  private Map<String, String> env() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put(
        "PYTHONPATH",
        Path.of(getClass().getResource("/launch/fake-sglang-pkg/sglang/__init__.py").toURI())
            .getParent()
            .getParent()
            .toString());
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    return env;
  }

  private static List<String> guard(String... more) {
    List<String> o = new ArrayList<>(List.of("--simulate", "1xH100", "--sglang-version", "0.5.1"));
    o.addAll(List.of(more));
    return o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(CliRun r) throws Exception {
    return (Map<String, Object>) JSON.std.mapFrom(r.out());
  }

  @SuppressWarnings("unchecked")
  private static List<String> notes(Map<String, Object> report) {
    return (List<String>) report.get("notes");
  }

  @Test
  void execRecords_aLaterCheckUsesTheObservedCapture_listAndClear() throws Exception {
    Path dir = tmp.resolve("cal");
    Map<String, Object> before =
        json(
            run(
                env(),
                args("check", guard("--json", "--calibration-dir", dir.toString()), LAUNCH)));
    assertFalse(Files.exists(dir.resolve(CalibrationStore.FILE_NAME)), "check never writes");

    CliRun exec = run(env(), args("exec", guard("--calibration-dir", dir.toString()), LAUNCH));

    assertEquals(0, exec.exitCode(), exec.toString());
    assertTrue(
        exec.err().contains("[2025-04-21 10:00:00 TP0] Capture cuda graph end."),
        "SGLang's output passes through: " + exec);
    List<CalibrationRecord> records = CalibrationStore.in(dir).read();
    assertEquals(1, records.size());
    CalibrationRecord r = records.getFirst();
    assertEquals("NVIDIA H100 80GB HBM3", r.key().gpuModel());
    assertEquals("0.5.1", r.key().sglangVersion());
    assertEquals("meta-llama/Llama-3.1-8B-Instruct", r.key().model());
    assertEquals(
        "tp1-pp1-dp1-ep1-nnodes1/ctx131072-kv:auto-attn:fa3-graphs:bs160-run:auto-q:none"
            + "-dtype:auto",
        r.key().parallelism());
    // SGLang prints GB of 2^30 bytes with 2 decimals
    assertEquals((long) (6.19 * (1L << 30)), r.termBytes().get(TermId.CUDA_GRAPH_DECODE), 1 << 20);
    assertEquals((long) (15.11 * (1L << 30)), r.termBytes().get(TermId.WEIGHTS), 1 << 20);

    CliRun check =
        run(env(), args("check", guard("--json", "--calibration-dir", dir.toString()), LAUNCH));
    Map<String, Object> after = json(check);
    double maxBefore = ((Number) before.get("maxSafeFraction")).doubleValue();
    double maxAfter = ((Number) after.get("maxSafeFraction")).doubleValue();
    assertTrue(maxAfter < maxBefore, maxBefore + " -> " + maxAfter);
    assertEquals("ACCEPT", before.get("decision"));
    assertEquals("ADJUST", after.get("decision"), check.toString());
    assertTrue(
        notes(after).stream()
            .anyMatch(
                n ->
                    n.startsWith("CUDA-graph capture from observation: 6.19 GiB, observed on ")
                        && n.contains(" by sglang-preflight exec, 1 launch of NVIDIA H100")),
        notes(after).toString());
    assertTrue(
        notes(after).stream().anyMatch(n -> n.startsWith("model weights from observation: ")),
        notes(after).toString());

    CliRun list = run(env(), "calibration", "list", "--calibration-dir", dir.toString());
    assertEquals(0, list.exitCode(), list.toString());
    assertTrue(
        list.out().startsWith(dir.resolve("calibration.jsonl") + ": 1 record\n"), list.out());
    assertTrue(
        list.out()
            .contains(
                "\nNVIDIA H100 80GB HBM3, driver 580.159.04, SGLang 0.5.1,"
                    + " meta-llama/Llama-3.1-8B-Instruct, "
                    + r.key().parallelism()
                    + "\n"),
        list.out());
    assertTrue(list.out().contains("\n  CUDA-graph capture: 6.19 GiB observed "), list.out());

    CliRun clear = run(env(), "calibration", "clear", "--calibration-dir", dir.toString());
    assertEquals(
        "removed 1 calibration record from " + dir.resolve("calibration.jsonl") + "\n",
        clear.out());
    assertEquals(
        "no calibration recorded in " + dir.resolve("calibration.jsonl") + "\n",
        run(env(), "calibration", "list", "--calibration-dir", dir.toString()).out());
    Map<String, Object> cleared =
        json(
            run(
                env(),
                args("check", guard("--json", "--calibration-dir", dir.toString()), LAUNCH)));
    assertEquals(before.get("maxSafeFraction"), cleared.get("maxSafeFraction"));
  }

  @Test
  void theDefaultStoreIsUnderXdgStateHome_andNoCalibrationLeavesItAlone() throws Exception {
    Map<String, String> env = env();
    env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
    Path file = tmp.resolve("state/sglang-preflight/calibration.jsonl");

    CliRun off = run(env, args("exec", guard("--no-calibration"), LAUNCH));
    assertEquals(0, off.exitCode(), off.toString());
    assertFalse(Files.exists(file));

    CliRun on = run(env, args("exec", guard(), LAUNCH));
    assertEquals(0, on.exitCode(), on.toString());
    assertEquals(1, Files.readAllLines(file).size());
  }

  @Test
  void badCalibrationOptions_exit2WithTheFix() throws Exception {
    Path aFile = Files.writeString(tmp.resolve("x.txt"), "x");
    CliRun file = run(env(), args("check", guard("--calibration-dir", aFile.toString()), LAUNCH));
    assertEquals(2, file.exitCode());
    assertTrue(
        file.err()
            .startsWith(
                "sglang-preflight check: --calibration-dir '"
                    + aFile
                    + "' is a file, not a directory; give a directory\n"),
        file.err());
    CliRun both =
        run(
            env(),
            args("check", guard("--no-calibration", "--calibration-dir", tmp.toString()), LAUNCH));
    assertEquals(2, both.exitCode());
    assertTrue(
        both.err().contains("--calibration-dir and --no-calibration contradict each other"),
        both.err());
    CliRun action = run(env(), "calibration", "show", "--calibration-dir", tmp.toString());
    assertEquals(2, action.exitCode());
    assertTrue(
        action
            .err()
            .startsWith(
                "sglang-preflight calibration: unknown action 'show': give list or clear, e.g."
                    + " sglang-preflight calibration list\n"),
        action.err());
    CliRun noHome = run(Map.of(), "calibration", "list");
    assertEquals(2, noHome.exitCode());
    assertTrue(noHome.err().contains("give one with --calibration-dir DIR"), noHome.err());
  }
}
