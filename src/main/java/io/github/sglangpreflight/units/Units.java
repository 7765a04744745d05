package io.github.sglangpreflight.units;

import java.util.Locale;

/**
 * Byte and fraction units and how people read them: one place for every sentence, report and log
 * line of the library. Messages quote memory in GiB with two decimals and fractions with three;
 * exact bytes stay on the records.
 */
public final class Units {

  /** One mebibyte, 2^20 bytes. */
  public static final long MIB = 1L << 20;

  /** One gibibyte, 2^30 bytes. */
  public static final long GIB = 1L << 30;

  private Units() {}

  /** {@code 12.81 GiB}. */
  public static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) GIB);
  }

  /** {@code +0.42 GiB} or {@code -1.10 GiB}. */
  public static String signedGib(long bytes) {
    return String.format(Locale.ROOT, "%+.2f GiB", bytes / (double) GIB);
  }

  /** A {@code --mem-fraction-static} value as SGLang takes it: {@code 0.871}. */
  public static String fraction(double fraction) {
    return String.format(Locale.ROOT, "%.3f", fraction);
  }

  /** A count with thousands separators: {@code 422,465}. */
  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** The ceiling of {@code a / b} for positive {@code b}. */
  public static long ceilDiv(long a, long b) {
    return Math.ceilDiv(a, b);
  }
}
