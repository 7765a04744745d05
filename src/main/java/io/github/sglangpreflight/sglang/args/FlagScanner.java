package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.sglang.args.LaunchCommand.Option;
import io.github.sglangpreflight.sglang.args.LaunchCommand.VersionCaveat;
import io.github.sglangpreflight.sglang.args.SglangFlags.Arity;
import io.github.sglangpreflight.sglang.args.SglangFlags.Flag;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Walks SGLang server arguments with argparse's rules (CPython {@code argparse}, {@code
 * allow_abbrev=True}) over the union of the flag table's snapshots.
 *
 * <p>argparse first classifies every argument as an option or a value, then consumes values per
 * option arity. Classification: an exact option string, or {@code --name=value} with an exact name,
 * or a unique prefix of a long option is an option (an ambiguous prefix is an error at once); a
 * negative number ({@code -3}, {@code -.5}, {@code -1e-3}) or an argument containing a space is a
 * value; any other argument starting with {@code -} is an unknown option. A value never starts a
 * new option, so {@code --tp --trust-remote-code} leaves {@code --tp} without its value.
 *
 * <p>Where snapshots disagree (a prefix unique in one and ambiguous in another, a flag only newer
 * SGLang knows, a choice added later), the argument is accepted if some snapshot accepts it, and
 * each snapshot that would refuse it is recorded as a {@link VersionCaveat}.
 */
final class FlagScanner {
  /** Newer CPython (3.13+, later 3.12 patches); older ones only take -3 and -.5 forms. */
  private static final Pattern NEGATIVE_NUMBER = Pattern.compile("-\\.?[0-9].*", Pattern.DOTALL);

  private static final int MAX_LISTED = 8;

  /** One recognised option and what argparse stores for it. */
  record Occurrence(
      Option option, List<String> stored, Flag newestDefinition, List<Integer> valueIndices) {}

  /** The scan's result. */
  record Result(
      List<Occurrence> occurrences, List<Integer> unknownIndices, List<VersionCaveat> caveats) {}

  private enum Kind {
    VALUE,
    OPTION,
    UNKNOWN_OPTION,
    END_OF_OPTIONS
  }

  private record Resolution(
      String written,
      Optional<String> inline,
      String flag,
      Map<Snapshot, Flag> definitionAt,
      Map<Snapshot, String> problems) {}

  private record Classified(Kind kind, Optional<Resolution> resolution) {}

  private final SglangFlags table;
  private final List<String> argv;
  private final List<Integer> positions;
  private final List<Classified> kinds = new ArrayList<>();
  private final List<Occurrence> occurrences = new ArrayList<>();
  private final List<Integer> unknown = new ArrayList<>();
  private final List<VersionCaveat> caveats = new ArrayList<>();

  private FlagScanner(SglangFlags table, List<String> argv, List<Integer> positions) {
    this.table = table;
    this.argv = argv;
    this.positions = positions;
  }

  /**
   * Scans the arguments of {@code argv} at {@code positions} (indices into argv, in order).
   *
   * @throws InvalidInputException where every snapshot's SGLang would refuse the arguments
   */
  static Result scan(SglangFlags table, List<String> argv, List<Integer> positions) {
    FlagScanner s = new FlagScanner(table, argv, positions);
    s.classifyAll();
    s.consumeAll();
    return new Result(List.copyOf(s.occurrences), List.copyOf(s.unknown), List.copyOf(s.caveats));
  }

  private String token(int k) {
    return argv.get(positions.get(k));
  }

  private void classifyAll() {
    boolean afterEnd = false;
    for (int k = 0; k < positions.size(); k++) {
      String t = token(k);
      if (afterEnd) {
        kinds.add(new Classified(Kind.VALUE, Optional.empty()));
      } else if (t.equals("--")) {
        kinds.add(new Classified(Kind.END_OF_OPTIONS, Optional.empty()));
        afterEnd = true;
      } else {
        kinds.add(classify(t));
      }
    }
  }

  private Classified classify(String t) {
    if (t.isEmpty() || t.charAt(0) != '-' || t.length() == 1) {
      return new Classified(Kind.VALUE, Optional.empty());
    }
    Optional<Resolution> r = resolve(t);
    if (r.isPresent()) {
      return new Classified(Kind.OPTION, r);
    }
    if (NEGATIVE_NUMBER.matcher(t).matches() || t.contains(" ")) {
      return new Classified(Kind.VALUE, Optional.empty());
    }
    return new Classified(Kind.UNKNOWN_OPTION, Optional.empty());
  }

