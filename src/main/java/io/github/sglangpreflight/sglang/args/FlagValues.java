package io.github.sglangpreflight.sglang.args;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts flag values the way SGLang's argparse type callables do: Python's {@code int()} and
 * {@code float()} on a string, and SGLang's {@code human_readable_int} (main only).
 *
 * <p>Python accepts surrounding whitespace, a sign, and single underscores between digits ({@code
 * 1_000}); {@code float()} also accepts {@code inf}, {@code infinity} and {@code nan} in any case.
 * Java's parsers differ ({@code 1.5f}, hex floats, no underscores), so the grammar is checked here
 * first. Only ASCII digits are accepted (Python also takes other Unicode decimal digits).
 */
final class FlagValues {
  private static final String DIGITS = "[0-9](?:_?[0-9])*";
  private static final Pattern PY_INT = Pattern.compile("[+-]?" + DIGITS);
  private static final Pattern PY_FLOAT =
      Pattern.compile(
          "[+-]?(?:(?:"
              + DIGITS
              + "(?:\\.(?:"
              + DIGITS
              + ")?)?|\\."
              + DIGITS
              + ")(?:[eE][+-]?"
              + DIGITS
              + ")?|(?i:inf|infinity|nan))");
  // human_readable_int at main: python/sglang/srt/utils/common.py L2936-2971 @8761b971
  private static final Pattern HUMAN_READABLE =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)");

  private FlagValues() {}

  /** Python's {@code int(text)} in base 10, or empty where Python raises ValueError. */
  static Optional<BigInteger> pythonInt(String text) {
    String s = text.strip();
    if (!PY_INT.matcher(s).matches()) {
      return Optional.empty();
    }
    return Optional.of(new BigInteger(s.replace("_", "")));
  }

  /** Python's {@code float(text)}, or empty where Python raises ValueError. */
  static Optional<Double> pythonFloat(String text) {
    String s = text.strip();
    if (!PY_FLOAT.matcher(s).matches()) {
      return Optional.empty();
    }
    String lower = s.toLowerCase(Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    boolean negative = lower.startsWith("-");
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return Optional.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    if (unsigned.equals("nan")) {
      return Optional.of(Double.NaN);
    }
    return Optional.of(Double.parseDouble(s.replace("_", "")));
  }

  /**
   * SGLang's {@code human_readable_int}: an integer, or a number with an SI suffix ({@code 128k},
   * {@code 25.6k}, {@code 1M}) or an integer with an IEC suffix ({@code 32Ki}); empty where it
   * raises.
   */
  static Optional<BigInteger> humanReadableInt(String text) {
    String s = text.strip();
    Matcher m = HUMAN_READABLE.matcher(s);
    if (m.matches()) {
      String number = m.group(1);
      String suffix = m.group(2);
      if (suffix.endsWith("i")) {
        if (number.contains(".")) {
          return Optional.empty();
        }
        int power =
            switch (suffix) {
              case "Ki" -> 10;
              case "Mi" -> 20;
              case "Gi" -> 30;
              default -> 40;
            };
        return Optional.of(new BigInteger(number).shiftLeft(power));
      }
      int exponent =
          switch (suffix) {
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            default -> 12;
          };
      return Optional.of(
          new BigDecimal(number)
              .scaleByPowerOfTen(exponent)
              .setScale(0, RoundingMode.DOWN)
              .toBigIntegerExact());
    }
    return pythonInt(s);
  }

  /** Whether {@code text} is a plain Python integer (no human-readable suffix). */
  static boolean isPlainInt(String text) {
    return pythonInt(text).isPresent();
  }

  /**
   * A fraction as the rewritten {@code --mem-fraction-static} value: at most three decimals,
   * trailing zeros dropped, {@code Locale.ROOT}.
   */
  static String formatFraction(double value) {
    return BigDecimal.valueOf(value)
        .setScale(3, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }
}
