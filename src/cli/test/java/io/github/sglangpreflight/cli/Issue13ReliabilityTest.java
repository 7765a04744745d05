package io.github.sglangpreflight.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's findings through the CLI: the 6 crashes end in exit 2 naming the input, the 5 silent
 * accepts are REJECTs whose first reason is SGLang's own rule, and a REJECT never opens with the
 * text of an acceptance.
 */
class Issue13ReliabilityTest {
  private static final List<String> H200_051 =
      List.of("--simulate", "8xH200", "--sglang-version", "0.5.1", "--quiet");

  @TempDir Path tmp;

  private static List<String> launch(String model, String... more) {
    List<String> c =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    c.addAll(List.of(more));
    return c;
  }

  private static CliRun check(List<String> command) {
    return CliRun.run(CliRun.args("check", H200_051, command));
  }

  private static CliRun check(Map<String, String> env, List<String> command) {
    return CliRun.run(env, CliRun.args("check", H200_051, command));
  }

  /** The verdict's first reason line (the line after the headline). */
  private static String firstReason(CliRun r) {
    String[] lines = r.out().split("\n");
    assertTrue(lines.length > 1, r.toString());
    return lines[1].strip();
  }

  private static void assertRejectedFirstBy(CliRun r, String... fragments) {
    assertEquals(ExitCodes.REJECT, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("sglang-preflight: REJECT"), r.toString());
    assertFalse(r.out().contains("ACCEPT"), r.toString());
    String reasons = r.out().substring(r.out().indexOf('\n') + 1).replaceAll("\\s+", " ");
    assertTrue(firstReason(r).startsWith("REJECT: SGLang 0.5.1 refuses this launch: "), r.out());
    for (String f : fragments) {
      assertTrue(reasons.contains(f), "missing <" + f + "> in " + r);
    }
    assertEquals("", r.err(), r.toString());
  }

  // ---- the 5 silent accepts ------------------------------------------------------------------

  @Test
  void silentAccept1_llama31_8b_tp3_isRejectedByTheHeadsRule() {
    assertRejectedFirstBy(
        check(launch("meta-llama/Llama-3.1-8B-Instruct", "--tp", "3")),
        "--tp 3 does not divide the model's 32 attention heads",
        "num_attention_heads % tp_size == 0",
        "models/llama.py L129, L135, L139 @v0.5.1",
        "--tp 3 does not divide the model's 8 KV heads");
  }

  @Test
  void silentAccept2_llama31_70b_tp5_isRejectedByTheHeadsRule() {
    assertRejectedFirstBy(
        check(launch("meta-llama/Llama-3.1-70B-Instruct", "--tp", "5")),
        "--tp 5 does not divide the model's 64 attention heads",
        "use a TP size that divides 64 (1, 2, 4, 8, 16, 32, 64)");
  }

  @Test
  void silentAccept3_qwen3_8b_tp6_isRejectedByTheHeadsRule() {
    assertRejectedFirstBy(
        check(launch("Qwen/Qwen3-8B", "--tp", "6")),
        "--tp 6 does not divide the model's 32 attention heads",
        "models/qwen3.py L62, L68, L72 @v0.5.1");
  }

  @Test
  void silentAccept4_qwen3_235b_fp8_tp3_isRejectedByTheHeadsRule() {
    assertRejectedFirstBy(
        check(launch("Qwen/Qwen3-235B-A22B-FP8", "--tp", "3")),
        "--tp 3 does not divide the model's 64 attention heads",
        "--tp 3 does not divide the model's 4 KV heads",
        "models/qwen3_moe.py L287, L293, L297 @v0.5.1");
  }

  @Test
  void silentAccept5_contextLengthAboveTheModel_isRejectedWithoutTheOverride() {
    assertRejectedFirstBy(
        check(launch("meta-llama/Llama-3.1-8B-Instruct", "--context-length", "200000")),
        "--context-length 200000 is above the context length 131072 SGLang derives",
        "allowed only with SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1",
        "model_config.py L166-184 @v0.5.1");
  }

  @Test
  void silentAccept5_contextLengthAboveTheModel_withTheOverride_isNotRefusedForIt() {
    CliRun r =
        check(
            Map.of("SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN", "1"),
            launch("meta-llama/Llama-3.1-8B-Instruct", "--context-length", "200000"));
    assertFalse(r.out().contains("refuses this launch"), r.toString());
    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
  }

  @Test
  void newerFamilies_gptOss120bTp3_isRejectedFirstByGptOssAttention() {
    assertRejectedFirstBy(
        check(launch("openai/gpt-oss-120b", "--tp", "3")),
        "--tp 3 does not divide the model's 64 attention heads",
        "models/gpt_oss.py L231, L237, L241 @009c6808");
  }

