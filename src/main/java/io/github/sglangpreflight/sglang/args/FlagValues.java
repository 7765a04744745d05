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
  // Python's int() and float() grammars are checked by the linear scanners below, not by regular
  // expressions: a repeated group such as [0-9](?:_?[0-9])* recurses once per digit in
  // java.util.regex and overflowed the stack on a 3,000-digit value.

  // human_readable_int at main: python/sglang/srt/utils/common.py L2936-2971 @8761b971
  private static final Pattern HUMAN_READABLE =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)");

  /**
   * The longest number text converted (Python's own int() refuses more than 4,300 digits since
   * 3.11; no SGLang flag needs more than a few dozen).
   */
  static final int MAX_NUMBER_CHARS = 4300;

  private FlagValues() {}

  /** {@code [+-]? digits}, digits being ASCII digits with single underscores between them. */
  static boolean isPyInt(String s) {
    int i = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
    int end = digitsEnd(s, i);
    return end > i && end == s.length();
  }

  /**
   * Python's float() grammar: {@code [+-]? (digits [. digits?]? | . digits) ([eE] [+-]? digits)?}
   * or {@code inf}, {@code infinity}, {@code nan} in any case.
   */
  static boolean isPyFloat(String s) {
    int i = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
    String word = s.substring(i).toLowerCase(Locale.ROOT);
    if (word.equals("inf") || word.equals("infinity") || word.equals("nan")) {
      return true;
    }
    int intEnd = digitsEnd(s, i);
    boolean intPart = intEnd > i;
    int j = intEnd;
    boolean fracPart = false;
    if (j < s.length() && s.charAt(j) == '.') {
      int fracEnd = digitsEnd(s, j + 1);
      fracPart = fracEnd > j + 1;
      if (!fracPart && fracEnd != j + 1) {
        return false;
      }
      j = fracEnd;
    }
    if (!intPart && !fracPart) {
      return false;
    }
    if (j < s.length() && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
      int k = j + 1;
      if (k < s.length() && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
        k++;
      }
      int expEnd = digitsEnd(s, k);
      if (expEnd == k) {
        return false;
      }
      j = expEnd;
    }
    return j == s.length();
  }

  /**
   * The end of the run of {@code [0-9](_?[0-9])*} starting at {@code from}: {@code from} when there
   * is no digit there; a trailing or doubled underscore ends the run before it.
   */
  private static int digitsEnd(String s, int from) {
    int i = from;
    if (i >= s.length() || !isDigit(s.charAt(i))) {
      return from;
    }
    i++;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (isDigit(c)) {
        i++;
      } else if (c == '_' && i + 1 < s.length() && isDigit(s.charAt(i + 1))) {
        i += 2;
      } else {
        break;
      }
    }
    return i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Python's {@code int(text)} in base 10, or empty where Python raises ValueError. */
  static Optional<BigInteger> pythonInt(String text) {
    String s = text.strip();
    if (s.length() > MAX_NUMBER_CHARS || !isPyInt(s)) {
      return Optional.empty();
    }
    return Optional.of(new BigInteger(s.replace("_", "")));
  }

  /** Python's {@code float(text)}, or empty where Python raises ValueError. */
  static Optional<Double> pythonFloat(String text) {
    String s = text.strip();
    if (s.length() > MAX_NUMBER_CHARS || !isPyFloat(s)) {
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
    if (s.length() > MAX_NUMBER_CHARS) {
      return Optional.empty();
    }
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
