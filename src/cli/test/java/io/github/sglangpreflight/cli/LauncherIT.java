package io.github.sglangpreflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.ReportFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sglang-preflight} with the packaged CLI jar (Failsafe, after {@code package}): the
 * launcher finds the JDK, runs the shaded jar with its manifest (native access) and a CDS archive.
 * The jar is copied into a temporary directory so the archive and the remembered JDK land there.
 */
class LauncherIT {
  private static Path launcher;
  private static Path jar;

  @TempDir static Path state;
  @TempDir Path tmp;

  @BeforeAll
  static void copyJar() throws IOException {
    Path basedir = Path.of(System.getProperty("project.basedir", "."));
    launcher = basedir.resolve("bin/sglang-preflight");
    Path built = Path.of(System.getProperty("cli.jar", "target/sglang-preflight-cli.jar"));
    assertTrue(Files.isRegularFile(built), built + " is built by package");
    jar = Files.copy(built, state.resolve("sglang-preflight-cli.jar"));
  }

  record Proc(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private Proc launch(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("SGLANG_PREFLIGHT_JAR", jar.toString());
    pb.environment().put("SGLANG_PREFLIGHT_JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("SGLANG_PREFLIGHT_JAVA_OPTS");
    pb.environment().remove("SGLANG_PREFLIGHT_NVML_LIBRARY");
    pb.environment().remove("COLUMNS");
    pb.environment().putAll(env);
    Path err = tmp.resolve("stderr.txt");
    pb.redirectError(err.toFile());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the launcher finished");
    return new Proc(p.exitValue(), out, Files.readString(err));
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
  void seedCase_adjusts3_twiceWithTheSameOutputTheSecondTimeFromTheArchive() throws Exception {
    Proc first = launch(CliRun.SEED_ENV, seed());
    Proc second = launch(CliRun.SEED_ENV, seed());

    assertEquals(ExitCodes.ADJUST, first.exitCode(), first.toString());
    assertEquals(
        ReportFormat.toText(
            MainTest.library("8xH200", "0.4.5.post3", CliRun.SEED_COMMAND),
            new ReportFormat.TextStyle(100, true, false)),
        first.out());
    assertTrue(first.out().contains("CUDA-graph capture under DP attention"), first.out());
    assertEquals("", first.err(), "nothing on stderr: no CDS chatter, no warning, no repeated log");
    assertEquals(first, second);
    // JDK 25+: an AOT cache (JEP 483/514/515); older JDKs: a class-data-sharing archive
    try (var files = Files.list(state)) {
      assertTrue(
          files.anyMatch(
              p -> {
                String n = p.getFileName().toString();
                return Files.isRegularFile(p)
                    && (n.equals("sglang-preflight.jsa")
                        || (n.startsWith("sglang-preflight-") && n.endsWith(".aot")));
              }),
          "AOT cache or CDS archive written");
    }
    assertFalse(
        Files.exists(state.resolve("java-home")),
        "an explicit JDK is used as given, not remembered");
    Path classLog = tmp.resolve("classes.log");
    Map<String, String> env = new java.util.HashMap<>(CliRun.SEED_ENV);
    env.put("SGLANG_PREFLIGHT_JAVA_OPTS", "-Xlog:class+load:file=" + classLog);
    assertEquals(ExitCodes.ADJUST, launch(env, seed()).exitCode());
    assertTrue(
        Files.readAllLines(classLog).stream()
            .anyMatch(
                l ->
                    l.contains(" " + Main.class.getName() + " ")
                        && l.contains("source: shared objects file")),
        "Main comes from the AOT cache or CDS archive");
  }

  @Test
  void seedCaseJson_onlyTheReportOnStdout() throws Exception {
    Proc p = launch(CliRun.SEED_ENV, seed("--json"));

    assertEquals(ExitCodes.ADJUST, p.exitCode(), p.toString());
    Map<String, Object> report = JSON.std.mapFrom(p.out());
    assertEquals("ADJUST", report.get("decision"));
    assertEquals(
        MainTest.library("8xH200", "0.4.5.post3", CliRun.SEED_COMMAND)
            .recommendedFraction()
            .getAsDouble(),
        ((Number) report.get("recommendedFraction")).doubleValue());
  }

  @Test
  void cliJarBundlesItsSlf4jBinding_logLinesWithoutSlf4jWarnings() throws Exception {
    Proc p = launch(CliRun.SEED_ENV, seed("--json", "--quiet"));

    assertEquals(ExitCodes.ADJUST, p.exitCode(), p.toString());
    List<String> lines = p.err().lines().toList();
    assertTrue(
        lines.stream().noneMatch(l -> l.startsWith("SLF4J")),
        "no 'no SLF4J providers' warning: the jar has slf4j-simple\n" + p.err());
    assertTrue(
        lines.get(0).startsWith("WARN Preflight - ADJUST: "),
        "the format of the jar's simplelogger.properties\n" + p.err());
  }

  @Test
  void gpusSimulateJson_isThePresetSnapshot() throws Exception {
    Proc p = launch(Map.of(), "gpus", "--simulate", "8xH200", "--json");

    assertEquals(ExitCodes.ACCEPT, p.exitCode(), p.toString());
    assertEquals(GpuPresets.inventory("8xH200"), GpuSnapshots.parse(p.out(), "stdout"));
    assertEquals("", p.err());
  }

  @Test
  void gpusThroughTheStubNvml_nativeAccessFromTheManifestWithoutAWarning() throws Exception {
    Path stub =
        Path.of(
            System.getProperty("project.basedir", "."),
            "target/nvml-stub/current/libnvidia-ml.so.1");
    assumeTrue(Files.isRegularFile(stub), "stub NVML built");

    Proc p = launch(Map.of("SGLANG_PREFLIGHT_NVML_LIBRARY", stub.toString()), "gpus");

    assertEquals(ExitCodes.ACCEPT, p.exitCode(), p.toString());
    assertTrue(p.out().contains(" GPUs from NVML (" + stub.toRealPath() + ")"), p.out());
    assertFalse(p.err().contains("WARNING"), p.err());
    assertEquals("", p.err());
  }

  @Test
  void badInput_exit2WithoutAStackTrace() throws Exception {
    Proc p = launch(Map.of(), "check", "--simulate", "8xH200");

    assertEquals(ExitCodes.BAD_INPUT, p.exitCode(), p.toString());
    assertFalse(p.err().contains("\tat "), p.err());
    assertTrue(
        p.err().startsWith("sglang-preflight check: the SGLang command is missing"), p.err());
  }
}
