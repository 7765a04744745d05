package io.github.sglangpreflight.sglang.version;

import io.github.sglangpreflight.errors.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SGLang version as pip reports it ({@code 0.4.5.post3}, {@code 0.5.0rc2}, {@code
 * 0.5.3.dev120+g1a2b3c}), ordered by PEP 440, or {@code main} for the newest source the project
 * models.
 *
 * <p>Immutable; equal when the text is equal.
 */
public final class SglangVersion implements Comparable<SglangVersion> {

  private static final Pattern PEP440 =
      Pattern.compile(
          // possessive quantifiers: no backtracking into a matched run (the input is also bounded)
          "v?(\\d++(?:\\.\\d++)*+)"
              + "(?:[-_.]?(a|b|rc|alpha|beta|c)[-_.]?(\\d*+))?"
              + "(?:[-_.]?post[-_.]?(\\d*+))?"
              + "(?:[-_.]?dev[-_.]?(\\d*+))?"
              + "(?:\\+[a-z0-9.]++)?",
          Pattern.CASE_INSENSITIVE);

  /** The longest version text {@link #parse} accepts. */
  public static final int MAX_LENGTH = 64;

  /**
   * The newest SGLang the project models: upstream main, read at 8761b971 (2026-08-12) and, for the
   * memory_hook.py rules, at later index commits (sglang-releases.tsv, dated 2026-10-09).
   */
  public static final SglangVersion MAIN = new SglangVersion(new int[0], "", -1, -1, "main");

  // release numbers ({0, 4, 5}; empty for main), pre-release ("rc2" or ""), post and dev numbers
  // (-1 when absent: internal only, never exposed), and the text as given
  private final int[] release;
  private final String preRelease;
  private final int post;
  private final int dev;
  private final String text;

  private SglangVersion(int[] release, String preRelease, int post, int dev, String text) {
    this.release = release.clone();
    this.preRelease = Objects.requireNonNull(preRelease, "preRelease");
    this.post = post;
    this.dev = dev;
    this.text = Objects.requireNonNull(text, "text");
  }

  /**
   * Parses a version string. {@code main}, {@code latest}, {@code newest} and {@code nightly} mean
   * {@link #MAIN}.
   *
   * @throws InvalidInputException when the text is not a version or is longer than {@link
   *     #MAX_LENGTH} characters
   */
  public static SglangVersion parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.trim();
    if (t.length() > MAX_LENGTH) {
      throw new InvalidInputException(
          "--sglang-version",
          "SGLang version '"
              + t.substring(0, 20)
              + "...' has "
              + t.length()
              + " characters, more than "
              + MAX_LENGTH
              + "; give one like 0.4.5.post3, 0.5.1 or main");
    }
    switch (t.toLowerCase(Locale.ROOT)) {
      case "main", "latest", "newest", "nightly" -> {
        return MAIN;
      }
      default -> {}
    }
    Matcher m = PEP440.matcher(t);
    if (!m.matches()) {
      throw new InvalidInputException(
          "--sglang-version",
          "SGLang version '"
              + text
              + "' is not a version number; give one like 0.4.5.post3, 0.5.1 or main");
    }
    int[] release = Arrays.stream(m.group(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
    String pre = "";
    if (m.group(2) != null) {
      String kind =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "alpha", "a" -> "a";
            case "beta", "b" -> "b";
            default -> "rc";
          };
      pre = kind + (m.group(3).isEmpty() ? "0" : m.group(3));
    }
    int post = m.group(4) == null ? -1 : (m.group(4).isEmpty() ? 0 : Integer.parseInt(m.group(4)));
    int dev = m.group(5) == null ? -1 : (m.group(5).isEmpty() ? 0 : Integer.parseInt(m.group(5)));
    return new SglangVersion(release, pre, post, dev, t);
  }

  /** True for {@link #MAIN}. */
  public boolean isMain() {
    return release.length == 0;
  }

  /**
   * True when this version is at or after {@code other} in PEP 440 order. Parses {@code other} on
   * every call: the project's rules ask {@link SglangFacts#atLeast(SwitchPoint)} instead.
   */
  public boolean atLeast(String other) {
    return compareTo(parse(other)) >= 0;
  }

  /**
   * True when this version is before {@code other} in PEP 440 order. Parses {@code other} on every
   * call: the project's rules ask {@link SglangFacts#atLeast(SwitchPoint)} instead.
   */
  public boolean before(String other) {
    return compareTo(parse(other)) < 0;
  }

  @Override
  public int compareTo(SglangVersion o) {
    if (isMain() || o.isMain()) {
      return Boolean.compare(isMain(), o.isMain());
    }
    int n = Math.max(release.length, o.release.length);
    for (int i = 0; i < n; i++) {
      int a = i < release.length ? release[i] : 0;
      int b = i < o.release.length ? o.release[i] : 0;
      if (a != b) {
        return Integer.compare(a, b);
      }
    }
    // PEP 440: X.devN < X.aN < X.bN < X.rcN < X < X.postN
    int c = Integer.compare(phase(), o.phase());
    if (c != 0) {
      return c;
    }
    if (!preRelease.equals(o.preRelease)) {
      return comparePre(preRelease, o.preRelease);
    }
    c = Integer.compare(post, o.post);
    if (c != 0) {
      return c;
    }
    // a dev release comes before the same version without .dev
    return Integer.compare(
        dev < 0 ? Integer.MAX_VALUE : dev, o.dev < 0 ? Integer.MAX_VALUE : o.dev);
  }

  private int phase() {
    if (!preRelease.isEmpty()) {
      return 1;
    }
    if (dev >= 0 && post < 0) {
      return 0;
    }
    return 2;
  }

  private static int comparePre(String a, String b) {
    int c = Integer.compare(rank(a), rank(b));
    if (c != 0) {
      return c;
    }
    return Integer.compare(
        Integer.parseInt(a.replaceAll("\\D", "")), Integer.parseInt(b.replaceAll("\\D", "")));
  }

  private static int rank(String pre) {
    return pre.startsWith("rc") ? 3 : pre.startsWith("b") ? 2 : 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SglangVersion v && text.equals(v.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
