package io.github.sglangpreflight.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.model.ModelSpec;
import io.github.sglangpreflight.model.source.ModelCatalog;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SglangModelChecksTest {
  private static final String LONGER = SglangModelChecks.ALLOW_LONGER_CONTEXT;

  private static ModelSpec spec(String id) {
    return ModelCatalog.builtIn().describe(id).orElseThrow().spec();
  }

  private static LaunchCommand launch(Map<String, String> env, String model, String... flags) {
    List<String> argv =
        new ArrayList<>(List.of("python3", "-m", "sglang.launch_server", "--model-path", model));
    argv.addAll(List.of(flags));
    return LaunchCommand.parse(argv, env);
  }

  private static List<String> ids(Snapshot s, LaunchCommand l, String model) {
    return SglangModelChecks.check(s, l, spec(model)).stream().map(SglangRefusal::ruleId).toList();
  }

  private static final String LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct";

  @ParameterizedTest(name = "{0} with {1}={2}: refused {3}")
  @CsvSource({
    // before v0.5.1 the variable defaults to True: refused only when set to another value
    "V0_4_5_POST3, '', '', false",
    "V0_4_5_POST3, set, 0, true",
    "V0_4_5_POST3, set, 1, false",
    "V0_4_9, set, false, true",
    // v0.5.1: default false; only true/1 allow
    "V0_5_1, '', '', true",
    "V0_5_1, set, 1, false",
    "V0_5_1, set, TRUE, false",
    "V0_5_1, set, yes, true",
    // main: EnvBool, true/1/yes/y
    "MAIN, '', '', true",
    "MAIN, set, yes, false",
    "MAIN, set, 0, true",
  })
  void contextLengthAboveTheModel_followsEachVersionsDefault(
      Snapshot s, String set, String value, boolean refused) {
    Map<String, String> env = set.isEmpty() ? Map.of() : Map.of(LONGER, value);
    List<String> ids = ids(s, launch(env, LLAMA_8B, "--context-length", "131073"), LLAMA_8B);
    assertEquals(refused ? List.of("context-length-above-model") : List.of(), ids);
  }

  @Test
  void contextLength_atTheModelsMaximum_isNotRefused() {
    assertEquals(
        List.of(),
        ids(Snapshot.MAIN, launch(Map.of(), LLAMA_8B, "--context-length", "131072"), LLAMA_8B));
  }

  @Test
  void main_anUnreadableBoolean_isRefusedNamingTheVariable() {
    List<SglangRefusal> r =
        SglangModelChecks.check(
            Snapshot.MAIN,
            launch(Map.of(LONGER, "maybe"), LLAMA_8B, "--context-length", "200000"),
            spec(LLAMA_8B));
    assertEquals(1, r.size());
    assertEquals("context-length-override-value", r.get(0).ruleId());
    assertEquals(LONGER, r.get(0).input());
    assertTrue(r.get(0).message().contains(LONGER + "=maybe is not a boolean"), r.get(0).message());
  }

  @Test
  void kvHeadsFewerThanGpus_mustDivideTheGpus() {
    // Qwen3-235B: 64 heads, 4 KV heads; tp 8 replicates each KV head on 2 GPUs
    assertEquals(
        List.of(),
        ids(
            Snapshot.V0_5_1,
            launch(Map.of(), "Qwen/Qwen3-235B-A22B", "--tp", "8"),
            "Qwen/Qwen3-235B-A22B"));
  }

  @Test
  void mla_hasNoKvHeadRule_andDpAttentionDividesByTheAttentionGroup() {
    String ds = "deepseek-ai/DeepSeek-V3";
    // 128 heads over tp 8 / dp 8 = 1 GPU per attention group: fine
    assertEquals(
        List.of(),
        ids(
            Snapshot.V0_5_1,
            launch(Map.of(), ds, "--tp", "8", "--enable-dp-attention", "--dp-size", "8"),
            ds));
    assertEquals(
        List.of("attention-heads-vs-tp"),
        ids(Snapshot.V0_5_1, launch(Map.of(), ds, "--tp", "3"), ds));
  }

  @Test
  void experts_mustSplitEvenlyOverTheEpGroup() {
    // Qwen3-30B-A3B: 128 experts, 32 heads, 4 KV heads
    String q = "Qwen/Qwen3-30B-A3B";
    assertEquals(
        List.of(), ids(Snapshot.V0_5_1, launch(Map.of(), q, "--tp", "4", "--ep-size", "4"), q));
    List<SglangRefusal> r =
        SglangModelChecks.check(
            Snapshot.V0_5_1,
            launch(Map.of(), q, "--tp", "4", "--ep-size", "4", "--ep-num-redundant-experts", "2"),
            spec(q));
    assertEquals(List.of("experts-vs-ep"), r.stream().map(SglangRefusal::ruleId).toList());
    assertTrue(
        r.get(0).message().contains("128 routed experts plus 2 redundant ones"),
        r.get(0).message());
    assertEquals("layers/moe/fused_moe_triton/layer.py L176 @v0.5.1", r.get(0).source());
  }

  @Test
  void ppAboveTheLayers_isRefusedNamingTheFlag() {
    List<SglangRefusal> r =
        SglangModelChecks.check(
            Snapshot.MAIN, launch(Map.of(), LLAMA_8B, "--pp-size", "33"), spec(LLAMA_8B));
    assertEquals(List.of("pp-vs-layers"), r.stream().map(SglangRefusal::ruleId).toList());
    assertEquals("--pp-size 33", r.get(0).input());
    assertEquals(Map.of("pp_size", "33", "num_hidden_layers", "32"), r.get(0).values());
  }

  @Test
  void deepseekMtpWithPagesOnFlashinfer_isRefusedByV051Only() {
    String ds = "deepseek-ai/DeepSeek-V3";
    String[] flags = {
      "--tp",
      "8",
      "--speculative-algorithm",
      "EAGLE",
      "--page-size",
      "64",
      "--attention-backend",
      "flashinfer"
    };
    assertEquals(
        List.of("mtp-page-size-flashinfer"), ids(Snapshot.V0_5_1, launch(Map.of(), ds, flags), ds));
    assertEquals(List.of(), ids(Snapshot.MAIN, launch(Map.of(), ds, flags), ds));
  }

  @Test
  void qwen3_beforeV049_dividesByTheTpSizeNotTheAttentionGroup() {
    String q = "Qwen/Qwen3-8B";
    String[] flags = {"--tp", "8", "--enable-dp-attention", "--dp-size", "2"};
    // attention group of 4 at v0.5.1, full TP of 8 at v0.4.5.post3: both divide 32 heads / 8 KV
    assertEquals(List.of(), ids(Snapshot.V0_5_1, launch(Map.of(), q, flags), q));
    assertEquals(List.of(), ids(Snapshot.V0_4_5_POST3, launch(Map.of(), q, flags), q));
  }
}
