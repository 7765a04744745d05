package io.github.sglangpreflight.launch.process;

import java.time.Duration;
import java.util.Locale;

/** Durations for people: whole seconds as {@code 10 s}, else one decimal ({@code 0.5 s}). */
public final class DurationFormat {
  private DurationFormat() {}

  public static String seconds(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0
        ? (millis / 1000) + " s"
        : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
