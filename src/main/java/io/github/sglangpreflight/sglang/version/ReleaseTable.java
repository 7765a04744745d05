package io.github.sglangpreflight.sglang.version;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SGLang releases the project models, read once from {@code sglang-releases.tsv} (this
 * package's resource): version, date, whether the date is exact, tag or commit, whether the rules
 * were read at the release or are main's at its date, and the source of the date.
 *
 * <p>Immutable. Adding a release is one row in the resource.
 */
final class ReleaseTable {

  static final String RESOURCE = "sglang-releases.tsv";

  /**
   * One release.
   *
   * @param version the release as pip names it ({@link SglangVersion#MAIN} for main)
   * @param date its date; when the row gives none, the date of the release before it
   * @param exact the row gives the date and marks it exact
   * @param tagOrCommit the tag or commit the row names
   * @param rulesFromMain true when its rules are upstream main's at {@code date}, not read at the
   *     release itself
   * @param source where the date comes from
   */
  record Release(
      SglangVersion version,
      LocalDate date,
      boolean exact,
      String tagOrCommit,
      boolean rulesFromMain,
      String source) {
    Release {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(date, "date");
    }
  }

  private static final class Holder {
    static final ReleaseTable TABLE = load();
  }

  private final List<Release> releases;

  private ReleaseTable(List<Release> releases) {
    this.releases = List.copyOf(releases);
  }

  /** The table, read on first use. */
  static ReleaseTable get() {
    return Holder.TABLE;
  }

  /** Every release, oldest first; the last is main. */
  List<Release> releases() {
    return releases;
  }

  /** The release of the same PEP 440 position as {@code version} ({@code 0.5} finds 0.5.0). */
  Optional<Release> find(SglangVersion version) {
    for (Release r : releases) {
      if (r.version().compareTo(version) == 0) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * The known release nearest to {@code version} in PEP 440 order: the newest at or before it, or
   * the oldest when it is older than every row.
   */
  Release nearest(SglangVersion version) {
    Release best = releases.getFirst();
    for (Release r : releases) {
      if (r.version().compareTo(version) <= 0) {
        best = r;
      }
    }
    return best;
  }

  /** main's row: the newest source the project models. */
  Release main() {
    return releases.getLast();
  }

  // ---------------------------------------------------------------- loading

  private static ReleaseTable load() {
    try (InputStream in = ReleaseTable.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      return parse(r.lines().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses the table's lines; a bad row is an error naming the row (a broken build, not input). */
  static ReleaseTable parse(List<String> lines) {
    List<Release> out = new ArrayList<>();
    boolean header = true;
    LocalDate lastDate = null;
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (header) {
        header = false;
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 6) {
        throw bad(n, "has " + f.length + " columns, not 6", line);
      }
      SglangVersion v = SglangVersion.parse(f[0]);
      if (!out.isEmpty() && out.getLast().version().compareTo(v) >= 0) {
        throw bad(n, "is not after " + out.getLast().version(), line);
      }
      boolean dated = !f[1].equals("-");
      LocalDate date = dated ? LocalDate.parse(f[1]) : lastDate;
      if (date == null) {
        throw bad(n, "has no date and no release before it", line);
      }
      if (dated) {
        lastDate = date;
      }
      if (!f[2].equals("yes") && !f[2].equals("no")) {
        throw bad(n, "exact must be yes or no", line);
      }
      if (!f[4].equals("tag") && !f[4].equals("main")) {
        throw bad(n, "rules must be tag or main", line);
      }
      out.add(new Release(v, date, dated && f[2].equals("yes"), f[3], f[4].equals("main"), f[5]));
    }
    if (out.isEmpty() || !out.getLast().version().isMain()) {
      throw new IllegalStateException(RESOURCE + ": the last row must be main");
    }
    return new ReleaseTable(out);
  }

  private static IllegalStateException bad(int line, String what, String text) {
    return new IllegalStateException(RESOURCE + " line " + line + " " + what + ": " + text);
  }
}
