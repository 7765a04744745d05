package io.github.sglangpreflight.sglang.args;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Every option of SGLang's server argument parser, at the SGLang source snapshots this library was
 * built against, read from the bundled table {@code sglang-flags.tsv}.
 *
 * <p>The table holds facts only: option strings (with aliases), the {@code ServerArgs} field the
 * value lands in, the arity, the action kind, the value type and the choices. It was extracted from
 * SGLang's own argparse parser ({@code python/sglang/srt/server_args.py}) at each {@link Snapshot};
 * the table's header names the commits. A definition that changed between snapshots (new choices, a
 * new alias, a new type) appears once per distinct shape, each with the snapshots it holds in.
 *
 * <p>SGLang builds its parser with argparse's default {@code allow_abbrev=True} at every snapshot,
 * so a unique prefix of a long option is accepted ({@code --tp} for {@code --tp-size}: never an
 * explicit alias, always a prefix) and an ambiguous one is refused. {@link LaunchCommand} applies
 * those rules over the union of the snapshots.
 *
 * <p>Immutable and thread-safe.
 */
public final class SglangFlags {

  /** The SGLang source revisions the flag table was extracted from, oldest first. */
  public enum Snapshot {
    V0_4_5_POST3("v0.4.5.post3", "b9c87e781dd1e061090ce5e99eca2d6cc448b97f"),
    V0_4_6_POST5("v0.4.6.post5", "7e257cd666c0d639626487987ea8e590da1e9395"),
    V0_4_7("v0.4.7", "4f723edd3baf3823eddfb9d6426548daba17c687"),
    V0_4_9("v0.4.9", "ec5f9c6269c18e88cd3141be56369cbd23cf4d64"),
    V0_5_1("v0.5.1", "97a38ee85ba62e268bde6388f1bf8edfe2ca9d76"),
    /** Upstream {@code main} at commit 8761b971 (2026-08-12). */
    MAIN("main", "8761b971f1739e1753688a43eab31eb75b5d52d4");

    private final String label;
    private final String commit;

    Snapshot(String label, String commit) {
      this.label = label;
      this.commit = commit;
    }

    /** The tag, or {@code main}, as the table and the messages write it. */
    public String label() {
      return label;
    }

    /** The full commit hash. */
    public String commit() {
      return commit;
    }

