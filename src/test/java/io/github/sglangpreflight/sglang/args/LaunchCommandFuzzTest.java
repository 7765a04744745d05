package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.fuzz.Fuzz;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * LaunchCommand.parse on launches built from SGLang's real flags with wrong values: it returns a
 * launch (whose derived views also work) or refuses naming the input, never anything else.
 */
@Tag("fuzz")
class LaunchCommandFuzzTest {
  private static final List<String> FLAGS =
      SglangFlags.bundled().flags().stream().flatMap(f -> f.optionStrings().stream()).toList();

  @Provide
  Arbitrary<List<String>> launches() {
    Arbitrary<String> flag = Arbitraries.of(FLAGS);
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Fuzz.numberTexts(),
            Arbitraries.of("", "--", "-", "-1", "=", "auto", "fp8_e5m2", "true", "None", "[]"),
            Arbitraries.strings().ofMaxLength(20));
    Arbitrary<List<String>> option =
        Combinators.combine(flag, value.list().ofMaxSize(3), Arbitraries.of(true, false, false))
            .as(
                (f, vs, inline) -> {
                  List<String> o = new ArrayList<>();
                  if (inline && !vs.isEmpty()) {
                    o.add(f + "=" + vs.get(0));
                    o.addAll(vs.subList(1, vs.size()));
                  } else {
                    o.add(f);
                    o.addAll(vs);
                  }
                  return o;
                });
    Arbitrary<List<String>> prefix =
        Arbitraries.of(
            List.of("python3", "-m", "sglang.launch_server"),
            List.of("python", "-m", "sglang.launch_server"),
            List.of("sglang", "serve"),
            List.of("env", "CUDA_VISIBLE_DEVICES=0,1", "python3", "-m", "sglang.launch_server"),
            List.of("python3." + "1.".repeat(2000) + "1", "-m", "sglang.launch_server"),
            List.of("torchrun", "x"));
    return Combinators.combine(prefix, option.list().ofMaxSize(8), Arbitraries.of(true, false))
        .as(
            (p, os, model) -> {
              List<String> argv = new ArrayList<>(p);
              if (model) {
                argv.addAll(List.of("--model-path", "meta-llama/Llama-3.1-8B-Instruct"));
              }
              os.forEach(argv::addAll);
              return argv;
            });
  }

  @Provide
  Arbitrary<Map<String, String>> environments() {
    Arbitrary<String> name =
        Arbitraries.of(
            "CUDA_VISIBLE_DEVICES",
            "SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN",
            "SGL_ENABLE_JIT_DEEPGEMM",
            "SGLANG_ENABLE_JIT_DEEPGEMM",
            "SGLANG_PP_LAYER_PARTITION",
            "SGLANG_SYMM_MEM_PREALLOC_GB_SIZE",
            "SGL_JIT_DEEPGEMM_COMPILE_WORKERS",
            "HF_HOME");
    Arbitrary<String> value =
        Arbitraries.oneOf(Fuzz.numberTexts(), Arbitraries.of("", "1,1", "GPU-x", "-1", "yes"));
    return Arbitraries.maps(name, value).ofMaxSize(4);
  }

  @Property
  void parse_returnsOrRefusesNamingTheInput(
      @ForAll("launches") List<String> argv, @ForAll("environments") Map<String, String> env) {
    Fuzz.onlyInvalidInput(
        () -> {
          LaunchCommand l = LaunchCommand.parse(argv, env);
          l.serverArgs().parallelism();
          for (SglangFlags.Snapshot s : SglangFlags.Snapshot.values()) {
            l.versionCaveats(s);
            l.environment().jitDeepGemm(s);
            l.environment().symmMemPreallocGb(s);
            l.environment().jitDeepGemmCompileWorkers(s);
          }
          l.maskedForLog();
          return l.withMemFractionStatic(0.8);
        });
  }
}
