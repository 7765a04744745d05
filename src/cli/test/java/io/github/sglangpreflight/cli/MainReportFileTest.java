package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --report-file} on every outcome of check and exec, exit 1 and 2 included. */
class MainReportFileTest {
  @TempDir Path tmp;

  private static final List<String> LLAMA_8B =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct");

  private static Map<String, Object> json(Path file) throws IOException {
    return JSON.std.mapFrom(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> error(Map<String, Object> doc) {
    return (Map<String, Object>) doc.get("error");
  }

  /** The sentence on stderr after the command's prefix, without the trailing line break. */
  private static String firstSentence(CliRun r, String command) {
    String line = r.err().lines().findFirst().orElseThrow();
    String prefix = "sglang-preflight " + command + ": ";
    assertTrue(line.startsWith(prefix), r.toString());
    return line.substring(prefix.length());
  }

  @Test
  void check_badModel_exit2_reportFileHoldsTheError() throws IOException {
    Path report = tmp.resolve("k8s/termination-log");
    List<String> command =
        List.of(
            "python3",
            "-m",
            "sglang.launch_server",
            "--model-path",
            tmp.resolve("no-such-model").toString(),
            "--api-key",
            "sk-secret");

    CliRun r =
        run(
            args(
                "check",
                List.of("--simulate", "1xH100", "--report-file", report.toString()),
                command));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertTrue(Files.isRegularFile(report), "the report file exists after exit 2");
    Map<String, Object> doc = json(report);
    assertEquals(ReportFiles.ERROR_SCHEMA, doc.get("schema"));
    assertEquals("check", doc.get("command"));
    assertEquals(2, doc.get("exitCode"));
    assertEquals("bad-input", error(doc).get("kind"));
    assertEquals(firstSentence(r, "check"), error(doc).get("message"));
    assertEquals("--model-path", error(doc).get("input"));
    List<?> argv = (List<?>) doc.get("sglangCommand");
    assertEquals("***", argv.getLast(), "the API key is masked: " + argv);
  }

  @Test
  void exec_unknownOption_exit2_reportFileFoundWithoutTheParser() throws IOException {
    Path report = tmp.resolve("report.json");

    CliRun r =
        run(
            args(
                "exec",
                List.of("--simulate", "1xH100", "--bogus", "--report-file=" + report),
                LLAMA_8B));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    Map<String, Object> doc = json(report);
    assertEquals("exec", doc.get("command"));
    assertEquals("bad-input", error(doc).get("kind"));
    assertEquals(firstSentence(r, "exec"), error(doc).get("message"));
    assertNull(error(doc).get("input"));
  }

  @Test
  void check_gpusUnreadable_exit1_reportFileSaysSo() throws IOException {
    Path report = tmp.resolve("report.json");

    CliRun r =
        run(
            args(
                "check",
                List.of("--sglang-version", "0.5.1", "--report-file", report.toString()),
                LLAMA_8B));

    assertEquals(ExitCodes.GPUS_UNREADABLE, r.exitCode(), r.toString());
    Map<String, Object> doc = json(report);
    assertEquals(1, doc.get("exitCode"));
    assertEquals("gpus-unreadable", error(doc).get("kind"));
    assertEquals(CliRun.NO_NVML, error(doc).get("message"));
  }

  @Test
  void check_reportReplacesTheOldFileAtomically_noTemporaryFileLeft() throws IOException {
    Path report = tmp.resolve("report.json");
    Files.writeString(report, "old");

    CliRun r =
        run(
            args(
                "check",
                List.of(
                    "--simulate",
                    "1xH100",
                    "--sglang-version",
                    "0.5.1",
                    "--report-file",
                    report.toString()),
                LLAMA_8B));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals("ACCEPT", json(report).get("decision"));
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(report), files.toList(), "only the report is left in its directory");
    }
  }

  @Test
  void check_reportFileNotARegularFile_isWrittenInPlace() {
    CliRun r =
        run(
            args(
                "check",
                List.of(
                    "--simulate",
                    "1xH100",
                    "--sglang-version",
                    "0.5.1",
                    "--report-file",
                    "/dev/null"),
                LLAMA_8B));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertTrue(Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")));
  }

  @Test
  void scanReportFile_lastOneWins() {
    assertEquals(
        java.util.Optional.of("b"),
        ReportFiles.scanReportFile(List.of("--report-file", "a", "--x", "--report-file=b")));
    assertEquals(java.util.Optional.empty(), ReportFiles.scanReportFile(List.of("--report-file")));
  }
}
