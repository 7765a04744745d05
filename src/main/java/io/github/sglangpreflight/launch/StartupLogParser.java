package io.github.sglangpreflight.launch;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one line of SGLang's output into an optional {@link StartupEvent}. Pure: no I/O, no state,
 * thread-safe.
 *
 * <p>The wordings it reads, with the SGLang source that prints them, are listed on each {@link
 * StartupEvent} record and in {@code src/test/resources/launch/README.md}. The message is found
 * anywhere in the line, so a line re-prefixed by a log collector still parses; the rank comes from
 * SGLang's own prefix {@code [YYYY-MM-DD HH:MM:SS[.mmm][ DP0][ PP1][ TP2][ EP2]]} when present.
 * Lines that are none of the known wordings give {@link Optional#empty()}, as do SGLang's
 * virtual-address reservations ({@code KV Cache VA upper bound}), which take no memory.
 */
final class StartupLogParser {

  private static final String NUM = "(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)";
  private static final String SIZE = NUM + " (bytes|KiB|MiB|GiB|TiB)";
  private static final String GRAPH = "((?:[\\w-]+ ){0,8}?(?:cuda|CUDA) graph)";

  private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
  private static final Pattern PREFIX =
      Pattern.compile(
          "\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?((?: [A-Z][A-Z_]{0,31}\\d{1,9}){0,8})\\]");

  private static final Pattern GRAPH_FAILED =
      Pattern.compile("Capture (?:[\\w-]+ ){0,8}?(?:cuda|CUDA) graph failed:");
  private static final Pattern NO_KV_MEMORY =
      Pattern.compile(
          "Loaded weights leave no GPU memory for the KV cache under --mem-fraction-static="
              + NUM
              + "\\. Raise --mem-fraction-static above "
              + NUM);
  private static final Pattern NOT_ENOUGH_MEMORY =
      Pattern.compile(
          "Not enought? memory\\. Please try to increase --mem-fraction-static\\.?"
              + "(?: Current value: mem_fraction_static="
              + NUM
              + ")?");
  private static final Pattern OUT_OF_MEMORY =
      Pattern.compile("(?:CUDA|HIP) out of memory\\. Tried to allocate " + SIZE);
  private static final Pattern OOM_GPU =
      Pattern.compile(
          "GPU (\\d+) has a total capacity of " + SIZE + "(?: of which " + SIZE + " is free)?");
  private static final Pattern OOM_GPU_BEFORE_TORCH_2_1 =
      Pattern.compile("\\(GPU (\\d+); " + SIZE + " total capacity;");
  private static final Pattern OOM_FREE_BEFORE_TORCH_2_1 = Pattern.compile("; " + SIZE + " free;");
  private static final Pattern UNBALANCED =
      Pattern.compile(
          "The memory capacity is unbalanced\\. Some GPUs may be occupied by other processes\\.");
  private static final Pattern UNBALANCED_RAISED =
      Pattern.compile("(?:Error|Exception): The memory capacity is unbalanced");

  private static final Pattern TORCH_DISTRIBUTED_END =
      Pattern.compile("Init torch distributed ends\\.(.*)");
  private static final Pattern LOAD_BEGIN =
      Pattern.compile("Load weight begin\\. avail mem=" + NUM + " GB");
  private static final Pattern LOAD_END = Pattern.compile("Load weight end\\.(.*)");
  private static final Pattern KV_ALLOCATED =
      Pattern.compile("(?:(?<![\\w-])([A-Za-z]+) )?KV Cache is allocated\\.(.*)");
  private static final Pattern KV_AFTER_CAPTURE =
      Pattern.compile("Post-capture KV sizing: KV cache allocated\\.(.*)");
  private static final Pattern POOL_END =
      Pattern.compile("Memory pool end\\. avail mem=" + NUM + " GB");
  private static final Pattern LIMITS =
      Pattern.compile(
          "(?<![\\w.(])max_total_num_tokens=(\\d+), chunked_prefill_size=(-?\\d+|None)(.*)");
  private static final Pattern CAPTURE_BEGIN =
      Pattern.compile("Capture " + GRAPH + " begin\\.(.*)");
  private static final Pattern CAPTURE_END = Pattern.compile("Capture " + GRAPH + " end\\.(.*)");
  private static final Pattern DEEPGEMM_REQUIRED =
      Pattern.compile(
          "Required memory for warmup: " + NUM + " ?GB, Available memory: " + NUM + " ?GB");
  private static final Pattern DEEPGEMM_REDUCED =
      Pattern.compile(
          "Available memory "
              + NUM
              + " ?GB is less than required memory "
              + NUM
              + " ?GB for warmup, reducing max_m to (\\d+)");
  private static final Pattern READY = Pattern.compile("The server is fired up and ready to roll!");
  private static final Pattern LISTENING = Pattern.compile("Uvicorn running on (\\S+)");

  private static final Pattern AVAIL = Pattern.compile("avail mem=" + NUM + " GB");
  private static final Pattern MEM_USAGE = Pattern.compile("mem usage=" + NUM + " GB");
  private static final Pattern ELAPSED =
      Pattern.compile("(?:Time elapsed: |elapsed=)" + NUM + " s");
  private static final Pattern TOKENS = Pattern.compile("#tokens: (\\d+)");
  private static final Pattern K_SIZE = Pattern.compile("(?<!\\w)K size: " + NUM + " GB");
  private static final Pattern V_SIZE = Pattern.compile("(?<!\\w)V size: " + NUM + " GB");
  private static final Pattern KV_SIZE = Pattern.compile("(?<!\\w)KV size: " + NUM + " GB");
  private static final Pattern DTYPE = Pattern.compile("dtype: ([\\w.]+)");
  private static final Pattern MAX_RUNNING = Pattern.compile("max_running_requests=(\\d+)");
  private static final Pattern CONTEXT_LEN = Pattern.compile("context_len=(\\d+)");
  private static final Pattern AVAILABLE_GPU_MEM =
      Pattern.compile("available_gpu_mem=" + NUM + " GB");

  private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

  /**
   * The characters of a line that are matched (SGLang's start-up lines are far shorter; a longer
   * line is cut there so that no pattern runs over unbounded input).
   */
  static final int MAX_LINE_CHARS = 16_384;

  private StartupLogParser() {}

  /**
   * The event this line reports, if any.
   *
   * @param line one line of SGLang's stdout or stderr, with or without its terminator
   */
  static Optional<StartupEvent> parse(String line) {
    Objects.requireNonNull(line, "line");
    String text = stripTerminator(line);
    if (text.length() > MAX_LINE_CHARS) {
      text = text.substring(0, MAX_LINE_CHARS);
    }
    String plain = text.indexOf('\u001B') >= 0 ? ANSI_ESCAPE.matcher(text).replaceAll("") : text;
    try {
      Rank rank = rankOf(plain);
      Optional<StartupEvent> failure = failure(rank, text, plain);
      return failure.isPresent() ? failure : milestone(rank, text, plain);
    } catch (ArithmeticException | NumberFormatException e) {
      // a figure beyond any GPU (more than 2^63 bytes, a 400-digit exponent): not a line SGLang
      // writes, so it reports nothing
      return Optional.empty();
    }
  }

  /** The worker named by the line's SGLang prefix, or {@link Rank#UNLABELED}. */
  static Rank rankOf(String line) {
    Matcher m = PREFIX.matcher(line);
    return m.find() ? Rank.parse(m.group(1)) : Rank.UNLABELED;
  }

  private static Optional<StartupEvent> failure(Rank rank, String line, String plain) {
    Matcher m;
    if (GRAPH_FAILED.matcher(plain).find()) {
      return Optional.of(
          outOfMemory(rank, line, plain, StartupFailureKind.CUDA_GRAPH_CAPTURE_FAILED));
    }
    if ((m = NO_KV_MEMORY.matcher(plain)).find()) {
      return Optional.of(
          new StartupEvent.Failure(
              rank,
              line,
              StartupFailureKind.NO_MEMORY_FOR_KV_CACHE,
              true,
              OptionalLong.empty(),
              OptionalInt.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalDouble.of(Double.parseDouble(m.group(1))),
              OptionalDouble.of(Double.parseDouble(m.group(2)))));
    }
    if ((m = NOT_ENOUGH_MEMORY.matcher(plain)).find()) {
      return Optional.of(
          new StartupEvent.Failure(
              rank,
              line,
              StartupFailureKind.NOT_ENOUGH_MEMORY,
              true,
              OptionalLong.empty(),
              OptionalInt.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              m.group(1) == null
                  ? OptionalDouble.empty()
                  : OptionalDouble.of(Double.parseDouble(m.group(1))),
              OptionalDouble.empty()));
    }
    if (OUT_OF_MEMORY.matcher(plain).find()) {
      return Optional.of(outOfMemory(rank, line, plain, StartupFailureKind.CUDA_OUT_OF_MEMORY));
    }
    if (UNBALANCED.matcher(plain).find()) {
      return Optional.of(
          new StartupEvent.Failure(
              rank,
              line,
              StartupFailureKind.MEMORY_CAPACITY_UNBALANCED,
              UNBALANCED_RAISED.matcher(plain).find(),
              OptionalLong.empty(),
              OptionalInt.empty(),
              OptionalLong.empty(),
              OptionalLong.empty(),
              OptionalDouble.empty(),
              OptionalDouble.empty()));
    }
    return Optional.empty();
  }

  private static StartupEvent.Failure outOfMemory(
      Rank rank, String line, String plain, StartupFailureKind kind) {
    OptionalLong requested = OptionalLong.empty();
    OptionalInt gpu = OptionalInt.empty();
    OptionalLong capacity = OptionalLong.empty();
    OptionalLong free = OptionalLong.empty();
    Matcher m = OUT_OF_MEMORY.matcher(plain);
    if (m.find()) {
      requested = OptionalLong.of(size(m.group(1), m.group(2)));
      String rest = plain.substring(m.end());
      Matcher g = OOM_GPU.matcher(rest);
      if (g.find()) {
        gpu = OptionalInt.of(Integer.parseInt(g.group(1)));
        capacity = OptionalLong.of(size(g.group(2), g.group(3)));
        if (g.group(4) != null) {
          free = OptionalLong.of(size(g.group(4), g.group(5)));
        }
      } else if ((g = OOM_GPU_BEFORE_TORCH_2_1.matcher(rest)).find()) {
        gpu = OptionalInt.of(Integer.parseInt(g.group(1)));
        capacity = OptionalLong.of(size(g.group(2), g.group(3)));
        Matcher f = OOM_FREE_BEFORE_TORCH_2_1.matcher(rest);
        if (f.find()) {
          free = OptionalLong.of(size(f.group(1), f.group(2)));
        }
      }
    }
    return new StartupEvent.Failure(
        rank,
        line,
        kind,
        true,
        requested,
        gpu,
        capacity,
        free,
        OptionalDouble.empty(),
        OptionalDouble.empty());
  }

  private static Optional<StartupEvent> milestone(Rank rank, String line, String plain) {
    Matcher m;
    if ((m = LOAD_BEGIN.matcher(plain)).find()) {
      return Optional.of(new StartupEvent.WeightLoadBegin(rank, line, gib(m.group(1))));
    }
    if ((m = LOAD_END.matcher(plain)).find()) {
      String rest = m.group(1);
      OptionalLong avail = gibField(AVAIL, rest);
      if (avail.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new StartupEvent.WeightLoadEnd(
              rank, line, avail.getAsLong(), gibField(MEM_USAGE, rest), secondsField(rest)));
    }
    if ((m = TORCH_DISTRIBUTED_END.matcher(plain)).find()) {
      String rest = m.group(1);
      return Optional.of(
          new StartupEvent.TorchDistributedReady(
              rank, line, gibField(MEM_USAGE, rest), secondsField(rest)));
    }
    if ((m = KV_ALLOCATED.matcher(plain)).find()) {
      return kvCache(rank, line, Optional.ofNullable(m.group(1)), m.group(2), false);
    }
    if ((m = KV_AFTER_CAPTURE.matcher(plain)).find()) {
      return kvCache(rank, line, Optional.empty(), m.group(1), true);
    }
    if ((m = POOL_END.matcher(plain)).find()) {
      return Optional.of(new StartupEvent.MemoryPoolEnd(rank, line, gib(m.group(1))));
    }
    if ((m = LIMITS.matcher(plain)).find()) {
      String rest = m.group(3);
      OptionalLong chunked = OptionalLong.empty();
      if (!m.group(2).equals("None") && Long.parseLong(m.group(2)) > 0) {
        chunked = OptionalLong.of(Long.parseLong(m.group(2)));
      }
      return Optional.of(
          new StartupEvent.SchedulerLimits(
              rank,
              line,
              Long.parseLong(m.group(1)),
              chunked,
              longField(MAX_RUNNING, rest),
              longField(CONTEXT_LEN, rest),
              gibField(AVAILABLE_GPU_MEM, rest)));
    }
    if ((m = CAPTURE_BEGIN.matcher(plain)).find()) {
      return Optional.of(
          new StartupEvent.GraphCaptureBegin(rank, line, m.group(1), gibField(AVAIL, m.group(2))));
    }
    if ((m = CAPTURE_END.matcher(plain)).find()) {
      String rest = m.group(2);
      return Optional.of(
          new StartupEvent.GraphCaptureEnd(
              rank,
              line,
              m.group(1),
              secondsField(rest),
              gibField(MEM_USAGE, rest),
              gibField(AVAIL, rest)));
    }
    if ((m = DEEPGEMM_REQUIRED.matcher(plain)).find()) {
      return Optional.of(
          new StartupEvent.DeepGemmWarmup(
              rank, line, gib(m.group(1)), gib(m.group(2)), OptionalLong.empty()));
    }
    if ((m = DEEPGEMM_REDUCED.matcher(plain)).find()) {
      return Optional.of(
          new StartupEvent.DeepGemmWarmup(
              rank,
              line,
              gib(m.group(2)),
              gib(m.group(1)),
              OptionalLong.of(Long.parseLong(m.group(3)))));
    }
    if (READY.matcher(plain).find()) {
      return Optional.of(new StartupEvent.ServerReady(rank, line));
    }
    if ((m = LISTENING.matcher(plain)).find()) {
      return Optional.of(new StartupEvent.HttpListening(rank, line, m.group(1)));
    }
    return Optional.empty();
  }

  private static Optional<StartupEvent> kvCache(
      Rank rank, String line, Optional<String> label, String rest, boolean afterCapture) {
    OptionalLong k = gibField(K_SIZE, rest);
    OptionalLong v = gibField(V_SIZE, rest);
    OptionalLong kv = gibField(KV_SIZE, rest);
    if (kv.isEmpty() && (k.isEmpty() || v.isEmpty())) {
      return Optional.empty();
    }
    Matcher dtype = DTYPE.matcher(rest);
    return Optional.of(
        new StartupEvent.KvCacheAllocated(
            rank,
            line,
            longField(TOKENS, rest),
            kv.isPresent() ? OptionalLong.empty() : k,
            kv.isPresent() ? OptionalLong.empty() : v,
            kv,
            dtype.find() ? Optional.of(dtype.group(1)) : Optional.empty(),
            label,
            afterCapture,
            afterCapture ? gibField(AVAIL, rest) : OptionalLong.empty()));
  }

  private static OptionalLong gibField(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? OptionalLong.of(gib(m.group(1))) : OptionalLong.empty();
  }

  private static OptionalLong longField(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  private static OptionalDouble secondsField(String text) {
    Matcher m = ELAPSED.matcher(text);
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }

  /** SGLang's "GB" figure (GiB) as bytes, rounded to the nearest byte. */
  static long gib(String number) {
    return new BigDecimal(number)
        .multiply(GIB)
        .setScale(0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  /** A torch size ({@code 448.00 MiB}) as bytes. */
  static long size(String number, String unit) {
    int shift =
        switch (unit) {
          case "bytes" -> 0;
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          case "TiB" -> 40;
          default -> throw new IllegalArgumentException("unknown size unit " + unit);
        };
    return new BigDecimal(number)
        .multiply(BigDecimal.valueOf(1L << shift))
        .setScale(0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  private static String stripTerminator(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
      end--;
    }
    return line.substring(0, end);
  }
}