  @Test
  void newerFamilies_gemma3VisionTowerOverTp32_isRejectedFirstBySiglip() {
    CliRun r =
        CliRun.run(
            CliRun.args(
                "check",
                List.of("--simulate", "32xH200", "--sglang-version", "0.5.1", "--quiet"),
                launch("google/gemma-3-27b-it", "--tp", "32")));
    assertRejectedFirstBy(
        r,
        "--tp 32 does not divide the vision tower's 16 attention heads",
        "models/siglip.py L118-120 @00347ba8",
        "distributed/utils.py L22-33 @1107be11");
  }

  @Test
  void tpDividingHeadsAndKvHeads_isStillAccepted() {
    CliRun r = check(launch("meta-llama/Llama-3.1-8B-Instruct", "--tp", "8"));
    assertEquals(ExitCodes.ACCEPT, r.exitCode(), r.toString());
  }

  // ---- the REJECT wording --------------------------------------------------------------------

  @Test
  void unknownFlag_rejectOpensWithTheRefusalNotWithAnAcceptance() {
    CliRun r = check(launch("meta-llama/Llama-3.1-8B-Instruct", "--no-such-flag"));
    assertRejectedFirstBy(r, "does not know --no-such-flag", "unrecognized arguments");
  }

  @Test
  void ppSize1000_isRejectedFirstForTheLayersAndPrintsNoNegativeFractionInTheReasons() {
    CliRun r =
        check(
            launch(
                "meta-llama/Llama-3.1-8B-Instruct",
                "--pp-size",
                "1000",
                "--disable-overlap-schedule"));
    assertRejectedFirstBy(
        r,
        "--pp-size 1000 splits the model's 32 decoder layers into 1000 pipeline stages",
        "use --pp-size 32 or less");
    String reasons = r.out().substring(r.out().indexOf('\n') + 1);
    assertFalse(reasons.matches("(?s).*\\s-0\\.[0-9].*"), r.toString());
    // the status line says that SGLang's own default (here negative) is no usable fraction
    String status = r.out().substring(0, r.out().indexOf('\n'));
    assertTrue(
        status.contains("default, not a usable fraction: SGLang would have no static pool"),
        status);
  }

  // ---- the 6 crashes -------------------------------------------------------------------------

  private CliRun withConfigField(String field, String value) throws Exception {
    String base =
        Files.readString(
            Path.of(
                System.getProperty("project.basedir", "."),
                "src/main/resources/io/github/sglangpreflight/model/catalog/"
                    + "meta-llama__Llama-3.1-8B-Instruct.json"));
    Path dir = Files.createDirectories(tmp.resolve(field));
    String edited =
        base.replaceFirst("\"" + field + "\": *-?[0-9]+", "\"" + field + "\": " + value);
    assertFalse(edited.equals(base), field);
    Files.writeString(dir.resolve("config.json"), edited);
    return check(launch(dir.toString()));
  }

  private static void assertBadInput(CliRun r, String... fragments) {
    assertEquals(ExitCodes.BAD_INPUT, r.exitCode(), r.toString());
    assertFalse(r.err().contains("\tat "), r.toString());
    assertFalse(r.err().contains("Exception"), r.toString());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), "missing <" + f + "> in " + r);
    }
  }

  @Test
  void crash1_zeroAttentionHeads_isBadInputNamingTheField() throws Exception {
    assertBadInput(
        withConfigField("num_attention_heads", "0"),
        "num_attention_heads is 0, outside the accepted range 1 to 65,536");
  }

  @Test
  void crash2_zeroLayers_isBadInputNamingTheField() throws Exception {
    assertBadInput(
        withConfigField("num_hidden_layers", "0"),
        "num_hidden_layers is 0, outside the accepted range 1 to 100,000");
  }

  @Test
  void crash3_zeroKvHeads_isBadInputNamingTheField() throws Exception {
    assertBadInput(
        withConfigField("num_key_value_heads", "0"),
        "num_key_value_heads is 0, outside the accepted range 1 to 65,536");
  }

  @Test
  void crash4_negativeHiddenSize_isBadInputNamingTheField() throws Exception {
    assertBadInput(
        withConfigField("hidden_size", "-4096"),
        "hidden_size is -4096, outside the accepted range 1 to 1,048,576");
  }

  @Test
  void crash5_aNumberOf3000DigitsInAFlag_isBadInputNotAStackOverflow() {
    assertBadInput(
        check(launch("meta-llama/Llama-3.1-8B-Instruct", "--tp", "7".repeat(3000))), "--tp");
  }

  @Test
  void crash6_aFloatOf5000DigitsInAFlag_isBadInputNotAStackOverflow() {
    assertBadInput(
        check(
            launch(
                "meta-llama/Llama-3.1-8B-Instruct",
                "--mem-fraction-static",
                "0." + "1_2".repeat(2000))),
        "--mem-fraction-static");
  }
}
