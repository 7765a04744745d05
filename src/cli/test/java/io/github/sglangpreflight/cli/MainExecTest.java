package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.SEED_ENV;
import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exec} with a fake SGLang: an executable named {@code python3} in a temporary directory
 * that writes the arguments it got, one a line, to {@code argv.txt} beside it and exits 7. It is
 * started as an argv (never through a shell) by the CLI like the real one would be.
 */
class MainExecTest {
  @TempDir Path tmp;
  private Path fake;
  private Path argvFile;

  @BeforeEach
  void fakeSglang() throws IOException {
    fake = tmp.resolve("bin/python3");
    argvFile = tmp.resolve("bin/argv.txt");
    Files.createDirectories(fake.getParent());
    Files.writeString(
        fake,
        "#!/bin/sh\n"
            + "printf '%s\\n' \"$@\" > \""
            + argvFile
            + "\"\n"
            + "if [ -n \"$EXPECT_REPORT\" ] && [ ! -f \"$EXPECT_REPORT\" ]; then exit 9; fi\n"
            + "exit 7\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private List<String> launch(String model, String... more) {
    List<String> c =
        new ArrayList<>(
            List.of(fake.toString(), "-m", "sglang.launch_server", "--model-path", model));
    c.addAll(List.of(more));
    return c;
  }

  private List<String> childArgv() throws IOException {
    return Files.readAllLines(argvFile);
  }

  @Test
  void exec_seedCase_childRunsWithTheRewrittenFractionAndItsExitCodeComesBack() throws IOException {
    List<String> command =
        launch("deepseek-ai/DeepSeek-V3", "--tp", "8", "--enable-dp-attention", "--dp-size", "8");

    CliRun r =
        run(
            args(
                "exec",
                List.of("--simulate", "8xH200", "--sglang-version", "0.4.5.post3"),
                command));

    PreflightReport expected = MainTest.library("8xH200", "0.4.5.post3", command);
    assertEquals(Decision.ADJUST, expected.decision());
    assertEquals(7, r.exitCode(), r.toString());
    assertEquals(expected.command().subList(1, expected.command().size()), childArgv());
    assertEquals("--mem-fraction-static", childArgv().get(childArgv().size() - 2));
    assertEquals("", r.out(), "stdout belongs to the child");
  }

  @Test
  void exec_accept_runsTheCommandUnchanged() throws IOException {
    List<String> command = launch("meta-llama/Llama-3.1-8B-Instruct", "--port", "30000");

    CliRun r =
        run(args("exec", List.of("--simulate", "1xH100", "--sglang-version", "0.5.1"), command));

    assertEquals(7, r.exitCode(), r.toString());
    assertEquals(command.subList(1, command.size()), childArgv());
  }

  @Test
  void exec_reject_neverStartsTheCommandAndPrintsTheReportOnStderr() {
    List<String> command = launch("meta-llama/Llama-3.1-70B-Instruct");

    CliRun r =
        run(
            args(
                "exec",
                List.of("--simulate", "1xL4", "--sglang-version", "0.5.1", "--ascii"),
                command));

    PreflightReport expected = MainTest.library("1xL4", "0.5.1", command);
    assertEquals(ExitCodes.REJECT, r.exitCode(), r.toString());
    assertFalse(Files.exists(argvFile), "the command was not started");
    assertEquals("", r.out());
    assertEquals(
        ReportFormat.toText(expected, new ReportFormat.TextStyle(100, false, false))
            + "\nsglang-preflight exec: REJECT: the command was not started (exit code 4)\n",
        r.err());
  }

  @Test
  void exec_policyWarn_runsTheOriginalCommandEvenWhenRejected() throws IOException {
    List<String> command = launch("meta-llama/Llama-3.1-70B-Instruct");

    CliRun r =
        run(
            args(
                "exec",
                List.of("--simulate", "1xL4", "--sglang-version", "0.5.1", "--policy", "warn"),
                command));

    assertEquals(7, r.exitCode(), r.toString());
    assertEquals(command.subList(1, command.size()), childArgv());
  }

  @Test
  void exec_policyWarn_doesNotRewriteAnAdjustment() throws IOException {
    List<String> command =
        launch("deepseek-ai/DeepSeek-V3", "--tp", "8", "--enable-dp-attention", "--dp-size", "8");

    CliRun r =
        run(
            args(
                "exec",
                List.of(
                    "--simulate", "8xH200", "--sglang-version", "0.4.5.post3", "--policy", "warn"),
                command));

    assertEquals(7, r.exitCode(), r.toString());
    assertEquals(command.subList(1, command.size()), childArgv());
  }

  @Test
  void exec_reportFile_isWrittenBeforeTheChildStarts() throws IOException {
    Path report = tmp.resolve("out/report.json");
    List<String> command = launch("meta-llama/Llama-3.1-8B-Instruct");
    var env = new java.util.HashMap<>(SEED_ENV);
    env.put("EXPECT_REPORT", report.toString());

    CliRun r =
        run(
            env,
            args(
                "exec",
                List.of(
                    "--simulate",
                    "1xH100",
                    "--sglang-version",
                    "0.5.1",
                    "--report-file",
                    report.toString()),
                command));

    assertEquals(7, r.exitCode(), "the child found the report file (exit 9 if not): " + r);
    assertEquals("ACCEPT", JSON.std.mapFrom(Files.readString(report)).get("decision"));
  }

  @Test
  void exec_programMissing_exit127NamingIt() {
    Path missing = tmp.resolve("nowhere/python3");
    List<String> command =
        List.of(
            missing.toString(),
            "-m",
            "sglang.launch_server",
            "--model-path",
            "meta-llama/Llama-3.1-8B-Instruct");

    CliRun r =
        run(args("exec", List.of("--simulate", "1xH100", "--sglang-version", "0.5.1"), command));

    assertEquals(ExitCodes.CANNOT_START, r.exitCode(), r.toString());
    assertTrue(
        r.err()
            .startsWith("sglang-preflight exec: cannot start " + String.join(" ", command) + ": "),
        r.err());
    assertTrue(
        r.err()
            .endsWith(
                "; check that the program exists and is executable (without a slash it is looked"
                    + " up on the PATH)\n"),
        r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void exec_serverArgumentsOnly_exit2() {
    CliRun r =
        run(
            args(
                "exec",
                List.of("--simulate", "1xH100"),
                List.of("--model-path", "meta-llama/Llama-3.1-8B-Instruct")));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight exec: only server arguments were given, and they cannot be run: give the"
            + " whole SGLang command, e.g. sglang-preflight exec [options] -- python3 -m"
            + " sglang.launch_server --model-path meta-llama/Llama-3.1-8B-Instruct ...\n"
            + "Run 'sglang-preflight exec --help' for the options.\n",
        r.err());
  }

  @Test
  void exec_gpusUnreadable_exit1WithoutStartingTheCommand() {
    CliRun r =
        run(
            args(
                "exec",
                List.of("--sglang-version", "0.5.1"),
                launch("meta-llama/Llama-3.1-8B-Instruct")));

    assertEquals(ExitCodes.GPUS_UNREADABLE, r.exitCode(), r.toString());
    assertFalse(Files.exists(argvFile));
  }

  @Test
  void exec_allowUnreadableGpus_runsTheCommandUnchecked() throws IOException {
    List<String> command = launch("meta-llama/Llama-3.1-8B-Instruct");

    CliRun r =
        run(args("exec", List.of("--sglang-version", "0.5.1", "--allow-unreadable-gpus"), command));

    assertEquals(7, r.exitCode(), r.toString());
    assertEquals(command.subList(1, command.size()), childArgv());
  }
}
