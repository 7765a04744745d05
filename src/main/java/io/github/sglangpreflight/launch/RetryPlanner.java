package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.launch.process.SecretMasking;
import io.github.sglangpreflight.units.Units;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decides what to do after an SGLang start-up failed: relaunch with another {@code
 * --mem-fraction-static}, moved by the shortfall the failed attempt measured, or stop and say why
 * no fraction can work. Pure: no I/O, no clock; the same attempts give the same plan.
 *
 * <p>The arithmetic is SGLang's static pool: with T the free memory at {@code Load weight begin}
 * (SGLang takes the minimum over the ranks), the weights and the KV pool get {@code T x f}, and
 * everything after the pool (request tables, CUDA graphs, activations) must fit in {@code T x (1 -
 * f)}. Lowering f by {@code d} leaves {@code T x d} more outside the pool; raising it gives the KV
 * pool {@code T x d} more.
 *
 * <ul>
 *   <li>Out of memory after the memory pool (CUDA-graph capture, prefill graphs, warm-up): lower f
 *       by {@code (shortfall + margin) / T}, the shortfall being torch's {@code Tried to allocate}
 *       minus its {@code of which … is free} (the whole request when the free memory is not
 *       printed; {@link #UNMEASURED_STEP} when neither is). Never below the floor, the smallest
 *       fraction whose pool still holds the minimum KV cache.
 *   <li>{@code Not enough memory. Please try to increase --mem-fraction-static}, or main's {@code
 *       Loaded weights leave no GPU memory for the KV cache … Raise --mem-fraction-static above G}:
 *       raise f to {@code (weights + minimum KV pool) / T}, from the weights the log measured (or G
 *       plus the minimum pool, when printed). Never above the ceiling, the largest fraction the
 *       check found safe for what follows the pool.
 *   <li>Out of memory while loading the weights, unbalanced GPUs, or a failure that is not about
 *       memory: no fraction changes it, stop.
 * </ul>
 *
 * <p>Every failed attempt bounds the answer: a fraction that ran out of memory after the pool is an
 * upper bound, one that left no room for the KV cache a lower bound. A step that would cross a
 * bound goes halfway to it instead; when the bounds are closer than {@link #MIN_STEP}, no fraction
 * can work.
 */
public final class RetryPlanner {

  /** The step (of T) when the failure printed no figure: 5 %, this project's choice. */
  public static final double UNMEASURED_STEP = 0.05;

  /** Two fractions closer than this are the same launch for SGLang (three decimals). */
  public static final double MIN_STEP = 0.002;

  private RetryPlanner() {}

  /**
   * One attempt that failed.
   *
   * @param memFractionStatic the fraction SGLang ran with (its own value, after any factor)
   * @param observation what its start-up log showed, failures included
   */
  public record FailedAttempt(double memFractionStatic, StartupObservation observation) {
    public FailedAttempt {
      Objects.requireNonNull(observation, "observation");
      requireFraction("memFractionStatic", memFractionStatic);
    }
  }

  /**
   * What the check predicted, for the figures a log may not print.
   *
   * @param floorFraction the smallest fraction whose pool holds the minimum KV cache (the check's
   *     {@code minFraction})
   * @param ceilingFraction the largest fraction the check found safe ({@code maxSafeFraction}), or
   *     the largest SGLang accepts when none is known
   * @param marginBytes memory kept free on top of a measured shortfall (the safety margin)
   * @param predictedPreLoadFreeBytes T as predicted, when the log did not print it
   * @param minKvPoolBytes the minimum KV pool in bytes, when known
   */
  public record Limits(
      double floorFraction,
      double ceilingFraction,
      long marginBytes,
      OptionalLong predictedPreLoadFreeBytes,
      OptionalLong minKvPoolBytes) {
    public Limits {
      requireFraction("floorFraction", floorFraction);
      requireFraction("ceilingFraction", ceilingFraction);
      if (marginBytes < 0) {
        throw new IllegalArgumentException("marginBytes must not be negative, was " + marginBytes);
      }
      Objects.requireNonNull(predictedPreLoadFreeBytes, "predictedPreLoadFreeBytes");
      Objects.requireNonNull(minKvPoolBytes, "minKvPoolBytes");
    }
  }

  /** The plan after a failed attempt. */
  public sealed interface Plan {
    /** Why, one sentence for the log and the report. */
    String reason();
  }

  /**
   * Launch again with this fraction.
   *
   * @param memFractionStatic SGLang's value, three decimals
   */
  public record Relaunch(double memFractionStatic, String reason) implements Plan {
    public Relaunch {
      requireFraction("memFractionStatic", memFractionStatic);
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Do not launch again.
   *
   * @param outOfMemory whether the failure was about memory (false: it failed for another reason,
   *     or no start-up failure was seen)
   */
  public record Stop(String reason, boolean outOfMemory) implements Plan {
    public Stop {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The plan after the last of {@code attempts} failed; the earlier ones bound the answer.
   *
   * @throws IllegalArgumentException when {@code attempts} is empty
   */
  public static Plan next(List<FailedAttempt> attempts, Limits limits) {
    Objects.requireNonNull(limits, "limits");
    if (attempts.isEmpty()) {
      throw new IllegalArgumentException("at least one failed attempt is needed");
    }
    FailedAttempt last = attempts.getLast();
    Optional<StartupObservation.ObservedFailure> observed = last.observation().firstFatalFailure();
    if (observed.isEmpty()) {
      return new Stop(
          "SGLang stopped without a start-up memory error in its log; a retry would not change"
              + " that",
          false);
    }
    StartupObservation.ObservedFailure o = observed.get();
    StartupEvent.Failure f = o.failure();
    double used = f.memFractionStatic().orElse(last.memFractionStatic());
    String quoted = quote(f.line());
    return switch (f.kind()) {
      case MEMORY_CAPACITY_UNBALANCED ->
          new Stop(
              "SGLang found the GPUs' free memory unbalanced ("
                  + quoted
                  + "); no --mem-fraction-static changes that: free the busy GPU or choose other"
                  + " GPUs",
              false);
      case NOT_ENOUGH_MEMORY, NO_MEMORY_FOR_KV_CACHE -> raise(attempts, limits, last, f, used);
      case CUDA_GRAPH_CAPTURE_FAILED, CUDA_OUT_OF_MEMORY -> {
        if (!f.outOfMemory()
            && f.kind() == StartupFailureKind.CUDA_GRAPH_CAPTURE_FAILED
            && !f.line().contains("out of memory")) {
          yield new Stop(
              "the CUDA-graph capture failed for a reason other than memory ("
                  + quoted
                  + "); a retry with another --mem-fraction-static would not change that",
              false);
        }
        if (!o.afterMemoryPool() && o.stage().compareTo(StartupStage.WEIGHTS_LOADED) < 0) {
          yield new Stop(
              "SGLang ran out of memory at start-up ("
                  + o.stage().description()
                  + "), before its memory pool ("
                  + quoted
                  + "): the weights do not fit, and --mem-fraction-static does not change that;"
                  + " use more GPUs (--tp), a quantized checkpoint, or free the GPU",
              true);
        }
        yield lower(attempts, limits, last, o, used);
      }
    };
  }

  private static Plan lower(
      List<FailedAttempt> attempts,
      Limits limits,
      FailedAttempt last,
      StartupObservation.ObservedFailure o,
      double used) {
    StartupEvent.Failure f = o.failure();
    OptionalLong t = preLoadFree(last.observation(), limits);
    String measured;
    double step;
    if (f.requestedBytes().isPresent() && t.isPresent()) {
      long requested = f.requestedBytes().getAsLong();
      long shortfall = requested - f.freeBytes().orElse(0);
      step = (double) (Math.max(0, shortfall) + limits.marginBytes()) / t.getAsLong();
      measured =
          f.freeBytes().isPresent()
              ? String.format(
                  Locale.ROOT,
                  "it asked for %s with %s free, %s short; %s more outside the pool (with the %s"
                      + " margin) of T %s",
                  Units.gib(requested),
                  Units.gib(f.freeBytes().getAsLong()),
                  Units.gib(Math.max(0, shortfall)),
                  Units.gib(Math.max(0, shortfall) + limits.marginBytes()),
                  Units.gib(limits.marginBytes()),
                  Units.gib(t.getAsLong()))
              : String.format(
                  Locale.ROOT,
                  "it asked for %s (the free memory was not printed); %s more outside the pool"
                      + " (with the %s margin) of T %s",
                  Units.gib(requested),
                  Units.gib(requested + limits.marginBytes()),
                  Units.gib(limits.marginBytes()),
                  Units.gib(t.getAsLong()));
    } else {
      step = UNMEASURED_STEP;
      measured = "the log printed no size, so the step is 5 % of T";
    }
    double upper = used;
    double lowerBound = limits.floorFraction();
    boolean floorFromAttempt = false;
    for (FailedAttempt a : attempts) {
      if (tooLow(a) && a.memFractionStatic() > lowerBound) {
        lowerBound = a.memFractionStatic();
        floorFromAttempt = true;
      }
    }
    double next = floor3(used - step);
    String what =
        "SGLang ran out of memory at start-up ("
            + o.stage().description()
            + ") at --mem-fraction-static "
            + Units.fraction(used)
            + " ("
            + quote(f.line())
            + ")";
    if (next < lowerBound) {
      double half = floor3((upper + lowerBound) / 2);
      if (floorFromAttempt && half - lowerBound >= MIN_STEP && upper - half >= MIN_STEP) {
        return new Relaunch(
            half,
            what
                + "; "
                + measured
                + ", which would cross "
                + Units.fraction(lowerBound)
                + " (too little KV cache there), so halfway: "
                + Units.fraction(half));
      }
      return new Stop(
          what
              + "; "
              + measured
              + ": that needs --mem-fraction-static "
              + Units.fraction(Math.max(0.001, next))
              + ", below "
              + Units.fraction(lowerBound)
              + (floorFromAttempt
                  ? ", where the KV cache already did not fit"
                  : ", the smallest fraction whose pool holds the minimum KV cache")
              + ": no fraction can work; lower --cuda-graph-max-bs, --context-length or"
              + " --max-running-requests, or use more GPUs (--tp)",
          true);
    }
    return new Relaunch(next, what + "; " + measured + ": lowering it to " + Units.fraction(next));
  }

  private static Plan raise(
      List<FailedAttempt> attempts,
      Limits limits,
      FailedAttempt last,
      StartupEvent.Failure f,
      double used) {
    OptionalLong t = preLoadFree(last.observation(), limits);
    OptionalLong weights = weights(last.observation());
    double needed;
    String measured;
    if (f.minimumMemFractionStatic().isPresent()) {
      double g = f.minimumMemFractionStatic().getAsDouble();
      double kv =
          t.isPresent() && limits.minKvPoolBytes().isPresent()
              ? (double) limits.minKvPoolBytes().getAsLong() / t.getAsLong()
              : 0;
      needed = g + kv;
      measured =
          String.format(
              Locale.ROOT,
              "SGLang asks for more than %s%s",
              Units.fraction(g),
              kv > 0 ? ", plus the minimum KV pool" : "");
    } else if (t.isPresent() && weights.isPresent()) {
      long kv = limits.minKvPoolBytes().orElse(0);
      needed = (double) (weights.getAsLong() + kv) / t.getAsLong();
      measured =
          String.format(
              Locale.ROOT,
              "the weights took %s of T %s%s",
              Units.gib(weights.getAsLong()),
              Units.gib(t.getAsLong()),
              kv > 0 ? ", and the minimum KV pool needs " + Units.gib(kv) : "");
    } else {
      needed = used + UNMEASURED_STEP;
      measured = "the log printed no size, so the step is 5 % of T";
    }
    double next = Math.max(ceil3(needed), ceil3(used + MIN_STEP));
    double upperBound = limits.ceilingFraction();
    boolean ceilingFromAttempt = false;
    for (FailedAttempt a : attempts) {
      if (!tooLow(a)
          && a.observation().firstFatalFailure().isPresent()
          && a.memFractionStatic() < upperBound) {
        upperBound = a.memFractionStatic();
        ceilingFromAttempt = true;
      }
    }
    String what =
        "SGLang left no room for the KV cache at --mem-fraction-static "
            + Units.fraction(used)
            + " ("
            + quote(f.line())
            + ")";
    if (next > upperBound) {
      double half = ceil3((used + upperBound) / 2);
      if (ceilingFromAttempt && half - used >= MIN_STEP && upperBound - half >= MIN_STEP) {
        return new Relaunch(
            half,
            what
                + "; "
                + measured
                + ", but "
                + Units.fraction(upperBound)
                + " already ran out of memory after the pool, so halfway: "
                + Units.fraction(half));
      }
      return new Stop(
          what
              + "; "
              + measured
              + ": that needs --mem-fraction-static "
              + Units.fraction(Math.min(0.999, next))
              + ", above "
              + Units.fraction(upperBound)
              + (ceilingFromAttempt
                  ? ", which already ran out of memory after the pool"
                  : ", the largest fraction that leaves room for what follows the pool")
              + ": no fraction can work; lower --context-length or --max-total-tokens, or use"
              + " more GPUs (--tp) or a quantized model",
          true);
    }
    return new Relaunch(next, what + "; " + measured + ": raising it to " + Units.fraction(next));
  }

  /** Whether an attempt failed for lack of KV room (its fraction was too low). */
  private static boolean tooLow(FailedAttempt a) {
    return a.observation()
        .firstFatalFailure()
        .map(
            o ->
                o.failure().kind() == StartupFailureKind.NOT_ENOUGH_MEMORY
                    || o.failure().kind() == StartupFailureKind.NO_MEMORY_FOR_KV_CACHE)
        .orElse(false);
  }

  /** T: the smallest free memory at load begin over the ranks, else the prediction. */
  private static OptionalLong preLoadFree(StartupObservation observation, Limits limits) {
    OptionalLong min =
        observation.ranks().stream()
            .map(RankObservation::availBeforeLoadBytes)
            .filter(OptionalLong::isPresent)
            .mapToLong(OptionalLong::getAsLong)
            .min();
    return min.isPresent() && min.getAsLong() > 0 ? min : limits.predictedPreLoadFreeBytes();
  }

  /** The largest weights any rank measured. */
  private static OptionalLong weights(StartupObservation observation) {
    return observation.ranks().stream()
        .map(r -> r.actual(MemoryTerm.WEIGHTS))
        .filter(OptionalLong::isPresent)
        .mapToLong(OptionalLong::getAsLong)
        .max();
  }

  private static String quote(String line) {
    String s = SecretMasking.maskLine(line.strip());
    int at = s.indexOf("] ");
    if (s.startsWith("[") && at > 0) {
      s = s.substring(at + 2);
    }
    return "\"" + (s.length() > 160 ? s.substring(0, 157) + "..." : s) + "\"";
  }

  private static double floor3(double f) {
    return Math.floor(f * 1000 + 1e-9) / 1000;
  }

  private static double ceil3(double f) {
    return Math.ceil(f * 1000 - 1e-9) / 1000;
  }

  private static void requireFraction(String name, double f) {
    if (!(f > 0 && f < 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1), was " + f);
    }
  }
}