  /** Resolves an argument starting with {@code -} to an option, per snapshot. */
  private Optional<Resolution> resolve(String t) {
    String name = t;
    Optional<String> inline = Optional.empty();
    if (t.charAt(1) != '-') {
      // Single-dash: argparse's only one is -h; "-hX" is -h with the attached value "X".
      if (!t.startsWith("-h")) {
        return Optional.empty();
      }
      name = "-h";
      inline = t.length() > 2 ? Optional.of(t.substring(2)) : Optional.empty();
      return Optional.of(exactResolution(name, inline, table.knownIn(name)));
    }
    if (table.knownIn(t).isEmpty()) {
      int eq = t.indexOf('=');
      if (eq >= 0) {
        name = t.substring(0, eq);
        inline = Optional.of(t.substring(eq + 1));
      }
    }
    final String finalName = name;
    Set<Snapshot> exact = table.knownIn(name);
    Map<Snapshot, String> unique = new EnumMap<>(Snapshot.class);
    Map<Snapshot, List<String>> ambiguous = new EnumMap<>(Snapshot.class);
    for (Snapshot s : Snapshot.values()) {
      if (exact.contains(s)) {
        continue;
      }
      List<String> matches = table.prefixMatches(name, s);
      if (matches.size() == 1) {
        unique.put(s, matches.get(0));
      } else if (matches.size() > 1) {
        ambiguous.put(s, matches);
      }
    }
    Map<Snapshot, Flag> definitionAt = new EnumMap<>(Snapshot.class);
    Map<Snapshot, String> problems = new EnumMap<>(Snapshot.class);
    String flag;
    if (!exact.isEmpty()) {
      flag = name;
      Set<String> family = dests(table.definitions(name));
      for (Snapshot s : exact) {
        definitionAt.put(s, table.definition(name, s).orElseThrow());
      }
      unique.forEach(
          (s, o) -> {
            Flag d = table.definition(o, s).orElseThrow();
            if (family.contains(d.dest())) {
              definitionAt.put(s, d);
            } else {
              problems.put(s, "reads " + finalName + " as the different flag " + o);
            }
          });
    } else {
      if (unique.isEmpty()) {
        if (ambiguous.isEmpty()) {
          return Optional.empty();
        }
        throw ambiguousError(name, ambiguous);
      }
      Map<String, List<Snapshot>> byDest = new LinkedHashMap<>();
      unique.forEach(
          (s, o) ->
              byDest
                  .computeIfAbsent(
                      table.definition(o, s).orElseThrow().dest(), d -> new ArrayList<>())
                  .add(s));
      if (byDest.size() > 1) {
        throw differentMeaningsError(name, unique, ambiguous);
      }
      Snapshot newest = Collections.max(unique.keySet());
      flag = unique.get(newest);
      unique.forEach((s, o) -> definitionAt.put(s, table.definition(o, s).orElseThrow()));
    }
    ambiguous.forEach(
        (s, m) ->
            problems.put(
                s,
                "reads "
                    + finalName
                    + " as an ambiguous abbreviation ("
                    + list(m)
                    + ") and stops"));
    for (Snapshot s : Snapshot.values()) {
      if (!definitionAt.containsKey(s) && !problems.containsKey(s)) {
        problems.put(s, "does not know " + name + " and stops with \"unrecognized arguments\"");
      }
    }
    return Optional.of(new Resolution(name, inline, flag, definitionAt, problems));
  }

  private Resolution exactResolution(String name, Optional<String> inline, Set<Snapshot> known) {
    Map<Snapshot, Flag> definitionAt = new EnumMap<>(Snapshot.class);
    for (Snapshot s : known) {
      definitionAt.put(s, table.definition(name, s).orElseThrow());
    }
    return new Resolution(name, inline, name, definitionAt, new EnumMap<>(Snapshot.class));
  }

  private static Set<String> dests(List<Flag> flags) {
    Set<String> d = new LinkedHashSet<>();
    for (Flag f : flags) {
      d.add(f.dest());
    }
    return d;
  }

