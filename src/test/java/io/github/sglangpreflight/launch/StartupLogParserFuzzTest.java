package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.fuzz.Fuzz;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * StartupLogParser.parse on SGLang's real start-up lines with their numbers, prefixes and lengths
 * made wrong: an event or nothing, never an exception (a log line is never refused).
 */
@Tag("fuzz")
class StartupLogParserFuzzTest {
  private static final String[] TEMPLATES = {
    "Load weight begin. avail mem=%s GB",
    "Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16, avail mem=%s GB, mem usage=%s GB.",
    "KV Cache is allocated. #tokens: %s, K size: %s GB, V size: %s GB",
    "Memory pool end. avail mem=%s GB",
    "max_total_num_tokens=%s, chunked_prefill_size=%s, max_prefill_tokens=%s,"
        + " max_running_requests=%s, context_len=%s, available_gpu_mem=%s GB",
    "Capture cuda graph begin. This can take up to several minutes. avail mem=%s GB",
    "Capture cuda graph end. Time elapsed: %s s. mem usage=%s GB. avail mem=%s GB.",
    "Capture %s cuda graph failed: CUDA out of memory. Tried to allocate %s GiB",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate %s MiB. GPU %s has a total"
        + " capacity of %s GiB of which %s MiB is free.",
    "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static. Current value:"
        + " mem_fraction_static=%s",
    "Required memory for warmup: %sGB, Available memory: %sGB",
    "Available memory %sGB is less than required memory %sGB for warmup, reducing max_m to %s",
    "Init torch distributed ends. mem usage=%s GB",
    "Uvicorn running on %s",
    "Loaded weights leave no GPU memory for the KV cache under --mem-fraction-static=%s. Raise"
        + " --mem-fraction-static above %s",
  };

  @Provide
  Arbitrary<String> lines() {
    Arbitrary<String> number = Fuzz.numberTexts();
    Arbitrary<String> prefix =
        Arbitraries.oneOf(
            Arbitraries.of(
                "",
                "[2025-01-01 10:00:00] ",
                "[2025-01-01 10:00:00 TP0] ",
                "[2025-01-01 10:00:00.123 DP1 TP3 EP3] ",
                "\u001B[32m[2025-01-01 10:00:00]\u001B[0m "),
            Arbitraries.integers()
                .between(1, 4000)
                .map(n -> "[2025-01-01 10:00:00" + " TP1".repeat(n) + "] "),
            Arbitraries.integers().between(1, 4000).map(n -> "\u001B[" + ";".repeat(n) + "m"));
    Arbitrary<String> body =
        Combinators.combine(Arbitraries.of(TEMPLATES), number.list().ofSize(6))
            .as((t, ns) -> String.format(t, ns.toArray()));
    Arbitrary<String> padding =
        Arbitraries.oneOf(
            Arbitraries.just(""),
            Arbitraries.integers().between(1, 5000).map(n -> "a-b ".repeat(n)),
            Arbitraries.strings().ofMaxLength(30));
    return Combinators.combine(prefix, padding, body, Arbitraries.of("", "\n", "\r\n", "\r"))
        .as((p, pad, b, end) -> p + pad + b + end);
  }

  @Property
  void parse_neverThrows(@ForAll("lines") String line) {
    StartupLogParser.parse(line);
  }
}
