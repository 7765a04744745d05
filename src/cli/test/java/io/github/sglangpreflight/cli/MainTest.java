package io.github.sglangpreflight.cli;

import static io.github.sglangpreflight.cli.CliRun.SEED_COMMAND;
import static io.github.sglangpreflight.cli.CliRun.SEED_ENV;
import static io.github.sglangpreflight.cli.CliRun.args;
import static io.github.sglangpreflight.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.Preflight;
import io.github.sglangpreflight.decision.Decision;
import io.github.sglangpreflight.decision.Policy;
import io.github.sglangpreflight.gpu.GpuInventory;
import io.github.sglangpreflight.gpu.GpuInventorySource;
import io.github.sglangpreflight.gpu.source.GpuPresets;
import io.github.sglangpreflight.gpu.source.GpuSnapshots;
import io.github.sglangpreflight.report.PreflightReport;
import io.github.sglangpreflight.report.ReportFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check}, the options, the exit codes and the bad-input sentences, in-process. */
class MainTest {
  private static final List<String> SEED_OPTIONS =
      List.of("--simulate", "8xH200", "--sglang-version", "0.4.5.post3");
  private static final List<String> LLAMA_8B =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-8B-Instruct");
  private static final List<String> LLAMA_70B =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "meta-llama/Llama-3.1-70B-Instruct");
  private static final List<String> DEEPSEEK_V25_DP =
      List.of(
          "python3",
          "-m",
          "sglang.launch_server",
          "--model-path",
          "deepseek-ai/DeepSeek-V2.5",
          "--tp",
          "8",
          "--enable-dp-attention",
          "--dp-size",
          "8");

  @TempDir Path tmp;

  /** The report the library itself makes for a launch on a preset: what the CLI must relay. */
  static PreflightReport library(String preset, String version, List<String> command) {
    return Preflight.newBuilder()
        .gpuSource(GpuSnapshots.presetSource(preset))
        .sglangVersion(version)
        .build()
        .check(command, SEED_ENV);
  }

  private static Map<String, Object> json(String text) throws IOException {
    String t = text.strip();
    assertTrue(t.startsWith("{") && t.endsWith("}"), "stdout holds only one JSON object: " + text);
    return JSON.std.mapFrom(t);
  }

  private static void assertNoStackTrace(CliRun r) {
    assertFalse(r.err().contains("\tat "), r.toString());
    assertFalse(r.err().contains("Exception"), r.toString());
  }

  // ------------------------------------------------------------------------------------ decisions

  @Test
  void check_seedCase_printsTheLibrarysTableAndExits3() {
    CliRun r = run(args("check", SEED_OPTIONS, SEED_COMMAND));

    PreflightReport expected = library("8xH200", "0.4.5.post3", SEED_COMMAND);
    assertEquals(Decision.ADJUST, expected.decision());
    assertEquals(ExitCodes.ADJUST, r.exitCode(), r.toString());
    assertEquals(
        ReportFormat.toText(expected, new ReportFormat.TextStyle(100, true, false)), r.out());
    assertTrue(r.out().startsWith("sglang-preflight: ADJUST"), r.out());
    assertTrue(
        expected.headline().contains("most of it CUDA-graph capture under DP attention"),
        expected.headline());
    assertTrue(r.out().contains("Command (rewritten)"), r.out());
    assertEquals("", r.err());
  }

  @Test
  void check_seedCase_short_givesTheBudgetOnceAndVerboseGivesEveryTerm() {
    CliRun brief = run(args("check", SEED_OPTIONS, SEED_COMMAND));
    List<String> verboseOptions = new ArrayList<>(SEED_OPTIONS);
    verboseOptions.add("--verbose");
    CliRun verbose = run(args("check", verboseOptions, SEED_COMMAND));

    PreflightReport expected = library("8xH200", "0.4.5.post3", SEED_COMMAND);
    assertEquals(ReportFormat.toText(expected, ReportFormat.TextStyle.standard()), verbose.out());
    assertEquals(ExitCodes.ADJUST, verbose.exitCode(), verbose.toString());
    // the budget once (at the recommended fraction), the requested one in a line
    assertEquals(1, brief.out().split("\nBudget at ", -1).length - 1, brief.out());
    assertTrue(brief.out().contains("\nBudget at the recommended 0.871 (GPU 0"), brief.out());
    assertTrue(
        brief
            .out()
            .contains(
                "At the requested 0.907 (GPU 0): 12.81 GiB outside the pool, 16.72 GiB needed"
                    + " there plus the 1.00 GiB\n  margin: headroom -3.91 GiB, SHORT by 4.91 GiB\n"),
        brief.out());
    assertFalse(brief.out().contains("reserve_for_graph_mb"), "no formulas: " + brief.out());
    // the reason does not repeat the first line's fraction and its origin
    assertTrue(
        brief.out().contains("\n  0.907 leaves 12.81 GiB outside the static pool on GPU 0"),
        brief.out());
    assertFalse(brief.out().contains("ADJUST: --mem-fraction-static 0.907"), brief.out());
    assertTrue(
        verbose.out().contains("\n  ADJUST: --mem-fraction-static 0.907 (SGLang 0.4.5.post3's"),
        verbose.out());
    assertTrue(verbose.out().contains("reserve_for_graph_mb server_args.py"), verbose.out());
    assertTrue(verbose.out().contains("Budget at the requested 0.907"), verbose.out());
    // the per-GPU bars are kept
    for (int gpu = 0; gpu < 8; gpu++) {
      assertTrue(brief.out().contains("\n  GPU " + gpu + "   |"), brief.out());
    }
    long briefLines = brief.out().lines().count();
    long verboseLines = verbose.out().lines().count();
    assertTrue(briefLines * 2 < verboseLines, briefLines + " vs " + verboseLines);
  }

  @Test
  void check_llama8bOn1xH100_accepts0() {
    CliRun r =
        run(
            args(
                "check",
                List.of("--simulate", "1xH100", "--sglang-version", "0.4.5.post3"),
                LLAMA_8B));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sglang-preflight: ACCEPT"), r.out());
  }

  @Test
  void checkJson_deepSeekV25DpAttentionOn8xH100_rejects4WithRemediesAndNoRecommendation()
      throws IOException {
    CliRun r =
        run(
            args(
                "check",
                List.of("--simulate", "8xH100", "--sglang-version", "0.5.1", "--json"),
                DEEPSEEK_V25_DP));

    assertEquals(ExitCodes.REJECT, r.exitCode(), r.toString());
    Map<String, Object> report = json(r.out());
    assertEquals("REJECT", report.get("decision"));
    assertTrue(report.containsKey("recommendedFraction"));
    assertNull(report.get("recommendedFraction"));
    List<?> remedies = (List<?>) report.get("remedies");
    assertFalse(remedies.isEmpty(), r.out());
    Map<?, ?> first = (Map<?, ?>) remedies.getFirst();
    assertInstanceOf(String.class, first.get("change"));
    assertInstanceOf(Boolean.class, first.get("sufficient"));
  }

  @Test
  void check_llama70bOn1xL4_rejects4() {
    CliRun r =
        run(args("check", List.of("--simulate", "1xL4", "--sglang-version", "0.5.1"), LLAMA_70B));

    assertEquals(ExitCodes.REJECT, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sglang-preflight: REJECT"), r.out());
  }

  @Test
  void check_policyReject_turnsTheSeedAdjustmentIntoARejection4() {
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.addAll(List.of("--policy", "reject"));

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(ExitCodes.REJECT, r.exitCode(), r.toString());
    assertTrue(
        r.out().replaceAll("\\s+", " ").contains("the reject policy forbids changing it"), r.out());
  }

  @Test
  void check_policyWarn_reportsTheDecisionAndKeepsTheCommand() throws IOException {
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.addAll(List.of("--policy", "WARN", "--json"));

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(ExitCodes.ADJUST, r.exitCode(), r.toString());
    Map<String, Object> report = json(r.out());
    assertEquals("warn", report.get("policy"));
    assertEquals(SEED_COMMAND, report.get("command"));
  }

  @Test
  void check_quiet_printsOnlyTheVerdictAndItsReasons() {
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.add("--quiet");

    CliRun r = run(args("check", options, SEED_COMMAND));

    String full =
        ReportFormat.toText(
            library("8xH200", "0.4.5.post3", SEED_COMMAND),
            new ReportFormat.TextStyle(100, true, false));
    assertEquals(ExitCodes.ADJUST, r.exitCode(), r.toString());
    assertEquals(full.substring(0, full.indexOf("\n\n") + 1), r.out());
  }

  @Test
  void check_asciiAndWidth_drawTheTableWithThatStyle() {
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.addAll(List.of("--ascii", "--width", "80", "--verbose"));

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(
        ReportFormat.toText(
            library("8xH200", "0.4.5.post3", SEED_COMMAND),
            new ReportFormat.TextStyle(80, false, true)),
        r.out());
    assertTrue(r.out().chars().allMatch(c -> c < 128), "ASCII only");
  }

  @Test
  void check_columnsEnvironment_isTheDefaultWidth() {
    Map<String, String> env = Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1", "COLUMNS", "120");

    CliRun r = run(env, args("check", SEED_OPTIONS, SEED_COMMAND));

    assertEquals(
        ReportFormat.toText(
            library("8xH200", "0.4.5.post3", SEED_COMMAND),
            new ReportFormat.TextStyle(120, true, false)),
        r.out());
  }

  // ------------------------------------------------------------------------------------ JSON

  @Test
  void checkJson_seedCase_stdoutHoldsOnlyTheReportWithTheDocumentedKeysAndTypes()
      throws IOException {
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.add("--json");

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(ExitCodes.ADJUST, r.exitCode(), r.toString());
    Map<String, Object> report = json(r.out());
    assertEquals(
        JSON.std.mapFrom(ReportFormat.toJson(library("8xH200", "0.4.5.post3", SEED_COMMAND))),
        report);
    assertEquals("sglang-preflight/report/v1", report.get("schema"));
    assertEquals("ADJUST", report.get("decision"));
    assertInstanceOf(Number.class, report.get("requestedFraction"));
    assertEquals("sglang-default", report.get("requestedFractionSource"));
    assertInstanceOf(Number.class, report.get("recommendedFraction"));
    assertInstanceOf(Number.class, report.get("maxSafeFraction"));
    assertInstanceOf(Number.class, report.get("minFraction"));
    assertEquals("0.4.5.post3", report.get("sglangVersion"));
    List<?> gpus = (List<?>) report.get("gpus");
    assertEquals(8, gpus.size());
    for (Object o : gpus) {
      Map<?, ?> g = (Map<?, ?>) o;
      assertInstanceOf(Integer.class, g.get("index"));
      assertInstanceOf(String.class, g.get("uuid"));
      assertInstanceOf(String.class, g.get("name"));
      for (String k : List.of("totalBytes", "reservedBytes", "freeBytes", "usedBytes")) {
        assertInstanceOf(Number.class, g.get(k), k);
      }
    }
    Map<?, ?> estimate = (Map<?, ?>) report.get("estimate");
    for (String k :
        List.of(
            "preLoadFreeBytes",
            "weightsBytesPerGpu",
            "kvBytesPerToken",
            "kvTokens",
            "reserveNeededBytes")) {
      assertInstanceOf(Number.class, estimate.get(k), k);
    }
    List<?> items = (List<?>) estimate.get("items");
    assertFalse(items.isEmpty());
    for (Object o : items) {
      Map<?, ?> i = (Map<?, ?>) o;
      assertInstanceOf(String.class, i.get("name"));
      assertInstanceOf(Number.class, i.get("bytes"));
      assertInstanceOf(String.class, i.get("basis"));
    }
    List<?> reasons = (List<?>) report.get("reasons");
    assertInstanceOf(String.class, reasons.getFirst());
    assertInstanceOf(List.class, report.get("remedies"));
    List<?> command = (List<?>) report.get("command");
    assertEquals("--mem-fraction-static", command.get(command.size() - 2));
  }

  @Test
  void checkJson_flagGiven_requestedFractionSourceIsFlag() throws IOException {
    List<String> command = new ArrayList<>(LLAMA_8B);
    command.addAll(List.of("--mem-fraction-static", "0.8"));

    CliRun r =
        run(
            args(
                "check",
                List.of("--simulate", "1xH100", "--sglang-version", "0.5.1", "--json"),
                command));

    Map<String, Object> report = json(r.out());
    assertEquals("flag", report.get("requestedFractionSource"));
    assertEquals(0.8, ((Number) report.get("requestedFraction")).doubleValue());
  }

  @Test
  void check_safetyMarginAndMinKvTokens_reachTheBuilder() throws IOException {
    List<String> options =
        List.of(
            "--simulate",
            "1xH100",
            "--sglang-version",
            "0.5.1",
            "--safety-margin",
            "1.5 GiB",
            "--min-kv-tokens",
            "50000",
            "--json");

    CliRun r = run(args("check", options, LLAMA_8B));

    PreflightReport expected =
        Preflight.newBuilder()
            .gpuSource(GpuSnapshots.presetSource("1xH100"))
            .sglangVersion("0.5.1")
            .safetyMarginBytes(1610612736L)
            .minKvTokens(50000)
            .build()
            .check(LLAMA_8B, SEED_ENV);
    assertEquals(JSON.std.mapFrom(ReportFormat.toJson(expected)), json(r.out()));
  }

  @Test
  void check_snapshotFile_isReplayed() throws IOException {
    Path snapshot = tmp.resolve("gpus.json");
    Files.writeString(snapshot, GpuSnapshots.toJson(GpuPresets.inventory("1xH100")));

    CliRun r =
        run(
            args(
                "check",
                List.of("--gpus", snapshot.toString(), "--sglang-version", "0.5.1", "--json"),
                LLAMA_8B));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals("snapshot file " + snapshot, json(r.out()).get("gpuSource"));
  }

  // ------------------------------------------------------------------------------------ report
  // file

  @Test
  void reportFile_writesTheJsonReportCreatingParentDirectories() throws IOException {
    Path file = tmp.resolve("a/b/termination-log");
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.addAll(List.of("--report-file", file.toString()));

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(ExitCodes.ADJUST, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sglang-preflight: ADJUST"), "the table still goes to stdout");
    assertEquals(
        JSON.std.mapFrom(ReportFormat.toJson(library("8xH200", "0.4.5.post3", SEED_COMMAND))),
        JSON.std.mapFrom(Files.readString(file)));
  }

  @Test
  void reportFile_unwritable_exit2NamingThePath() throws IOException {
    Path blocker = Files.writeString(tmp.resolve("file"), "x");
    Path file = blocker.resolve("report.json");
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.addAll(List.of("--report-file", file.toString()));

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: --report-file "
            + file
            + " cannot be written (a file is in the way: "
            + blocker
            + "); give a writable path or drop --report-file\n",
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void apiKey_neverAppearsInTextJsonOrTheReportFile() throws IOException {
    List<String> command = new ArrayList<>(LLAMA_8B);
    command.addAll(List.of("--api-key", "sekrit-123", "--admin-api-key=adm-456"));
    Path file = tmp.resolve("report.json");
    List<String> options =
        List.of(
            "--simulate", "1xH100", "--sglang-version", "0.5.1", "--report-file", file.toString());

    CliRun text = run(args("check", options, command));
    List<String> jsonOptions = new ArrayList<>(options);
    jsonOptions.add("--json");
    CliRun json = run(args("check", jsonOptions, command));

    for (String output :
        List.of(text.out(), text.err(), json.out(), json.err(), Files.readString(file))) {
      assertFalse(output.contains("sekrit-123"), output);
      assertFalse(output.contains("adm-456"), output);
    }
    assertTrue(json.out().contains("\"--api-key\", \"***\""), json.out());
  }

  // ------------------------------------------------------------------------------------ bad input

  private CliRun badInput(List<String> options, List<String> command, String expectedErr) {
    CliRun r = run(args("check", options, command));
    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(expectedErr, r.err());
    assertEquals("", r.out());
    assertNoStackTrace(r);
    return r;
  }

  private static List<String> launch(String modelPath, String... more) {
    List<String> c =
        new ArrayList<>(
            List.of("python3", "-m", "sglang.launch_server", "--model-path", modelPath));
    c.addAll(List.of(more));
    return c;
  }

  private static final List<String> H100_051 =
      List.of("--simulate", "1xH100", "--sglang-version", "0.5.1");

  @Test
  void badInput_modelPathMissing() {
    Path missing = tmp.resolve("no/such/model");
    badInput(
        H100_051,
        launch(missing.toString()),
        "sglang-preflight check: --model-path "
            + missing
            + " does not exist and is not a Hugging Face id; check the path (it is resolved against"
            + " "
            + Path.of("").toAbsolutePath()
            + ")\n");
  }

  @Test
  void badInput_configNotJson() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(dir.resolve("config.json"), "{not json");
    badInput(
        H100_051,
        launch(dir.toString()),
        "sglang-preflight check: config.json at "
            + dir
            + " is not valid JSON at line 1, column 2 (Unexpected character ('n' (code 110)): was"
            + " expecting double-quote to start field name); fix the file or download the model"
            + " again\n");
  }

  @Test
  void badInput_configLacksFields() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(dir.resolve("config.json"), "{}");
    badInput(
        H100_051,
        launch(dir.toString()),
        "sglang-preflight check: config.json at "
            + dir
            + ": architectures is missing; it is required to pick SGLang's model class and its"
            + " weight layout; add it to the file or pass --model-config with a complete"
            + " config.json\n");
  }

  @Test
  void badInput_truncatedSafetensorsHeader() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("model"));
    try (var in =
        MainTest.class.getResourceAsStream(
            "/io/github/sglangpreflight/model/catalog/meta-llama__Llama-3.1-8B-Instruct.json")) {
      Map<String, Object> config = new java.util.LinkedHashMap<>(JSON.std.mapFrom(in));
      config.remove("_source");
      Files.writeString(dir.resolve("config.json"), JSON.std.asString(config));
    }
    byte[] header =
        "{\"model.embed_tokens.weight\":{\"dtype\":\"BF16\",\"shape\":[128256,4096],\"data_offsets\":[0,1050673152]}}"
            .getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer file =
        java.nio.ByteBuffer.allocate(8 + 40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    file.putLong(header.length).put(header, 0, 40);
    Path shard = Files.write(dir.resolve("model.safetensors"), file.array());
    badInput(
        H100_051,
        launch(dir.toString()),
        "sglang-preflight check: safetensors file "
            + shard
            + " is truncated: its header length "
            + header.length
            + " is beyond the file size 48; download the file again\n");
  }

  @Test
  void badInput_separatorMissing_namesTheFix() {
    CliRun r = run("check", "--simulate", "1xH100");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: the SGLang command is missing: give it after --, e.g."
            + " sglang-preflight check [options] -- python3 -m sglang.launch_server ...\n"
            + "Run 'sglang-preflight check --help' for the options.\n",
        r.err());
  }

  @Test
  void badInput_separatorMissingBeforeTheCommand_namesTheFix() {
    CliRun r = run("exec", "--simulate", "1xH100", "python3", "-m", "sglang.launch_server");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight exec: 'python3' is not an option of sglang-preflight exec, and no --"
            + " separates the SGLang command; write sglang-preflight exec [options] -- python3 -m"
            + " sglang.launch_server ...\n"
            + "Run 'sglang-preflight exec --help' for the options.\n",
        r.err());
  }

  @Test
  void badInput_nothingAfterSeparator() {
    CliRun r = run("check", "--simulate", "1xH100", "--");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: nothing follows --; give the SGLang command after it:"
            + " sglang-preflight check [options] -- python3 -m sglang.launch_server ...\n"
            + "Run 'sglang-preflight check --help' for the options.\n",
        r.err());
  }

  @Test
  void badInput_simulateAndGpusTogether() {
    badInput(
        List.of("--simulate", "1xH100", "--gpus", "gpus.json"),
        LLAMA_8B,
        "sglang-preflight check: --simulate and --gpus both say where the GPU readings come from;"
            + " give one of them\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_debugAndQuietTogether() {
    badInput(
        List.of("--debug", "--quiet"),
        LLAMA_8B,
        "sglang-preflight check: --debug and --quiet contradict each other; give one of them\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_snapshotWithNegativeMemory() throws IOException {
    String good = GpuSnapshots.toJson(GpuPresets.inventory("1xH100"));
    String bad = good.replaceFirst("\"freeBytes\" : [0-9]+", "\"freeBytes\" : -5");
    Path snapshot = Files.writeString(tmp.resolve("gpus.json"), bad);
    badInput(
        List.of("--gpus", snapshot.toString(), "--sglang-version", "0.5.1"),
        LLAMA_8B,
        "sglang-preflight check: snapshot file "
            + snapshot
            + ": gpus[0].memory.freeBytes must not be negative, was -5; fix the file or capture a"
            + " fresh one with 'sglang-preflight gpus --json'\n");
  }

  @Test
  void badInput_unknownPreset() {
    CliRun r = run(args("check", List.of("--simulate", "8xH900"), LLAMA_8B));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertTrue(
        r.err()
            .startsWith(
                "sglang-preflight check: GPU preset '8xH900' names no known GPU model ('H900');"
                    + " known models: H200 (H200-SXM, H200-141GB), H100 "),
        r.err());
    assertTrue(r.err().endsWith("; write NAME or NxNAME, e.g. 8xH200\n"), r.err());
    assertNoStackTrace(r);
  }

  @Test
  void badInput_sglangVersionNotAVersion() {
    badInput(
        List.of("--simulate", "1xH100", "--sglang-version", "banana"),
        LLAMA_8B,
        "sglang-preflight check: SGLang version 'banana' is not a version number; give one like"
            + " 0.4.5.post3, 0.5.1 or main\n");
  }

  @Test
  void badInput_tpZero() {
    badInput(
        H100_051,
        launch("meta-llama/Llama-3.1-8B-Instruct", "--tp", "0"),
        "sglang-preflight check: --tp 0 is out of range: it is the tensor-parallel size (GPUs one"
            + " copy of the model is split over) and must be at least 1; use 1 for a single GPU\n");
  }

  @Test
  void badInput_modelConfigMissing() {
    Path missing = tmp.resolve("config.json");
    CliRun r =
        run(
            args(
                "check",
                List.of(
                    "--simulate",
                    "1xH100",
                    "--sglang-version",
                    "0.5.1",
                    "--model-config",
                    missing.toString()),
                LLAMA_8B));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("sglang-preflight check: "), r.err());
    assertTrue(r.err().endsWith(" does not exist; give the path of a config.json file\n"), r.err());
    assertTrue(r.err().contains(missing.toString()), r.err());
  }

  @Test
  void badInput_unknownOption_oneSentenceAndAHintToHelp() {
    badInput(
        List.of("--simulat", "1xH100"),
        LLAMA_8B,
        "sglang-preflight check: unknown option '--simulat' (did you mean --simulate?)\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_optionWithoutItsValue() {
    CliRun r = run("check", "--simulate");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: --simulate needs a value after it, e.g. --simulate 8xH200\n"
            + "Run 'sglang-preflight check --help' for the options.\n",
        r.err());
  }

  @Test
  void badInput_optionTwice() {
    badInput(
        List.of("--policy", "warn", "--policy", "adjust"),
        LLAMA_8B,
        "sglang-preflight check: --policy was given more than once; give it once\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_unknownPolicy() {
    badInput(
        List.of("--policy", "maybe"),
        LLAMA_8B,
        "sglang-preflight check: --policy 'maybe' is not a policy; give adjust, reject or warn\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_safetyMarginNonsense() {
    badInput(
        List.of("--safety-margin", "1.5 parsecs"),
        LLAMA_8B,
        "sglang-preflight check: --safety-margin '1.5 parsecs' is not a size; write bytes or a"
            + " number with a unit, e.g. 1GiB, 512MiB, '1.5 GiB' or 2G\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_safetyMarginAboveTheLimit() {
    badInput(
        List.of("--safety-margin", "65G"),
        LLAMA_8B,
        "sglang-preflight check: --safety-margin '65G' is 65.00 GiB, above the 64.00 GiB preflight"
            + " accepts; give a smaller size, e.g. --safety-margin 2GiB\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_minKvTokensNotANumber() {
    badInput(
        List.of("--min-kv-tokens", "lots"),
        LLAMA_8B,
        "sglang-preflight check: --min-kv-tokens 'lots' is not a whole number; give the smallest"
            + " KV cache in tokens, e.g. --min-kv-tokens 32768\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_minKvTokensZero() {
    badInput(
        List.of("--min-kv-tokens", "0"),
        LLAMA_8B,
        "sglang-preflight check: --min-kv-tokens 0 is below 1; give at least one token, e.g."
            + " --min-kv-tokens 32768\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_widthTooNarrow() {
    badInput(
        List.of("--width", "40"),
        LLAMA_8B,
        "sglang-preflight check: --width 40 is outside 60-1000; the report needs at least 60"
            + " columns, e.g. --width 120\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_argumentBeforeTheSeparator() {
    badInput(
        List.of("now"),
        LLAMA_8B,
        "sglang-preflight check: unexpected argument 'now' before --: preflight's options go"
            + " before --, the SGLang command after it\n"
            + "Run 'sglang-preflight check --help' for the options.\n");
  }

  @Test
  void badInput_noCommand() {
    CliRun r = run();

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight: name a command: check (report on a launch), exec (check, then run it)"
            + " or gpus (show the GPUs), e.g. sglang-preflight check [options] -- python3 -m"
            + " sglang.launch_server ...\n"
            + "Run 'sglang-preflight --help' for the options.\n",
        r.err());
  }

  @Test
  void badInput_unknownCommand() {
    CliRun r = run("chek", "--", "python3");

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight: unknown command 'chek': give check, exec or gpus, e.g. sglang-preflight"
            + " check [options] -- python3 -m sglang.launch_server ...\n"
            + "Run 'sglang-preflight --help' for the options.\n",
        r.err());
  }

  @Test
  void badInput_debug_addsTheStackTrace() {
    CliRun r =
        run(
            args(
                "check",
                List.of("--simulate", "1xH100", "--sglang-version", "banana", "--debug"),
                LLAMA_8B));

    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertTrue(r.err().contains("InvalidInputException"), r.err());
    assertTrue(r.err().contains("\tat "), r.err());
  }

  // ------------------------------------------------------------------------------------ GPUs

  @Test
  void gpusUnreadable_exit1WithTheLibrarysSentence() {
    CliRun r = run(args("check", List.of("--sglang-version", "0.5.1"), LLAMA_8B));

    assertEquals(ExitCodes.GPUS_UNREADABLE, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: "
            + CliRun.NO_NVML
            + "\n"
            + "To check against a described machine instead, add --simulate (e.g. --simulate"
            + " 8xH200) or --gpus SNAPSHOT.json; to launch unchecked, --allow-unreadable-gpus.\n",
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void allowUnreadableGpus_acceptsUncheckedAndSaysSo() throws IOException {
    CliRun r =
        run(
            args(
                "check",
                List.of("--sglang-version", "0.5.1", "--allow-unreadable-gpus", "--json"),
                LLAMA_8B));

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    Map<String, Object> report = json(r.out());
    assertEquals("ACCEPT", report.get("decision"));
    assertEquals(false, report.get("checked"));
    assertTrue(((String) ((List<?>) report.get("reasons")).getFirst()).contains(CliRun.NO_NVML));
  }

  @Test
  void unexpectedFailure_exit70AskingForDebug() {
    Main.Context broken =
        new Main.Context(
            SEED_ENV,
            () ->
                new GpuInventorySource() {
                  @Override
                  public GpuInventory read() {
                    throw new IllegalStateException("boom");
                  }

                  @Override
                  public String describe() {
                    return "broken";
                  }
                });

    CliRun r = run(broken, args("check", List.of("--sglang-version", "0.5.1"), LLAMA_8B));
    CliRun debug =
        run(broken, args("check", List.of("--sglang-version", "0.5.1", "--debug"), LLAMA_8B));

    assertEquals(ExitCodes.INTERNAL_ERROR, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: unexpected error (java.lang.IllegalStateException: boom); this is"
            + " a bug in sglang-preflight: re-run with --debug and report it with the output\n",
        r.err());
    assertEquals(ExitCodes.INTERNAL_ERROR, debug.exitCode(), debug.toString());
    assertTrue(debug.err().contains("\tat "), debug.err());
  }

  @Test
  void unexpectedError_exit70WithOneSentenceAndNoStackTrace() {
    Main.Context broken =
        new Main.Context(
            SEED_ENV,
            () ->
                new GpuInventorySource() {
                  @Override
                  public GpuInventory read() {
                    throw new StackOverflowError();
                  }

                  @Override
                  public String describe() {
                    return "broken";
                  }
                });

    CliRun r = run(broken, args("check", List.of("--sglang-version", "0.5.1"), LLAMA_8B));

    assertEquals(ExitCodes.INTERNAL_ERROR, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight check: unexpected error (java.lang.StackOverflowError); this is a bug in"
            + " sglang-preflight: re-run with --debug and report it with the output\n",
        r.err());
  }

  // ------------------------------------------------------------------------------------ help

  @Test
  void help_everyCommand_listsEveryOptionAndTheExitCodes() {
    Map<String, Set<String>> expected =
        Map.of(
            "check",
            Set.of(
                "--simulate",
                "--gpus",
                "--policy",
                "--sglang-version",
                "--min-kv-tokens",
                "--safety-margin",
                "--model-config",
                "--allow-unreadable-gpus",
                "--report-file",
                "--calibration-dir",
                "--no-calibration",
                "--json",
                "--ascii",
                "--verbose",
                "--width",
                "--quiet",
                "--debug",
                "--help",
                "--version"),
            "exec",
            Set.of(
                "--simulate",
                "--gpus",
                "--policy",
                "--sglang-version",
                "--min-kv-tokens",
                "--safety-margin",
                "--model-config",
                "--allow-unreadable-gpus",
                "--report-file",
                "--retry-on-oom",
                "--calibration-dir",
                "--no-calibration",
                "--ascii",
                "--verbose",
                "--width",
                "--quiet",
                "--debug",
                "--help",
                "--version"),
            "gpus",
            Set.of(
                "--simulate",
                "--gpus",
                "--fallback-preset",
                "--json",
                "--width",
                "--quiet",
                "--debug",
                "--help",
                "--version"));
    for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
      CliRun r = run(e.getKey(), "--help");

      assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
      Set<String> declared = new TreeSet<>();
      picocli.CommandLine cl =
          new picocli.CommandLine(
              switch (e.getKey()) {
                case "check" -> new Commands.Check();
                case "exec" -> new Commands.Exec();
                default -> new Commands.Gpus();
              });
      cl.getCommandSpec().options().forEach(o -> declared.add(o.longestName()));
      assertEquals(new TreeSet<>(e.getValue()), declared, e.getKey());
      for (String option : declared) {
        assertTrue(r.out().contains(option), e.getKey() + " --help lists " + option);
      }
      assertTrue(r.out().contains("Exit codes:"), r.out());
      assertEquals("", r.err());
    }
  }

  @Test
  void help_topLevel_showsTheSeedCaseAndTheCommands() {
    CliRun r = run("--help");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    for (String line :
        List.of(
            Commands.SEED_EXAMPLE_1,
            Commands.SEED_EXAMPLE_2,
            Commands.SEED_EXAMPLE_3,
            Commands.SEED_EXAMPLE_4,
            "  check ",
            "  exec ",
            "  gpus ")) {
      assertTrue(r.out().contains(line), line);
    }
    assertTrue(run("check", "--help").out().contains(Commands.SEED_EXAMPLE_3));
  }

  @Test
  void version_printsTheNameAndTheJavaVersion() {
    CliRun r = run("--version");
    CliRun sub = run("check", "--version");

    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
    assertEquals(
        "sglang-preflight " + Main.version() + "\nJava " + Runtime.version() + "\n", r.out());
    assertEquals(r.out(), sub.out());
  }

  @Test
  void policy_isCaseInsensitive() {
    List<String> options = new ArrayList<>(SEED_OPTIONS);
    options.addAll(List.of("--policy", "Adjust", "--json"));

    CliRun r = run(args("check", options, SEED_COMMAND));

    assertEquals(ExitCodes.ADJUST, r.exitCode(), r.toString());
    assertTrue(r.out().contains("\"policy\" : \"" + Policy.ADJUST.name().toLowerCase() + "\""));
  }
}