  private void consumeAll() {
    int k = 0;
    Optional<Occurrence> previous = Optional.empty();
    while (k < positions.size()) {
      Classified c = kinds.get(k);
      String t = token(k);
      switch (c.kind()) {
        case END_OF_OPTIONS ->
            throw new InvalidInputException(
                "--",
                "-- ends SGLang's options, and SGLang's server parser takes no positional"
                    + " arguments, so it stops with \"unrecognized arguments\"; remove -- and"
                    + " whatever follows it from the SGLang command line");
        case VALUE -> throw strayValue(t, previous);
        case UNKNOWN_OPTION -> {
          unknown.add(positions.get(k));
          int next = k + 1;
          while (next < positions.size() && kinds.get(next).kind() == Kind.VALUE) {
            unknown.add(positions.get(next));
            next++;
          }
          String name = t.contains("=") ? t.substring(0, t.indexOf('=')) : t;
          caveats.add(
              new VersionCaveat(
                  name,
                  EnumSet.allOf(Snapshot.class),
                  "SGLang "
                      + describe(EnumSet.allOf(Snapshot.class))
                      + " does not know "
                      + name
                      + " and stops with \"unrecognized arguments\"; preflight keeps it as"
                      + " written in case a newer SGLang knows it"));
          previous = Optional.empty();
          k = next;
        }
        case OPTION -> {
          Resolution r = c.resolution().orElseThrow();
          int end = consumeOption(k, r);
          previous = Optional.of(occurrences.get(occurrences.size() - 1));
          k = end;
        }
      }
    }
  }

  /** Consumes the option at k and its values; returns the index after them. */
  private int consumeOption(int k, Resolution r) {
    Snapshot newest = Collections.max(r.definitionAt().keySet());
    Flag def = r.definitionAt().get(newest);
    String written = r.written();
    if (def.action().equals("help")) {
      throw new InvalidInputException(
          written,
          written
              + " makes SGLang print its usage and exit without starting a server; remove it"
              + " from the launch");
    }
    List<String> values = new ArrayList<>();
    List<Integer> valueIndices = new ArrayList<>();
    int next = k + 1;
    boolean inline = r.inline().isPresent();
    switch (def.arity()) {
      case FLAG -> {
        if (inline) {
          String v = r.inline().get();
          throw new InvalidInputException(
              written,
              written
                  + " takes no value, but the argument gives it '"
                  + v
                  + "'; SGLang stops with \"ignored explicit argument '"
                  + v
                  + "'\"; write "
                  + written
                  + " alone");
        }
      }
      case ONE, OPTIONAL -> {
        if (inline) {
          values.add(r.inline().get());
        } else if (next < positions.size() && kinds.get(next).kind() == Kind.VALUE) {
          values.add(token(next));
          valueIndices.add(positions.get(next));
          next++;
        } else if (def.arity() == Arity.ONE) {
          throw missingValue(written, r.flag(), k, "expected one argument");
        }
      }
      case ZERO_OR_MORE, ONE_OR_MORE -> {
        if (inline) {
          values.add(r.inline().get());
        } else {
          while (next < positions.size() && kinds.get(next).kind() == Kind.VALUE) {
            values.add(token(next));
            valueIndices.add(positions.get(next));
            next++;
          }
          if (values.isEmpty() && def.arity() == Arity.ONE_OR_MORE) {
            throw missingValue(written, r.flag(), k, "expected at least one argument");
          }
        }
      }
    }
    Map<Snapshot, String> problems = new EnumMap<>(Snapshot.class);
    problems.putAll(r.problems());
    Map<Snapshot, Flag> accepted = new EnumMap<>(Snapshot.class);
    Map<Snapshot, String> valueProblems = new EnumMap<>(Snapshot.class);
    for (Map.Entry<Snapshot, Flag> e : r.definitionAt().entrySet()) {
      Flag d = e.getValue();
      if (d.action().equals("refused")) {
        problems.put(e.getKey(), "refuses the retired flag " + r.flag() + " with an error");
        continue;
      }
      Optional<String> bad = firstInvalid(d, values);
      if (bad.isPresent()) {
        valueProblems.put(e.getKey(), bad.get());
        continue;
      }
      accepted.put(e.getKey(), d);
    }
    if (accepted.isEmpty()) {
      if (!valueProblems.isEmpty()) {
        throw invalidValue(written, r.flag(), values, r.definitionAt(), valueProblems);
      }
      throw new InvalidInputException(
          written,
          written
              + " is a retired flag: SGLang "
              + describe(r.definitionAt().keySet())
              + " refuses it with an error and later versions no longer know it; remove it");
    }
    valueProblems.forEach(
        (s, v) ->
            problems.put(
                s, "does not accept " + written + " " + v + valueNote(r.definitionAt().get(s), v)));
    addCaveats(written, problems);
    Flag newestAccepted = accepted.get(Collections.max(accepted.keySet()));
    Set<String> dests = new TreeSet<>();
    for (Flag d : accepted.values()) {
      dests.add(d.dest());
    }
    Option option =
        new Option(
            positions.get(k),
            written,
            r.flag(),
            values,
            inline,
            dests,
            EnumSet.copyOf(accepted.keySet()));
    occurrences.add(
        new Occurrence(
            option,
            stored(newestAccepted, r.flag(), values),
            newestAccepted,
            List.copyOf(valueIndices)));
    return next;
  }

