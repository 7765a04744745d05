package io.github.sglangpreflight.sglang.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.model.Parallelism;
import io.github.sglangpreflight.sglang.args.LaunchCommand.Launcher;
import io.github.sglangpreflight.sglang.args.LaunchCommand.Option;
import io.github.sglangpreflight.sglang.args.LaunchCommand.VersionCaveat;
import io.github.sglangpreflight.sglang.args.LaunchEnvironment.Switch;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LaunchCommandTest {

  private static final String SEED =
      "python3 -m sglang.launch_server --model-path deepseek-ai/DeepSeek-V3 --tp 8"
          + " --enable-dp-attention --dp-size 8 --trust-remote-code";

  static List<String> args(String line) {
    return Arrays.asList(line.split(" "));
  }

  static LaunchCommand parse(String line) {
    return LaunchCommand.parse(args(line), Map.of());
  }

  static LaunchCommand parse(List<String> argv) {
    return LaunchCommand.parse(argv, Map.of());
  }

  static InvalidInputException refused(String line) {
    return assertThrows(InvalidInputException.class, () -> parse(line));
  }

  static InvalidInputException refused(List<String> argv) {
    return assertThrows(InvalidInputException.class, () -> parse(argv));
  }

  static List<String> with(List<String> base, String... more) {
    List<String> l = new ArrayList<>(base);
    l.addAll(Arrays.asList(more));
    return l;
  }

  @Nested
  class SeedCase {
    private final LaunchCommand seed =
        LaunchCommand.parse(args(SEED), Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1"));

    @Test
    void parse_seedLaunch_readsLauncherAndParallelism() {
      assertEquals(Launcher.PYTHON_MODULE, seed.launcher());
      assertEquals(List.of("python3", "-m", "sglang.launch_server"), seed.launcherPrefix());
      ServerArgs a = seed.serverArgs();
      assertEquals("deepseek-ai/DeepSeek-V3", a.modelPath());
      assertEquals(OptionalInt.of(8), a.tpSize());
      assertEquals(OptionalInt.of(8), a.dpSize());
      assertTrue(a.enableDpAttention());
      assertTrue(a.trustRemoteCode());
      assertEquals(new Parallelism(8, 1, 8, 1, true, 1), a.parallelism());
      assertEquals(1, a.parallelism().attnTpSize());
    }

    @Test
    void parse_seedLaunch_keepsArgvAndHasNoCaveats() {
      assertEquals(args(SEED), seed.argv());
      assertEquals(List.of(), seed.unknownArgs());
      assertEquals(List.of(), seed.versionCaveats());
    }

    @Test
    void parse_seedLaunch_tpIsAPrefixOfTpSizeInEverySnapshot() {
      Option tp = seed.options().get(1);
      assertEquals("--tp", tp.written());
      assertEquals("--tp-size", tp.flag());
      assertEquals(List.of("8"), tp.values());
      assertEquals(EnumSet.allOf(Snapshot.class), tp.knownIn());
      assertEquals(5, tp.argvIndex());
    }

    @Test
    void parse_seedLaunch_readsJitDeepGemmFromTheEnvironment() {
      assertEquals(Switch.TRUE, seed.environment().jitDeepGemm(Snapshot.V0_4_5_POST3));
      assertEquals(Switch.TRUE, seed.environment().jitDeepGemm(Snapshot.MAIN));
    }

    @Test
    void withMemFractionStatic_seedLaunch_appendsTheFlag() {
      assertEquals(
          with(args(SEED), "--mem-fraction-static", "0.85"), seed.withMemFractionStatic(0.85));
      assertEquals(args(SEED), seed.argv());
    }
  }

  @Nested
  class Launchers {
    @Test
    void parse_pythonVariants_findTheServerArguments() {
      for (String launcher :
          List.of(
              "python -m sglang.launch_server",
              "python3.11 -m sglang.launch_server",
              "/opt/conda/bin/python3.10 -u -m sglang.launch_server",
              "python3 -X faulthandler -W ignore -m sglang.launch_server",
              "python3 -OO -msglang.launch_server",
              "python3 /src/sglang/python/sglang/launch_server.py")) {
        LaunchCommand c = parse(launcher + " --model-path m --tp 2");
        assertEquals(Launcher.PYTHON_MODULE, c.launcher(), launcher);
        assertEquals(args(launcher), c.launcherPrefix(), launcher);
        assertEquals(List.of("--model-path", "m", "--tp", "2"), c.serverArgv(), launcher);
        assertEquals(OptionalInt.of(2), c.serverArgs().tpSize(), launcher);
      }
    }

    @Test
    void parse_serverArgsOnly_hasAnEmptyPrefix() {
      LaunchCommand c = parse("--model-path Qwen/Qwen2.5-7B-Instruct --port 30001");
      assertEquals(Launcher.SERVER_ARGS_ONLY, c.launcher());
      assertEquals(List.of(), c.launcherPrefix());
      assertEquals(OptionalInt.of(30001), c.serverArgs().port());
    }

    @Test
    void parse_sglangServeWithPositionalModel_readsTheModel() {
      LaunchCommand c = parse("sglang serve deepseek-ai/DeepSeek-V3 --tp 8 --trust-remote-code");
      assertEquals(Launcher.SGLANG_SERVE, c.launcher());
      assertEquals(List.of("sglang", "serve"), c.launcherPrefix());
      assertEquals("deepseek-ai/DeepSeek-V3", c.serverArgs().modelPath());
      assertEquals(OptionalInt.of(8), c.serverArgs().tpSize());
    }

    @Test
    void parse_sglangServe_isACaveatForOlderSglang() {
      LaunchCommand c = parse("/usr/local/bin/sglang serve --model-path m");
      assertEquals(
          List.of(
              new VersionCaveat(
                  "sglang serve",
                  EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1),
                  "SGLang v0.4.5.post3 to v0.5.1 has no sglang serve command (it came in November"
                      + " 2025); start those versions with python3 -m sglang.launch_server")),
          c.versionCaveats());
      assertEquals(List.of(), c.versionCaveats(Snapshot.MAIN));
    }

    @Test
    void parse_sglangServeModelFlagWinsOverPositional() {
      LaunchCommand c = parse("sglang serve first --model-path second");
      assertEquals("second", c.serverArgs().modelPath());
    }

    @Test
    void parse_sglangServeModelType_isRemovedBeforeParsing() {
      LaunchCommand c = parse("sglang serve --model-type llm m --model-type=auto --tp 2");
      assertEquals(Optional.of("auto"), c.serveModelType());
      assertEquals("m", c.serverArgs().modelPath());
      assertEquals(List.of(), c.unknownArgs());
    }

    @Test
    void parse_sglangServeDiffusion_isRefused() {
      InvalidInputException e = refused("sglang serve --model-type diffusion m");
      assertEquals("--model-type", e.input());
      assertEquals(
          "--model-type diffusion starts SGLang's diffusion server, whose memory preflight does"
              + " not model; use --model-type llm or auto for a language-model server",
          e.getMessage());
    }

    @Test
    void parse_sglangServeAbbreviatedModelFlag_isRefusedAsServeDoes() {
      InvalidInputException e = refused("sglang serve --model-pa m");
      assertEquals("--model-pa", e.input());
      assertEquals(
          "sglang serve looks for the model under the exact spellings --model-path and --model"
              + " (or as its first argument) and stops with \"Error: --model-path is required\""
              + " for --model-pa; write --model-path in full",
          e.getMessage());
    }

    @Test
    void parse_pythonMinusMWithoutModule_isRefused() {
      InvalidInputException e = refused("python3 -m");
      assertEquals("python3 -m", e.input());
      assertEquals(
          "python3 -m names no module: SGLang's server starts with python3 -m"
              + " sglang.launch_server --model-path <model>",
          e.getMessage());
    }

    @Test
    void parse_otherModule_isRefused() {
      InvalidInputException e = refused("python3 -m sglang.bench_serving --backend sglang");
      assertEquals("python3 -m sglang.bench_serving", e.input());
      assertEquals(
          "python3 -m sglang.bench_serving is not SGLang's server launcher: preflight reads -m"
              + " sglang.launch_server and sglang serve",
          e.getMessage());
    }

    @Test
    void parse_pythonWithoutModule_isRefused() {
      InvalidInputException e = refused("python3 -u");
      assertEquals(
          "python3 has no -m sglang.launch_server: SGLang's server starts with python3 -m"
              + " sglang.launch_server --model-path <model>",
          e.getMessage());
    }

    @Test
    void parse_pythonScript_isRefused() {
      InvalidInputException e = refused("python3 serve.py --model-path m");
      assertEquals("python3 serve.py", e.input());
      assertEquals(
          "python3 serve.py does not start SGLang's server: preflight reads python3 -m"
              + " sglang.launch_server (Python options such as -u or -X before -m are fine)",
          e.getMessage());
    }

    @Test
    void parse_sglangWithoutServe_isRefused() {
      assertEquals(
          "sglang is followed by nothing: the server starts with sglang serve --model-path <model>",
          refused("sglang").getMessage());
      assertEquals(
          "sglang is followed by version: the server starts with sglang serve --model-path <model>",
          refused("sglang version").getMessage());
    }

    @Test
    void parse_unknownProgram_isRefused() {
      InvalidInputException e = refused("torchrun --nproc-per-node 8 -m sglang.launch_server");
      assertEquals("torchrun", e.input());
      assertEquals(
          "torchrun is not an SGLang launcher preflight can read: give python3 -m"
              + " sglang.launch_server …, sglang serve …, or only the server arguments"
              + " (--model-path …), optionally after env NAME=VALUE …",
          e.getMessage());
    }

    @Test
    void parse_emptyArgv_isRefused() {
      InvalidInputException e = refused(List.of());
      assertEquals("launch command", e.input());
      assertEquals(
          "The launch command is empty: give the SGLang command line, e.g. python3 -m"
              + " sglang.launch_server --model-path <model>",
          e.getMessage());
    }
  }

  @Nested
  class EnvPrefix {
    @Test
    void parse_envAssignments_overrideTheGivenEnvironment() {
      LaunchCommand c =
          LaunchCommand.parse(
              args(
                  "env SGL_ENABLE_JIT_DEEPGEMM=0 CUDA_VISIBLE_DEVICES=4,5 python3 -m"
                      + " sglang.launch_server --model-path m"),
              Map.of("SGL_ENABLE_JIT_DEEPGEMM", "1", "HOME", "/root"));
      assertEquals(
          List.of(
              "env",
              "SGL_ENABLE_JIT_DEEPGEMM=0",
              "CUDA_VISIBLE_DEVICES=4,5",
              "python3",
              "-m",
              "sglang.launch_server"),
          c.launcherPrefix());
      assertEquals(
          Map.of("SGL_ENABLE_JIT_DEEPGEMM", "0", "CUDA_VISIBLE_DEVICES", "4,5"),
          c.envAssignments());
      assertEquals(Switch.FALSE, c.environment().jitDeepGemm(Snapshot.V0_4_5_POST3));
      assertEquals(Optional.of("4,5"), c.environment().cudaVisibleDevices());
      assertEquals(Optional.of("/root"), c.environment().get("HOME"));
    }

    @Test
    void parse_envIgnoreAndUnset_changeTheInheritedEnvironment() {
      Map<String, String> given = Map.of("CUDA_VISIBLE_DEVICES", "0", "HOME", "/root");
      LaunchCommand unset =
          LaunchCommand.parse(args("env -u CUDA_VISIBLE_DEVICES sglang serve m"), given);
      assertEquals(Optional.empty(), unset.environment().cudaVisibleDevices());
      assertEquals(Optional.of("/root"), unset.environment().get("HOME"));
      LaunchCommand ignore = LaunchCommand.parse(args("env -i A=1 --model-path m"), given);
      assertEquals(Map.of("A", "1"), ignore.environment().variables());
    }

    @Test
    void parse_envWithEmptyValue_isSetToTheEmptyString() {
      LaunchCommand c = parse("env CUDA_VISIBLE_DEVICES= --model-path m");
      assertEquals(Optional.of(""), c.environment().cudaVisibleDevices());
    }

    @Test
    void parse_envWithoutCommand_isRefused() {
      InvalidInputException e = refused("env HF_TOKEN=x");
      assertEquals("env", e.input());
      assertEquals(
          "env sets variables but names no command after them: add the SGLang command, e.g. env"
              + " SGL_ENABLE_JIT_DEEPGEMM=1 python3 -m sglang.launch_server --model-path <model>",
          e.getMessage());
    }

    @Test
    void parse_unsupportedEnvOption_isRefused() {
      InvalidInputException e =
          refused("env -C /tmp python3 -m sglang.launch_server --model-path m");
      assertEquals("env -C", e.input());
      assertEquals(
          "env option -C is not supported: preflight reads env with NAME=VALUE assignments, -i and"
              + " -u NAME only; set the environment another way or drop the option",
          e.getMessage());
    }
  }

  @Nested
  class ArgparseSemantics {
    @Test
    void parse_equalsAndSpaceForms_readTheSameValue() {
      LaunchCommand space = parse("--model-path m --mem-fraction-static 0.8 --tp 4");
      LaunchCommand equals = parse("--model-path=m --mem-fraction-static=0.8 --tp=4");
      assertEquals(OptionalDouble.of(0.8), space.serverArgs().memFractionStatic());
      assertEquals(space.serverArgs(), equals.serverArgs());
      assertTrue(equals.options().get(1).inlineValue());
      assertFalse(space.options().get(1).inlineValue());
    }

    @Test
    void parse_repeatedFlag_lastOneWinsAcrossAliases() {
      assertEquals(OptionalInt.of(4), parse("--model-path m --tp 8 --tp 4").serverArgs().tpSize());
      assertEquals(
          OptionalInt.of(2),
          parse("--model-path m --tp-size 8 --tensor-parallel-size 2").serverArgs().tpSize());
      assertEquals("b", parse("--model-path a --model b").serverArgs().modelPath());
    }

    @Test
    void parse_aliases_landInTheSameField() {
      ServerArgs a =
          parse(
                  "--model m --tensor-parallel-size 8 --data-parallel-size 2 --nccl-init-addr"
                      + " 10.0.0.1:5000 --nnodes 2 --node-rank 1 --enable-dp-attention")
              .serverArgs();
      assertEquals("m", a.modelPath());
      assertEquals(OptionalInt.of(8), a.tpSize());
      assertEquals(OptionalInt.of(2), a.dpSize());
      assertEquals(Optional.of("10.0.0.1:5000"), a.distInitAddr());
      assertEquals(OptionalInt.of(1), a.nodeRank());
    }

    @Test
    void parse_abbreviations_resolveToTheUniqueFlag() {
      LaunchCommand c =
          parse("--model-path m --mem-frac 0.7 --context 32768 --trust --kv-cache fp8_e4m3");
      ServerArgs a = c.serverArgs();
      assertEquals(OptionalDouble.of(0.7), a.memFractionStatic());
      assertEquals(OptionalInt.of(32768), a.contextLength());
      assertTrue(a.trustRemoteCode());
      assertEquals(Optional.of("fp8_e4m3"), a.kvCacheDtype());
      assertEquals("--mem-fraction-static", c.options().get(1).flag());
      assertEquals(List.of(), c.versionCaveats());
    }

    @Test
    void parse_epAlias_isExplicitOnlyFromV051AndAmbiguousBefore() {
      LaunchCommand c = parse("--model-path m --tp 4 --ep 2");
      Option ep = c.options().get(2);
      assertEquals("--ep", ep.flag());
      assertEquals(EnumSet.of(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1, Snapshot.MAIN), ep.knownIn());
      assertEquals(OptionalInt.of(2), c.serverArgs().epSize());
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--ep",
                  EnumSet.of(Snapshot.V0_4_6_POST5),
                  "SGLang v0.4.6.post5 reads --ep as an ambiguous abbreviation (--ep-size,"
                      + " --ep-num-redundant-experts, --ep-dispatch-algorithm and"
                      + " --eplb-rebalance-num-iterations) and stops"),
              new VersionCaveat(
                  "--ep",
                  EnumSet.of(Snapshot.V0_4_7, Snapshot.V0_4_9),
                  "SGLang v0.4.7 to v0.4.9 reads --ep as an ambiguous abbreviation (--ep-size,"
                      + " --ep-num-redundant-experts, --ep-dispatch-algorithm,"
                      + " --eplb-rebalance-num-iterations, --eplb-algorithm and"
                      + " --eplb-rebalance-layers-per-chunk) and stops")),
          c.versionCaveats());
    }

    @Test
    void parse_prefixAmbiguousOnlyOnMain_isAcceptedWithACaveat() {
      LaunchCommand c = parse("--model-path m --pp 2 --disable-overlap-schedule");
      assertEquals(OptionalInt.of(2), c.serverArgs().ppSize());
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--pp",
                  EnumSet.of(Snapshot.V0_4_5_POST3),
                  "SGLang v0.4.5.post3 does not know --pp and stops with \"unrecognized"
                      + " arguments\""),
              new VersionCaveat(
                  "--pp",
                  EnumSet.of(Snapshot.MAIN),
                  "SGLang main reads --pp as an ambiguous abbreviation (--pp-size,"
                      + " --pp-max-micro-batch-size and --pp-async-batch-depth) and stops")),
          c.versionCaveats());
    }

    @Test
    void parse_renamedFlag_landsInOneFieldUnderBothNames() {
      LaunchCommand c =
          parse("--model-path m --cuda-graph-max-bs 64 --cuda-graph-max-bs-decode 128");
      assertEquals(OptionalInt.of(128), c.serverArgs().cudaGraphMaxBs());
      assertEquals(
          java.util.Set.of("cuda_graph_max_bs", "cuda_graph_max_bs_decode"),
          c.options().get(1).dests());
    }

    @Test
    void parse_negativeNumbersAndSpacedValues_areValues() {
      LaunchCommand c =
          LaunchCommand.parse(
              List.of(
                  "--model-path", "m", "--chunked-prefill-size", "-1", "--chat-template", "-x y"),
              Map.of());
      assertEquals(OptionalInt.of(-1), c.serverArgs().chunkedPrefillSize());
      assertTrue(c.serverArgs().chunkedPrefillDisabled());
      assertEquals(List.of("-x y"), c.options().get(2).values());
    }

    @Test
    void parse_valueThatLooksLikeAFlag_isNotAValue() {
      InvalidInputException e = refused("--model-path m --served-model-name --tp 2");
      assertEquals("--served-model-name", e.input());
      assertEquals(
          "--served-model-name needs a value but it is followed by the option --tp; SGLang stops"
              + " with \"argument --served-model-name: expected one argument\"; put the value right"
              + " after --served-model-name",
          e.getMessage());
    }

    @Test
    void parse_nargsPlusList_runsUntilTheNextOption() {
      LaunchCommand c = parse("--model-path m --cuda-graph-bs 1 2 4 8 16 --tp 2");
      assertEquals(Optional.of(List.of(1, 2, 4, 8, 16)), c.serverArgs().cudaGraphBs());
      assertEquals(OptionalInt.of(2), c.serverArgs().tpSize());
    }

    @Test
    void parse_nargsStarList_mayBeEmpty() {
      assertEquals(
          Optional.of(List.of()),
          parse("--model-path m --lora-paths --tp 1").serverArgs().loraPaths());
      assertEquals(
          Optional.of(List.of("a", "b=/loras/b")),
          parse(
                  "--model-path m --lora-paths a b=/loras/b --disable-radix-cache"
                      + " --disable-cuda-graph")
              .serverArgs()
              .loraPaths());
    }

    @Test
    void parse_nargsPlusEqualsForm_takesOnlyTheAttachedValue() {
      InvalidInputException e = refused("--model-path m --cuda-graph-bs=1 2");
      assertEquals("2", e.input());
      assertEquals(
          "'2' after --cuda-graph-bs 1 is not attached to any option (--cuda-graph-bs took its"
              + " values from the same argument after =); SGLang stops with \"unrecognized"
              + " arguments: 2\"; remove it or put the flag it belongs to before it",
          e.getMessage());
    }

    @Test
    void parse_optionalValueWithoutValue_storesTheConst() {
      LaunchCommand c = parse("--model-path m --hybrid-kvcache-ratio --tp 1");
      assertEquals(List.of(), c.options().get(1).values());
    }

    @Test
    void parse_booleanOptionalNoForm_isRecognised() {
      LaunchCommand c = parse("--model-path m --no-lora-strict-loading");
      assertEquals("--no-lora-strict-loading", c.options().get(1).flag());
      assertEquals(EnumSet.of(Snapshot.MAIN), c.options().get(1).knownIn());
    }
  }

  @Nested
  class UnknownFlags {
    @Test
    void parse_unknownFlagWithValue_keepsBothTokens() {
      LaunchCommand c = parse("--model-path m --future-flag 3 --tp 2");
      assertEquals(List.of("--future-flag", "3"), c.unknownArgs());
      assertEquals(OptionalInt.of(2), c.serverArgs().tpSize());
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--future-flag",
                  EnumSet.allOf(Snapshot.class),
                  "SGLang v0.4.5.post3 to main does not know --future-flag and stops with"
                      + " \"unrecognized arguments\"; preflight keeps it as written in case a"
                      + " newer SGLang knows it")),
          c.versionCaveats());
    }

    @Test
    void parse_unknownFlagWithoutValue_keepsOnlyItself() {
      LaunchCommand c = parse("--model-path m --future-switch --future-kv=1 --tp 2");
      assertEquals(List.of("--future-switch", "--future-kv=1"), c.unknownArgs());
    }

    @Test
    void withMemFractionStatic_unknownFlags_areUntouched() {
      LaunchCommand c = parse("--model-path m --future-flag 3");
      assertEquals(
          args("--model-path m --future-flag 3 --mem-fraction-static 0.9"),
          c.withMemFractionStatic(0.9));
    }
  }

  @Nested
  class Rewriting {
    @Test
    void withMemFractionStatic_spaceForm_rewritesInPlace() {
      LaunchCommand c = parse("--model-path m --mem-fraction-static 0.95 --tp 8");
      assertEquals(
          args("--model-path m --mem-fraction-static 0.913 --tp 8"),
          c.withMemFractionStatic(0.9128));
    }

    @Test
    void withMemFractionStatic_equalsForm_keepsTheForm() {
      LaunchCommand c = parse("--model-path m --mem-fraction-static=0.95 --tp 8");
      assertEquals(
          args("--model-path m --mem-fraction-static=0.8 --tp 8"), c.withMemFractionStatic(0.8));
    }

    @Test
    void withMemFractionStatic_abbreviation_keepsTheSpelling() {
      assertEquals(
          args("--model-path m --mem-frac 0.85"),
          parse("--model-path m --mem-frac 0.9").withMemFractionStatic(0.85));
      assertEquals(
          args("--model-path m --mem=0.85"),
          parse("--model-path m --mem=0.9").withMemFractionStatic(0.85));
    }

    @Test
    void withMemFractionStatic_repeated_rewritesTheOneSglangKeeps() {
      LaunchCommand c =
          parse("--model-path m --mem-fraction-static 0.9 --tp 8 --mem-fraction-static=0.95");
      assertEquals(
          args("--model-path m --mem-fraction-static 0.9 --tp 8 --mem-fraction-static=0.88"),
          c.withMemFractionStatic(0.88));
    }

    @Test
    void withMemFractionStatic_sglangServe_appendsAfterTheModel() {
      LaunchCommand c = parse("sglang serve m --tp 2");
      assertEquals(
          args("sglang serve m --tp 2 --mem-fraction-static 0.7"), c.withMemFractionStatic(0.7));
    }

    @Test
    void withMemFractionStatic_serveModelTypeBetweenFlagAndValue_rewritesTheValue() {
      LaunchCommand c = parse("sglang serve m --mem-fraction-static --model-type llm 0.9");
      assertEquals(
          args("sglang serve m --mem-fraction-static --model-type llm 0.8"),
          c.withMemFractionStatic(0.8));
    }

    @Test
    void withMemFractionStatic_outOfRange_throws() {
      LaunchCommand c = parse("--model-path m");
      IllegalArgumentException high =
          assertThrows(IllegalArgumentException.class, () -> c.withMemFractionStatic(1.0));
      assertEquals("memFractionStatic must be in (0, 1), was 1.0", high.getMessage());
      IllegalArgumentException tiny =
          assertThrows(IllegalArgumentException.class, () -> c.withMemFractionStatic(0.0004));
      assertEquals(
          "memFractionStatic 4.0E-4 rounds to 0 at three decimals, outside (0, 1)",
          tiny.getMessage());
      assertThrows(IllegalArgumentException.class, () -> c.withMemFractionStatic(Double.NaN));
    }
  }

  @Nested
  class Masking {
    @Test
    void maskedForLog_secretFlagsAndEnv_areMaskedButArgvIsNot() {
      List<String> argv =
          args(
              "env HF_TOKEN=hf_abc SGL_ENABLE_JIT_DEEPGEMM=1 python3 -m sglang.launch_server"
                  + " --model-path m --api-key sk-1 --admin-api-key=adm --api sk-2"
                  + " --ssl-keyfile-password pw");
      LaunchCommand c = parse(argv);
      assertEquals(
          args(
              "env HF_TOKEN=*** SGL_ENABLE_JIT_DEEPGEMM=1 python3 -m sglang.launch_server"
                  + " --model-path m --api-key *** --admin-api-key=*** --api ***"
                  + " --ssl-keyfile-password ***"),
          c.maskedForLog());
      assertEquals(argv, c.argv());
      assertEquals(Optional.of("sk-2"), c.serverArgs().apiKey());
      assertFalse(c.toString().contains("sk-"));
      assertFalse(c.toString().contains("hf_abc"));
    }

    @Test
    void maskedForLog_urlPassword_isMasked() {
      LaunchCommand c = parse("--model-path s3://user:secret@bucket/model --tp 1");
      assertEquals(args("--model-path s3://user:***@bucket/model --tp 1"), c.maskedForLog());
    }

    @Test
    void serverArgsToString_masksTheApiKey() {
      String s = parse("--model-path m --api-key sk-live-123").serverArgs().toString();
      assertTrue(s.contains("apiKey=Optional[***]"), s);
      assertFalse(s.contains("sk-live-123"), s);
    }
  }

  @Nested
  class Validation {
    @Test
    void parse_tpZero_isOutOfRange() {
      InvalidInputException e = refused("--model-path m --tp 0");
      assertEquals("--tp", e.input());
      assertEquals(
          "--tp 0 is out of range: it is the tensor-parallel size (GPUs one copy of the model is"
              + " split over) and must be at least 1; use 1 for a single GPU",
          e.getMessage());
    }

    @Test
    void parse_tpNotANumber_isRefusedLikeArgparse() {
      InvalidInputException e = refused("--model-path m --tp abc");
      assertEquals("--tp", e.input());
      assertEquals(
          "--tp abc is not a whole number: SGLang reads --tp-size as a whole number and stops with"
              + " \"invalid int value: 'abc'\"; write a whole number after --tp",
          e.getMessage());
    }

    @Test
    void parse_memFractionOutOfRange_isRefused() {
      for (String v : List.of("1.7", "0", "-0.5", "1", "nan", "inf")) {
        InvalidInputException e = refused("--model-path m --mem-fraction-static " + v);
        assertEquals("--mem-fraction-static", e.input());
        assertEquals(
            "--mem-fraction-static "
                + v
                + " is out of range: it is the share of free GPU memory SGLang may fill with"
                + " weights and KV cache and must be in (0, 1); try 0.85",
            e.getMessage());
      }
    }

    @Test
    void parse_memFractionEmpty_isNotANumber() {
      InvalidInputException e = refused("--model-path m --mem-fraction-static=");
      assertEquals(
          "--mem-fraction-static '' is not a number: SGLang reads it as a number and stops with"
              + " \"invalid float value: ''\"; write a number after --mem-fraction-static",
          e.getMessage());
    }

    @Test
    void parse_dpNotDividingTpUnderDpAttention_isRefused() {
      InvalidInputException e = refused("--model-path m --dp-size 3 --tp 8 --enable-dp-attention");
      assertEquals("--dp-size", e.input());
      assertEquals(
          "--dp-size 3 does not divide --tp 8: with --enable-dp-attention the TP group's 8 GPUs"
              + " are shared out among the DP attention groups, so the DP size must divide the TP"
              + " size (SGLang asserts tp_size % dp_size == 0); try --dp-size 2, 4 or 8",
          e.getMessage());
    }

    @Test
    void parse_dpAttentionWithDpOne_isRefusedOnlyUpToV051() {
      LaunchCommand c = parse("--model-path m --tp 8 --enable-dp-attention");
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--enable-dp-attention",
                  EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1),
                  "SGLang v0.4.5.post3 to v0.5.1 refuses --enable-dp-attention with --dp-size 1"
                      + " (\"Please set a dp-size > 1\"); newer SGLang turns DP attention off"
                      + " instead; add --dp-size N with N dividing the TP size, or drop"
                      + " --enable-dp-attention")),
          c.versionCaveats());
      assertFalse(c.serverArgs().parallelism().dpAttention());
      assertTrue(c.serverArgs().enableDpAttention());
    }

    @Test
    void parse_flagMissingItsValue_isRefused() {
      InvalidInputException last = refused("--model-path m --tp");
      assertEquals("--tp", last.input());
      assertEquals(
          "--tp needs a value but it is the last argument; SGLang stops with \"argument"
              + " --tp-size: expected one argument\"; put the value right after --tp",
          last.getMessage());
      InvalidInputException list = refused("--model-path m --cuda-graph-bs --tp 2");
      assertEquals(
          "--cuda-graph-bs needs at least one value but it is followed by the option --tp; SGLang"
              + " stops with \"argument --cuda-graph-bs: expected at least one argument\"; put the"
              + " value right after --cuda-graph-bs",
          list.getMessage());
    }

    @Test
    void parse_ambiguousAbbreviation_isRefused() {
      InvalidInputException e = refused("--model-path m --dist 10.0.0.1:5000");
      assertEquals("--dist", e.input());
      assertEquals(
          "--dist is an ambiguous abbreviation: SGLang accepts a shortened flag only when exactly"
              + " one flag starts with it, and --dist-timeout and --dist-init-addr do; SGLang stops"
              + " with \"ambiguous option\"; write the full flag name",
          e.getMessage());
    }

    @Test
    void parse_ambiguousAbbreviationWithManyCandidates_listsEightOfThem() {
      InvalidInputException e = refused("--model-path m --dis 1");
      assertEquals(
          "--dis is an ambiguous abbreviation: SGLang accepts a shortened flag only when exactly"
              + " one flag starts with it, and --dist-timeout, --dist-init-addr,"
              + " --disable-radix-cache, --disable-cuda-graph-padding,"
              + " --disable-outlines-disk-cache, --disable-custom-all-reduce,"
              + " --disable-overlap-schedule, --disable-chunked-prefix-cache and 20 more do; SGLang"
              + " stops with \"ambiguous option\"; write the full flag name",
          e.getMessage());
    }

    @Test
    void parse_abbreviationAmbiguousOnlyOnMain_isAcceptedWithACaveat() {
      LaunchCommand c = parse("--model-path m --cuda-graph-b 1 2 4");
      assertEquals(Optional.of(List.of(1, 2, 4)), c.serverArgs().cudaGraphBs());
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--cuda-graph-b",
                  EnumSet.of(Snapshot.MAIN),
                  "SGLang main reads --cuda-graph-b as an ambiguous abbreviation"
                      + " (--cuda-graph-backend-decode, --cuda-graph-backend-prefill,"
                      + " --cuda-graph-bs-decode, --cuda-graph-bs-prefill and --cuda-graph-bs) and"
                      + " stops")),
          c.versionCaveats());
    }

    @Test
    void parse_abbreviationMeaningDifferentFlags_isRefused() {
      InvalidInputException e = refused("--model-path m --enable-ep");
      assertEquals("--enable-ep", e.input());
      assertEquals(
          "--enable-ep is an abbreviation SGLang resolves to different flags by version"
              + " (--enable-ep-moe in v0.4.5.post3 and --enable-eplb in main) and is ambiguous in"
              + " v0.4.6.post5 to v0.5.1; write the full flag name",
          e.getMessage());
    }

    @Test
    void parse_noModelPath_isRefused() {
      InvalidInputException e = refused("python3 -m sglang.launch_server --tp 8");
      assertEquals("--model-path", e.input());
      assertEquals(
          "The launch has no --model-path: SGLang needs the model to serve (a local directory or a"
              + " Hugging Face repo id) and stops with \"the following arguments are required:"
              + " --model-path\"; add --model-path <model>",
          e.getMessage());
    }

    @Test
    void parse_emptyModelPath_isRefused() {
      InvalidInputException e = refused("--model-path= --tp 1");
      assertEquals("--model-path", e.input());
      assertEquals(
          "--model-path is empty: SGLang needs the model to serve (a local directory or a Hugging"
              + " Face repo id); give it after --model-path",
          e.getMessage());
    }

    @Test
    void parse_repeatedAbbreviation_reportsEachCaveatOnce() {
      LaunchCommand c = parse("--model-path m --pp 2 --pp 2 --disable-overlap-schedule");
      assertEquals(2, c.versionCaveats().size());
    }

    @Test
    void parse_negativeCudaGraphMaxBs_isOutOfRange() {
      InvalidInputException e = refused("--model-path m --cuda-graph-max-bs -3");
      assertEquals("--cuda-graph-max-bs", e.input());
      assertEquals(
          "--cuda-graph-max-bs -3 is out of range: it is the largest batch size SGLang captures a"
              + " CUDA graph for and must be at least 1; to turn CUDA graphs off use"
              + " --disable-cuda-graph",
          e.getMessage());
    }

    @Test
    void parse_nonNumericContextLength_isRefused() {
      InvalidInputException e = refused("--model-path m --context-length 32K");
      assertEquals("--context-length", e.input());
      assertEquals(
          "--context-length 32K is not a whole number: SGLang reads it as a whole number (newer"
              + " SGLang also takes suffixes such as 128k or 32Ki) and stops with \"invalid int"
              + " value: '32K'\"; write a whole number after --context-length",
          e.getMessage());
    }

    @Test
    void parse_humanReadableContextLength_isAcceptedWithACaveat() {
      LaunchCommand c = parse("--model-path m --context-length 128k --max-total-tokens 1Mi");
      assertEquals(OptionalInt.of(128_000), c.serverArgs().contextLength());
      assertEquals(OptionalInt.of(1 << 20), c.serverArgs().maxTotalTokens());
      assertEquals(
          new VersionCaveat(
              "--context-length",
              EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1),
              "SGLang v0.4.5.post3 to v0.5.1 does not accept --context-length 128k (it reads"
                  + " --context-length as a plain integer)"),
          c.versionCaveats().get(0));
    }

    @Test
    void parse_kvCacheDtypeNotAChoice_isRefused() {
      InvalidInputException e = refused("--model-path m --kv-cache-dtype fp8");
      assertEquals("--kv-cache-dtype", e.input());
      assertEquals(
          "--kv-cache-dtype fp8 is not a value SGLang accepts for --kv-cache-dtype: it takes auto,"
              + " fp8_e5m2 or fp8_e4m3 (some SGLang versions also mxfp8, bf16, bfloat16, nvfp4,"
              + " fp4_mx_block16 or fp4_e2m1) and stops with \"invalid choice: 'fp8'\"",
          e.getMessage());
    }

    @Test
    void parse_kvCacheDtypeOnlyOnMain_isAcceptedWithACaveat() {
      LaunchCommand c = parse("--model-path m --kv-cache-dtype bf16");
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--kv-cache-dtype",
                  EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1),
                  "SGLang v0.4.5.post3 to v0.5.1 does not accept --kv-cache-dtype bf16 (its"
                      + " choices: auto, fp8_e5m2, fp8_e4m3)")),
          c.versionCaveats());
    }

    @Test
    void parse_doubleDash_isRefused() {
      InvalidInputException e = refused("--model-path m -- --tp 2");
      assertEquals("--", e.input());
      assertEquals(
          "-- ends SGLang's options, and SGLang's server parser takes no positional arguments, so"
              + " it stops with \"unrecognized arguments\"; remove -- and whatever follows it from"
              + " the SGLang command line",
          e.getMessage());
    }

    @Test
    void parse_strayValue_isRefused() {
      InvalidInputException after = refused("--model-path m --tp 8 9");
      assertEquals("9", after.input());
      assertEquals(
          "'9' after --tp 8 is not attached to any option (--tp-size takes one value); SGLang stops"
              + " with \"unrecognized arguments: 9\"; remove it or put the flag it belongs to"
              + " before it",
          after.getMessage());
      InvalidInputException first = refused("python3 -m sglang.launch_server Qwen/Qwen3-8B --tp 8");
      assertEquals(
          "'Qwen/Qwen3-8B' is not attached to any option: SGLang's server parser takes no"
              + " positional arguments and stops with \"unrecognized arguments: Qwen/Qwen3-8B\";"
              + " pass the model as --model-path Qwen/Qwen3-8B (only sglang serve takes it as its"
              + " first argument) or remove it",
          first.getMessage());
    }

    @Test
    void parse_flagGivenAValue_isRefused() {
      InvalidInputException e = refused("--model-path m --trust-remote-code=1");
      assertEquals(
          "--trust-remote-code takes no value, but the argument gives it '1'; SGLang stops with"
              + " \"ignored explicit argument '1'\"; write --trust-remote-code alone",
          e.getMessage());
    }

    @Test
    void parse_help_isRefused() {
      InvalidInputException e = refused("--model-path m --help");
      assertEquals("--help", e.input());
      assertEquals(
          "--help makes SGLang print its usage and exit without starting a server; remove it from"
              + " the launch",
          e.getMessage());
      assertEquals("--he", refused("--model-path m --he").input());
    }

    @Test
    void parse_retiredFlag_isRefused() {
      InvalidInputException e = refused("--model-path m --enable-flashinfer-mla");
      assertEquals(
          "--enable-flashinfer-mla is a retired flag: SGLang v0.4.5.post3 to v0.4.7 refuses it with"
              + " an error and later versions no longer know it; remove it",
          e.getMessage());
    }

    @Test
    void parse_multiNodeDataParallelWithoutDpAttention_isRefused() {
      InvalidInputException e = refused("--model-path m --tp 8 --dp-size 2 --nnodes 2");
      assertEquals("--dp-size", e.input());
      assertEquals(
          "--dp-size 2 with --nnodes 2 needs --enable-dp-attention: SGLang spreads data parallelism"
              + " over several nodes only as DP attention (\"multi-node data parallel is not"
              + " supported unless dp attention\"); add --enable-dp-attention or start one launch"
              + " per node",
          e.getMessage());
    }

    @Test
    void parse_nodesNotDividingTheLaunch_isRefused() {
      InvalidInputException e = refused("--model-path m --tp 8 --nnodes 3");
      assertEquals("--nnodes", e.input());
      assertEquals(
          "--nnodes 3 does not divide the launch: SGLang needs tp × pp = 8 GPUs to be a multiple of"
              + " the node count (\"tp_size must be divisible by number of nodes\"); use a node"
              + " count that divides 8",
          e.getMessage());
    }

    @Test
    void parse_epNotDividingTp_isRefused() {
      InvalidInputException e = refused("--model-path m --tp 8 --ep-size 3");
      assertEquals(
          "--ep-size 3 does not divide --tp 8: SGLang splits each MoE layer's TP group into"
              + " expert-parallel groups, so the EP size must divide the TP size; try --ep-size 2,"
              + " 4 or 8",
          e.getMessage());
    }

    @Test
    void parse_nodeRankBeyondNodes_isRefused() {
      InvalidInputException e = refused("--model-path m --tp 16 --nnodes 2 --node-rank 2");
      assertEquals("--node-rank", e.input());
      assertEquals(
          "--node-rank 2 is out of range: node ranks run from 0 to 1 for 2 nodes", e.getMessage());
    }

    @Test
    void parse_portOutOfRange_isRefused() {
      assertEquals(
          "--port 70000 is out of range: a TCP port must be between 1 and 65535; SGLang's default"
              + " is 30000",
          refused("--model-path m --port 70000").getMessage());
    }

    @Test
    void parse_cudaGraphBsEntryBelowOne_isRefused() {
      assertEquals(
          "--cuda-graph-bs 1 0 is out of range: every entry is a batch size SGLang captures a CUDA"
              + " graph for and must be at least 1, and 0 is not",
          refused("--model-path m --cuda-graph-bs 1 0").getMessage());
    }

    @Test
    void parse_chunkedPrefillNotAPageMultiple_isRefused() {
      assertEquals(
          "--chunked-prefill-size 100 is not a multiple of the page size 64: SGLang asserts"
              + " \"chunked_prefill_size must be divisible by page_size\"; use 64",
          refused("--model-path m --chunked-prefill-size 100 --page-size 64").getMessage());
    }

    @Test
    void parse_chunkedPrefillOffWithLargePages_isACaveatForOldSglang() {
      LaunchCommand c = parse("--model-path m --chunked-prefill-size -1 --page-size 64");
      assertEquals(
          List.of(
              new VersionCaveat(
                  "--chunked-prefill-size",
                  EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_4_9),
                  "SGLang v0.4.5.post3 to v0.4.9 asserts chunked_prefill_size % page_size == 0"
                      + " even when chunked prefill is off, so --chunked-prefill-size -1 with"
                      + " --page-size 64 stops there; v0.5.1 and later skip the check")),
          c.versionCaveats());
    }

    @Test
    void parse_moeDenseTpSize_followsEachVersionsRule() {
      assertEquals(
          "--moe-dense-tp-size 3 is not supported: SGLang takes 1 (and on main also the TP size, 8)"
              + " for the dense layers of a MoE model (\"moe_dense_tp_size only supports None, 1,"
              + " or tp_size\"); use 1",
          refused("--model-path m --tp 8 --moe-dense-tp-size 3").getMessage());
      LaunchCommand c = parse("--model-path m --tp 8 --moe-dense-tp-size 8");
      assertEquals(
          EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1),
          c.versionCaveats().get(0).refusedBy());
    }

    @Test
    void parse_pipelineWithSpeculative_isRefused() {
      InvalidInputException e =
          refused(
              "--model-path m --pp-size 2 --speculative-algorithm EAGLE"
                  + " --disable-overlap-schedule");
      assertEquals("--pp-size", e.input());
      assertEquals(
          "--pp-size 2 cannot be combined with speculative decoding: SGLang refuses pipeline"
              + " parallelism with --speculative-algorithm (\"Pipeline parallelism is not"
              + " compatible with ... speculative decoding\"); drop one of them",
          e.getMessage());
    }

    @Test
    void parse_tooLargeInteger_isRefused() {
      assertEquals(
          "--max-total-tokens 99999999999 is too large: preflight handles values up to 2147483647",
          refused("--model-path m --max-total-tokens 99999999999").getMessage());
    }

    @Test
    void parse_intChoicesCompareAsNumbers() {
      LaunchCommand c = parse("--model-path m --log-requests-level 03");
      assertEquals(EnumSet.range(Snapshot.V0_4_9, Snapshot.MAIN), c.options().get(1).knownIn());
    }
  }

  @Nested
  class VersionRules {
    @Test
    void parse_loraWithoutDisables_isACaveatForOldSglang() {
      LaunchCommand c = parse("--model-path m --lora-paths a=/l/a");
      assertEquals(2, c.versionCaveats().size());
      assertEquals(EnumSet.of(Snapshot.V0_4_5_POST3), c.versionCaveats().get(0).refusedBy());
      assertEquals(
          EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_4_9),
          c.versionCaveats().get(1).refusedBy());
    }

    @Test
    void parse_deepEpAutoWithDpAttention_isACaveatUpToV047() {
      LaunchCommand c =
          parse("--model-path m --tp 8 --dp-size 8 --enable-dp-attention --enable-deepep-moe");
      assertEquals(
          List.of(EnumSet.of(Snapshot.MAIN), EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_4_7)),
          c.versionCaveats().stream().map(VersionCaveat::refusedBy).toList());
      assertEquals(8, c.serverArgs().parallelism().epSize());
    }

    @Test
    void parse_paddingOffWithTorchCompile_isACaveatOnMain() {
      LaunchCommand c = parse("--model-path m --disable-cuda-graph-padding --enable-torch-compile");
      assertEquals(
          List.of(EnumSet.of(Snapshot.MAIN)),
          c.versionCaveats().stream().map(VersionCaveat::refusedBy).toList());
    }

    @Test
    void versionCaveats_forOneSnapshot_filters() {
      LaunchCommand c = parse("--model-path m --pp 2 --disable-overlap-schedule");
      assertEquals(1, c.versionCaveats(Snapshot.MAIN).size());
      assertEquals(List.of(), c.versionCaveats(Snapshot.V0_5_1));
    }
  }
}