    /** The snapshot a table label names. */
    static Snapshot ofLabel(String label) {
      for (Snapshot s : values()) {
        if (s.label.equals(label)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown SGLang snapshot label " + label);
    }
  }

  /** How many values an option takes, in argparse's terms. */
  public enum Arity {
    /** No value ({@code nargs=0}: store_true and the like). */
    FLAG,
    /** Exactly one value (argparse's default). */
    ONE,
    /** {@code nargs='?'}: one value if the next argument is not an option, else the const. */
    OPTIONAL,
    /** {@code nargs='*'}: every following non-option argument, possibly none. */
    ZERO_OR_MORE,
    /** {@code nargs='+'}: every following non-option argument, at least one. */
    ONE_OR_MORE
  }

  /**
   * One definition of an option as SGLang's parser declares it.
   *
   * @param optionStrings the option strings, aliases included, in the newest snapshot's order
   * @param dest the {@code ServerArgs} field the value lands in ({@code tp_size} etc. for the
   *     {@code --tensor-parallel-size} family, as {@code from_cli_args} copies it there)
   * @param arity how many values it takes
   * @param action the action kind: {@code store}, {@code store_true}, {@code boolean_optional},
   *     {@code refused}, {@code deprecated}, {@code deprecated_store_true}, {@code
   *     deprecated_alias}, {@code deprecated_store_const}, {@code lora_paths}, {@code help}
   * @param valueType the argparse type callable's name ({@code int}, {@code float}, {@code str},
   *     {@code human_readable_int}, ...), empty for options without a value
   * @param choices the accepted values, empty when unrestricted
   * @param constValue what a const action stores, or a {@code ?} option given without a value
   * @param required whether argparse requires the option
   * @param snapshots the snapshots where exactly this definition exists
   */
  public record Flag(
      List<String> optionStrings,
      String dest,
      Arity arity,
      String action,
      Optional<String> valueType,
      List<String> choices,
      Optional<String> constValue,
      boolean required,
      Set<Snapshot> snapshots) {

    public Flag {
      optionStrings = List.copyOf(optionStrings);
      Objects.requireNonNull(dest, "dest");
      Objects.requireNonNull(arity, "arity");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(valueType, "valueType");
      choices = List.copyOf(choices);
      Objects.requireNonNull(constValue, "constValue");
      snapshots = snapshotSet(snapshots);
      if (optionStrings.isEmpty()) {
        throw new IllegalArgumentException("a flag needs at least one option string");
      }
    }
  }

  static final String RESOURCE = "sglang-flags.tsv";

  /** An unmodifiable copy of a set of snapshots, in snapshot order (empty allowed). */
  static Set<Snapshot> snapshotSet(Set<Snapshot> snapshots) {
    EnumSet<Snapshot> copy = EnumSet.noneOf(Snapshot.class);
    for (Snapshot s : snapshots) {
      copy.add(Objects.requireNonNull(s, "snapshot"));
    }
    return Collections.unmodifiableSet(copy);
  }

  private static final class Holder {
    static final SglangFlags BUNDLED = load();
  }

  private final List<Flag> flags;
  private final Map<String, List<Flag>> byOptionString;
  private final Map<Snapshot, List<String>> optionStringsBySnapshot;

  SglangFlags(List<Flag> flags) {
    this.flags = List.copyOf(flags);
    Map<String, List<Flag>> byOption = new LinkedHashMap<>();
    Map<Snapshot, List<String>> bySnapshot = new LinkedHashMap<>();
    for (Snapshot s : Snapshot.values()) {
      bySnapshot.put(s, new ArrayList<>());
    }
    for (Flag f : this.flags) {
      for (String o : f.optionStrings()) {
        byOption.computeIfAbsent(o, k -> new ArrayList<>()).add(f);
        for (Snapshot s : f.snapshots()) {
          bySnapshot.get(s).add(o);
        }
      }
    }
    Map<String, List<Flag>> frozen = new LinkedHashMap<>();
    byOption.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    this.byOptionString = Collections.unmodifiableMap(frozen);
    Map<Snapshot, List<String>> frozenSnapshots = new LinkedHashMap<>();
    bySnapshot.forEach((k, v) -> frozenSnapshots.put(k, List.copyOf(v)));
    this.optionStringsBySnapshot = Collections.unmodifiableMap(frozenSnapshots);
  }

  /** The table bundled with this library. */
  public static SglangFlags bundled() {
    return Holder.BUNDLED;
  }

  /** Every definition, in the table's order. */
  public List<Flag> flags() {
    return flags;
  }

  /**
   * The definitions that contain {@code optionString} exactly (no prefix matching), one per
   * distinct shape over the snapshots; empty when no snapshot knows it.
   */
  public List<Flag> definitions(String optionString) {
    Objects.requireNonNull(optionString, "optionString");
    return byOptionString.getOrDefault(optionString, List.of());
  }

  /** The definition of {@code optionString} at {@code snapshot}, if that snapshot has it. */
  public Optional<Flag> definition(String optionString, Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    for (Flag f : definitions(optionString)) {
      if (f.snapshots().contains(snapshot)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The snapshots whose parser has {@code optionString} exactly; empty when none has. */
  public Set<Snapshot> knownIn(String optionString) {
    EnumSet<Snapshot> known = EnumSet.noneOf(Snapshot.class);
    for (Flag f : definitions(optionString)) {
      known.addAll(f.snapshots());
    }
    return Collections.unmodifiableSet(known);
  }

  /** Every option string of {@code snapshot}'s parser, in the table's order. */
  public List<String> optionStrings(Snapshot snapshot) {
    return optionStringsBySnapshot.get(Objects.requireNonNull(snapshot, "snapshot"));
  }

  /**
   * The option strings of {@code snapshot} that start with {@code prefix}, as argparse's
   * abbreviation search lists them (aliases of one option count separately, as they do there).
   */
  List<String> prefixMatches(String prefix, Snapshot snapshot) {
    List<String> matches = new ArrayList<>();
    for (String o : optionStrings(snapshot)) {
      if (o.startsWith(prefix)) {
        matches.add(o);
      }
    }
    return matches;
  }

  private static SglangFlags load() {
    try (InputStream in = SglangFlags.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the bundled flag table " + RESOURCE + " is missing from the class path");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the bundled flag table " + RESOURCE, e);
    }
  }

  /** Parses the TSV text of a flag table. */
  static SglangFlags parse(String tsv) {
    List<Flag> flags = new ArrayList<>();
    boolean headerSeen = false;
    try (BufferedReader reader = new BufferedReader(new java.io.StringReader(tsv))) {
      String line;
      int lineNumber = 0;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (!headerSeen) {
          headerSeen = true;
          continue;
        }
        String[] cells = line.split("\t", -1);
        if (cells.length != 9) {
          throw new IllegalStateException(
              RESOURCE + " line " + lineNumber + " has " + cells.length + " cells, expected 9");
        }
        List<String> snaps = Arrays.asList(cells[8].split(","));
        EnumSet<Snapshot> snapshots = EnumSet.noneOf(Snapshot.class);
        for (String s : snaps) {
          snapshots.add(Snapshot.ofLabel(s));
        }
        flags.add(
            new Flag(
                Arrays.asList(cells[0].split(",")),
                cells[1],
                arity(cells[2], lineNumber),
                cells[3],
                dash(cells[4]),
                dash(cells[5]).map(c -> Arrays.asList(c.split("\\|"))).orElse(List.of()),
                dash(cells[6]).map(c -> c.equals("''") ? "" : c),
                cells[7].equals("yes"),
                snapshots));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SglangFlags(flags);
  }

  private static Optional<String> dash(String cell) {
    return cell.equals("-") ? Optional.empty() : Optional.of(cell);
  }

  private static Arity arity(String cell, int lineNumber) {
    return switch (cell) {
      case "flag" -> Arity.FLAG;
      case "one" -> Arity.ONE;
      case "?" -> Arity.OPTIONAL;
      case "*" -> Arity.ZERO_OR_MORE;
      case "+" -> Arity.ONE_OR_MORE;
      default ->
          throw new IllegalStateException(
              RESOURCE
                  + " line "
                  + lineNumber
                  + " has unknown arity "
                  + cell.toUpperCase(Locale.ROOT));
    };
  }
}
