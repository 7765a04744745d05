package io.github.sglangpreflight.launch;

import java.util.Locale;

/** GiB with two decimals for people ({@code Locale.ROOT}). */
final class ByteFormat {
  private static final double GIB = 1L << 30;

  private ByteFormat() {}

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
  }

  static String signedGib(long bytes) {
    return String.format(Locale.ROOT, "%+.2f GiB", bytes / GIB);
  }
}