  /** What argparse stores under the dest for this occurrence. */
  private static List<String> stored(Flag def, String flag, List<String> values) {
    return switch (def.action()) {
      case "store_true", "deprecated_store_true" -> List.of("True");
      case "boolean_optional" -> List.of(flag.startsWith("--no-") ? "False" : "True");
      case "deprecated_store_const" -> List.of(def.constValue().orElse(""));
      case "deprecated" -> List.of();
      default -> {
        if (def.arity() == Arity.OPTIONAL && values.isEmpty()) {
          yield def.constValue().map(List::of).orElse(List.of());
        }
        yield List.copyOf(values);
      }
    };
  }

  private void addCaveats(String input, Map<Snapshot, String> problems) {
    Map<String, EnumSet<Snapshot>> byReason = new LinkedHashMap<>();
    problems.forEach(
        (s, reason) ->
            byReason.computeIfAbsent(reason, x -> EnumSet.noneOf(Snapshot.class)).add(s));
    byReason.forEach(
        (reason, snaps) ->
            caveats.add(
                new VersionCaveat(input, snaps, "SGLang " + describe(snaps) + " " + reason)));
  }

  /** The first value this definition's type or choices refuse, if any. */
  private static Optional<String> firstInvalid(Flag def, List<String> values) {
    for (String v : values) {
      if (!validType(def, v) || !validChoice(def, v)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  private static boolean validType(Flag def, String v) {
    return switch (def.valueType().orElse("")) {
      case "int" -> FlagValues.pythonInt(v).isPresent();
      case "float" -> FlagValues.pythonFloat(v).isPresent();
      case "human_readable_int" -> FlagValues.humanReadableInt(v).isPresent();
      default -> true;
    };
  }

  private static boolean validChoice(Flag def, String v) {
    if (def.choices().isEmpty()) {
      return true;
    }
    if (def.valueType().orElse("").equals("int")) {
      return FlagValues.pythonInt(v)
          .map(i -> def.choices().stream().anyMatch(c -> c.equals(i.toString())))
          .orElse(false);
    }
    return def.choices().contains(v);
  }

  private static String valueNote(Flag def, String v) {
    if (!validType(def, v)) {
      return " (it reads " + def.optionStrings().get(0) + " as " + typeWord(def) + ")";
    }
    return " (its choices: " + String.join(", ", def.choices()) + ")";
  }

  private static String typeWord(Flag def) {
    return switch (def.valueType().orElse("")) {
      case "int" -> "a plain integer";
      case "float" -> "a number";
      default -> "an integer with an optional k/M/G or Ki/Mi/Gi suffix";
    };
  }

  private InvalidInputException invalidValue(
      String written,
      String flag,
      List<String> values,
      Map<Snapshot, Flag> definitionAt,
      Map<Snapshot, String> valueProblems) {
    Snapshot newest = Collections.max(definitionAt.keySet());
    Flag def = definitionAt.get(newest);
    String v = valueProblems.get(newest);
    if (v == null) {
      v = valueProblems.values().iterator().next();
    }
    String shown = written + " " + String.join(" ", LaunchChecks.quoted(values));
    String type = def.valueType().orElse("");
    if (!validType(def, v)) {
      String what;
      String pyError;
      if (type.equals("float")) {
        what = "a number";
        pyError = "invalid float value: '" + v + "'";
      } else {
        what = "a whole number";
        pyError = "invalid int value: '" + v + "'";
      }
      String extra =
          definitionAt.values().stream()
                  .anyMatch(d -> d.valueType().orElse("").equals("human_readable_int"))
              ? " (newer SGLang also takes suffixes such as 128k or 32Ki)"
              : "";
      return new InvalidInputException(
          written,
          shown
              + " is not "
              + what
              + ": SGLang reads "
              + (written.equals(flag) ? "it" : flag)
              + " as "
              + what
              + extra
              + " and stops with \""
              + pyError
              + "\"; write "
              + what
              + " after "
              + written);
    }
    List<String> common = null;
    List<String> all = new ArrayList<>();
    for (Flag d : definitionAt.values()) {
      if (common == null) {
        common = new ArrayList<>(d.choices());
      } else {
        common.retainAll(d.choices());
      }
      for (String c : d.choices()) {
        if (!all.contains(c)) {
          all.add(c);
        }
      }
    }
    List<String> extras = new ArrayList<>(all);
    extras.removeAll(common);
    String accepted = orList(common);
    if (!extras.isEmpty()) {
      accepted += " (some SGLang versions also " + orList(extras) + ")";
    }
    return new InvalidInputException(
        written,
        shown
            + " is not a value SGLang accepts for "
            + flag
            + ": it takes "
            + accepted
            + " and stops with \"invalid choice: '"
            + v
            + "'\"");
  }

  private InvalidInputException missingValue(String written, String flag, int k, String pyError) {
    String where;
    if (k + 1 >= positions.size()) {
      where = "it is the last argument";
    } else {
      where = "it is followed by the option " + token(k + 1);
    }
    String wanted = pyError.contains("least") ? "at least one value" : "a value";
    return new InvalidInputException(
        written,
        written
            + " needs "
            + wanted
            + " but "
            + where
            + "; SGLang stops with \"argument "
            + flag
            + ": "
            + pyError
            + "\"; put the value right after "
            + written);
  }

  private InvalidInputException strayValue(String t, Optional<Occurrence> previous) {
    if (previous.isEmpty()) {
      return new InvalidInputException(
          t.isBlank() ? "'" + t + "'" : t,
          "'"
              + t
              + "' is not attached to any option: SGLang's server parser takes no positional"
              + " arguments and stops with \"unrecognized arguments: "
              + t
              + "\"; pass the model as --model-path "
              + t
              + " (only sglang serve takes it as its first argument) or remove it");
    }
    Option o = previous.get().option();
    String shown = LaunchChecks.shown(o);
    String takes =
        switch (previous.get().newestDefinition().arity()) {
          case FLAG -> "takes no value";
          case ONE -> "takes one value";
          case OPTIONAL -> "takes at most one value";
          default -> "took its values from the same argument after =";
        };
    return new InvalidInputException(
        t.isBlank() ? "'" + t + "'" : t,
        "'"
            + t
            + "' after "
            + shown
            + " is not attached to any option ("
            + o.flag()
            + " "
            + takes
            + "); SGLang stops with \"unrecognized arguments: "
            + t
            + "\"; remove it or put the flag it belongs to before it");
  }

  private static InvalidInputException ambiguousError(
      String name, Map<Snapshot, List<String>> ambiguous) {
    List<String> candidates = ambiguous.get(Collections.max(ambiguous.keySet()));
    return new InvalidInputException(
        name,
        name
            + " is an ambiguous abbreviation: SGLang accepts a shortened flag only when exactly"
            + " one flag starts with it, and "
            + list(candidates)
            + " do; SGLang stops with \"ambiguous option\"; write the full flag name");
  }

  private static InvalidInputException differentMeaningsError(
      String name, Map<Snapshot, String> unique, Map<Snapshot, List<String>> ambiguous) {
    Map<String, EnumSet<Snapshot>> byFlag = new LinkedHashMap<>();
    unique.forEach((s, o) -> byFlag.computeIfAbsent(o, x -> EnumSet.noneOf(Snapshot.class)).add(s));
    List<String> parts = new ArrayList<>();
    byFlag.forEach((o, snaps) -> parts.add(o + " in " + describe(snaps)));
    String amb = ambiguous.isEmpty() ? "" : " and is ambiguous in " + describe(ambiguous.keySet());
    return new InvalidInputException(
        name,
        name
            + " is an abbreviation SGLang resolves to different flags by version ("
            + andList(parts)
            + ")"
            + amb
            + "; write the full flag name");
  }

  /** Snapshots as a reader sees them: consecutive runs as "A to B", joined with commas. */
  static String describe(Set<Snapshot> snapshots) {
    List<String> runs = new ArrayList<>();
    Snapshot[] all = Snapshot.values();
    int i = 0;
    while (i < all.length) {
      if (!snapshots.contains(all[i])) {
        i++;
        continue;
      }
      int j = i;
      while (j + 1 < all.length && snapshots.contains(all[j + 1])) {
        j++;
      }
      runs.add(j == i ? all[i].label() : all[i].label() + " to " + all[j].label());
      i = j + 1;
    }
    return andList(runs);
  }

  private static String list(List<String> options) {
    if (options.size() <= MAX_LISTED) {
      return andList(options);
    }
    return String.join(", ", options.subList(0, MAX_LISTED))
        + " and "
        + (options.size() - MAX_LISTED)
        + " more";
  }

  static String andList(List<String> items) {
    return join(items, " and ");
  }

  static String orList(List<String> items) {
    return join(items, " or ");
  }

  private static String join(List<String> items, String last) {
    if (items.size() <= 1) {
      return String.join("", items);
    }
    return String.join(", ", items.subList(0, items.size() - 1))
        + last
        + items.get(items.size() - 1);
  }
}
