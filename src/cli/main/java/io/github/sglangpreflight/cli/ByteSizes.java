package io.github.sglangpreflight.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses memory sizes as people write them on a command line: {@code 1GiB}, {@code 512MiB}, {@code
 * 1.5 GiB}, {@code 2G}, {@code 1073741824}.
 *
 * <p>Units are case-insensitive. {@code KiB}, {@code MiB}, {@code GiB}, {@code TiB} and the
 * one-letter {@code K}, {@code M}, {@code G}, {@code T} are binary (powers of 1024, as {@code java
 * -Xmx2G} and {@code docker --memory 2g} read them); {@code kB}, {@code MB}, {@code GB}, {@code TB}
 * are decimal (powers of 1000, SI); {@code B} or no unit is bytes. A fraction is rounded to the
 * nearest byte.
 */
final class ByteSizes {
  private static final Pattern SIZE =
      Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([a-z]*)");

  private ByteSizes() {}

  /**
   * The number of bytes {@code text} stands for.
   *
   * @param option the option as the message names it, e.g. {@code --safety-margin}
   * @throws UsageException when the text is not a size, is negative or does not fit in a long
   */
  static long parse(String option, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("-")) {
      throw new UsageException(
          String.format(
              Locale.ROOT,
              "%s '%s' is negative; give a size of zero or more, e.g. %s 1GiB",
              option,
              text,
              option));
    }
    Matcher m = SIZE.matcher(t);
    long unit = m.matches() ? unit(m.group(2)) : -1;
    if (unit < 0) {
      throw new UsageException(
          String.format(
              Locale.ROOT,
              "%s '%s' is not a size; write bytes or a number with a unit, e.g. 1GiB, 512MiB,"
                  + " '1.5 GiB' or 2G",
              option,
              text));
    }
    BigDecimal bytes =
        new BigDecimal(m.group(1))
            .multiply(BigDecimal.valueOf(unit))
            .setScale(0, RoundingMode.HALF_UP);
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new UsageException(
          String.format(Locale.ROOT, "%s '%s' is too large to be a memory size", option, text));
    }
    return bytes.longValueExact();
  }

  /** Bytes per unit, or -1 for an unknown unit. */
  private static long unit(String unit) {
    return switch (unit) {
      case "", "b" -> 1L;
      case "k", "kib" -> 1L << 10;
      case "m", "mib" -> 1L << 20;
      case "g", "gib" -> 1L << 30;
      case "t", "tib" -> 1L << 40;
      case "kb" -> 1_000L;
      case "mb" -> 1_000_000L;
      case "gb" -> 1_000_000_000L;
      case "tb" -> 1_000_000_000_000L;
      default -> -1L;
    };
  }
}
