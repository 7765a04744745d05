package io.github.sglangpreflight.sglang.args;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.sglang.args.SglangFlags.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An SGLang launch command line, parsed the way SGLang's own argument parser reads it.
 *
 * <p>Accepted shapes, each optionally after {@code env NAME=VALUE …} (with {@code -i} and {@code -u
 * NAME}; no shell is involved, so nothing is expanded or unquoted):
 *
 * <ul>
 *   <li>{@code python3 -m sglang.launch_server …}, with any {@code python}, {@code python3.X} or
 *       {@code /path/to/python3.X} and Python options before {@code -m};
 *   <li>{@code sglang serve …} (SGLang's command since November 2025; it also takes the model as
 *       its first argument, and removes {@code --model-type VALUE});
 *   <li>the server arguments alone ({@code --model-path … --tp 8}).
 * </ul>
 *
 * <p>The server arguments follow argparse's rules as SGLang uses them: {@code --k v} and {@code
 * --k=v}; the last occurrence wins; {@code nargs='+'}/{@code '*'} lists run until the next option;
 * a negative number is a value; a unique prefix of a flag is that flag ({@code --tp} is always a
 * prefix of {@code --tp-size}, never an alias) and an ambiguous one is refused. The flags are those
 * of {@link SglangFlags}, over all its snapshots: a flag or value only some SGLang versions accept
 * is accepted, and each version that would refuse it is listed in {@link #versionCaveats()}. An
 * option no snapshot knows is kept verbatim with the values after it and otherwise ignored ({@link
 * #unknownArgs()}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} is masked ({@link #maskedForLog()}).
 */
public final class LaunchCommand {

  /** The program that starts SGLang's server. */
  public enum Launcher {
    /** {@code python -m sglang.launch_server} (or the file {@code sglang/launch_server.py}). */
    PYTHON_MODULE,
    /** {@code sglang serve}. */
    SGLANG_SERVE,
    /** Only the server arguments were given. */
    SERVER_ARGS_ONLY
  }

  /**
   * One recognised option occurrence.
   *
   * @param argvIndex the index of the option's argument in {@link #argv()}
   * @param written the option as written, without any {@code =value} ({@code --tp})
   * @param flag the SGLang option string it stands for ({@code --tp-size})
   * @param values the values it took, as written ({@code "8"}); empty for on/off flags
   * @param inlineValue whether the value was attached with {@code =}
   * @param dests the {@code ServerArgs} fields the value lands in (more than one where the flag was
   *     renamed between versions)
   * @param knownIn the snapshots whose SGLang accepts this occurrence (spelling and values)
   */
  public record Option(
      int argvIndex,
      String written,
      String flag,
      List<String> values,
      boolean inlineValue,
      Set<String> dests,
      Set<Snapshot> knownIn) {
    public Option {
      Objects.requireNonNull(written, "written");
      Objects.requireNonNull(flag, "flag");
      values = List.copyOf(values);
      dests = Collections.unmodifiableSet(new TreeSet<>(dests));
      knownIn = SglangFlags.snapshotSet(knownIn);
    }
  }

  /**
   * A refusal that only some SGLang versions make: those versions would stop at start-up.
   *
   * @param input what they refuse, as the user wrote it ({@code --pp}, {@code sglang serve})
   * @param refusedBy the snapshots that refuse it
   * @param message the reason and the fix, one sentence
   */
  public record VersionCaveat(String input, Set<Snapshot> refusedBy, String message) {
    public VersionCaveat {
      Objects.requireNonNull(input, "input");
      refusedBy = SglangFlags.snapshotSet(refusedBy);
      Objects.requireNonNull(message, "message");
    }
  }

  private static final String MEM_FRACTION_FLAG = "--mem-fraction-static";
  private static final String MEM_FRACTION_DEST = "mem_fraction_static";

  private final List<String> argv;
  private final LaunchPrefix prefix;
  private final List<FlagScanner.Occurrence> occurrences;
  private final List<Option> options;
  private final List<String> unknownArgs;
  private final List<VersionCaveat> caveats;
  private final ServerArgs serverArgs;
  private final LaunchEnvironment environment;

  private LaunchCommand(
      List<String> argv,
      LaunchPrefix prefix,
      FlagScanner.Result scan,
      ServerArgs serverArgs,
      List<VersionCaveat> caveats,
      LaunchEnvironment environment) {
    this.argv = argv;
    this.prefix = prefix;
    this.occurrences = scan.occurrences();
    List<Option> opts = new ArrayList<>();
    for (FlagScanner.Occurrence o : occurrences) {
      opts.add(o.option());
    }
    this.options = List.copyOf(opts);
    List<String> unknown = new ArrayList<>();
    for (int i : scan.unknownIndices()) {
      unknown.add(argv.get(i));
    }
    this.unknownArgs = List.copyOf(unknown);
    this.serverArgs = serverArgs;
    this.caveats = List.copyOf(new java.util.LinkedHashSet<>(caveats));
    this.environment = environment;
  }

  /**
   * Parses a launch command line.
   *
   * @param argv the command line, one element per argument, exactly as the process would get it
   * @param env the environment the launch inherits; an {@code env NAME=VALUE} prefix overrides it
   * @return the parsed launch
   * @throws InvalidInputException where SGLang (at every snapshot of {@link SglangFlags}) would
   *     refuse the command line, or a value no SGLang can run with; {@link
   *     InvalidInputException#input()} names the flag as written
   */
  public static LaunchCommand parse(List<String> argv, Map<String, String> env) {
    return parse(argv, env, SglangFlags.bundled());
  }

  static LaunchCommand parse(List<String> argv, Map<String, String> env, SglangFlags table) {
    Objects.requireNonNull(argv, "argv");
    Objects.requireNonNull(env, "env");
    List<String> copy = List.copyOf(argv);
    LaunchPrefix prefix = LaunchPrefix.of(copy);

    Map<String, String> effective = new HashMap<>(prefix.ignoreEnvironment() ? Map.of() : env);
    prefix
        .envChanges()
        .forEach(
            (k, v) ->
                v.ifPresentOrElse(value -> effective.put(k, value), () -> effective.remove(k)));
    LaunchEnvironment environment = new LaunchEnvironment(effective);

    Set<Integer> skip = new HashSet<>(prefix.serveOnlyIndices());
    prefix.positionalModelIndex().ifPresent(skip::add);
    List<Integer> positions = new ArrayList<>();
    for (int i = prefix.serverArgsStart(); i < copy.size(); i++) {
      if (!skip.contains(i)) {
        positions.add(i);
      }
    }
    FlagScanner.Result scan = FlagScanner.scan(table, copy, positions);
    Optional<String> positionalModel = prefix.positionalModelIndex().map(copy::get);
    if (prefix.launcher() == Launcher.SGLANG_SERVE && positionalModel.isEmpty()) {
      requireServeModelSpelling(copy, prefix, scan);
    }
    ServerArgs serverArgs = ServerArgs.from(scan.occurrences(), positionalModel);
    List<VersionCaveat> caveats = new ArrayList<>();
    if (prefix.launcher() == Launcher.SGLANG_SERVE) {
      EnumSet<Snapshot> old = EnumSet.range(Snapshot.V0_4_5_POST3, Snapshot.V0_5_1);
      caveats.add(
          new VersionCaveat(
              "sglang serve",
              old,
              "SGLang "
                  + FlagScanner.describe(old)
                  + " has no sglang serve command (it came in November 2025); start those"
                  + " versions with python3 -m sglang.launch_server"));
    }
    caveats.addAll(scan.caveats());
    caveats.addAll(LaunchChecks.check(serverArgs, new ServerArgs.Values(scan.occurrences())));
    return new LaunchCommand(copy, prefix, scan, serverArgs, caveats, environment);
  }

  /** sglang serve finds the model by the exact spellings --model-path / --model (cli/utils.py). */
  private static void requireServeModelSpelling(
      List<String> argv, LaunchPrefix prefix, FlagScanner.Result scan) {
    boolean any = false;
    for (FlagScanner.Occurrence o : scan.occurrences()) {
      if (o.option().dests().contains("model_path")) {
        any = true;
        String w = o.option().written();
        if (w.equals("--model-path") || w.equals("--model")) {
          return;
        }
      }
    }
    if (any) {
      String w = null;
      for (FlagScanner.Occurrence o : scan.occurrences()) {
        if (o.option().dests().contains("model_path")) {
          w = o.option().written();
          break;
        }
      }
      throw new InvalidInputException(
          w,
          "sglang serve looks for the model under the exact spellings --model-path and --model"
              + " (or as its first argument) and stops with \"Error: --model-path is required\""
              + " for "
              + w
              + "; write --model-path in full");
    }
  }

  /** The command line as given, unchanged. */
  public List<String> argv() {
    return argv;
  }

  /** The program that starts SGLang. */
  public Launcher launcher() {
    return prefix.launcher();
  }

  /**
   * The arguments before the server arguments: the {@code env} prefix and the launcher ({@code env
   * K=V python3 -u -m sglang.launch_server}, {@code sglang serve}); empty for server arguments
   * alone.
   */
  public List<String> launcherPrefix() {
    return argv.subList(0, prefix.serverArgsStart());
  }

  /** The arguments after {@link #launcherPrefix()}, as given. */
  public List<String> serverArgv() {
    return argv.subList(prefix.serverArgsStart(), argv.size());
  }

  /**
   * The variables the {@code env} prefix sets (in order, later ones winning); variables it unsets
   * with {@code -u} are not listed.
   */
  public Map<String, String> envAssignments() {
    Map<String, String> m = new LinkedHashMap<>();
    prefix.envChanges().forEach((k, v) -> v.ifPresent(value -> m.put(k, value)));
    return Collections.unmodifiableMap(m);
  }

  /** The value of {@code sglang serve --model-type}, if given. */
  public Optional<String> serveModelType() {
    return prefix.modelType();
  }

  /** The typed server flags that change start-up memory. */
  public ServerArgs serverArgs() {
    return serverArgs;
  }

  /** The environment of the launch: the given map with the {@code env} prefix applied. */
  public LaunchEnvironment environment() {
    return environment;
  }

  /** Every recognised option occurrence, in order. */
  public List<Option> options() {
    return options;
  }

  /**
   * The options no snapshot of SGLang knows, with the values after them, verbatim and in order.
   * They stay in {@link #argv()} and in {@link #withMemFractionStatic} untouched.
   */
  public List<String> unknownArgs() {
    return unknownArgs;
  }

  /**
   * Refusals only some SGLang versions make (an option or value they do not know, an abbreviation
   * that is ambiguous there, a combination they reject). A profile for one version keeps those
   * whose {@link VersionCaveat#refusedBy()} contains it.
   */
  public List<VersionCaveat> versionCaveats() {
    return caveats;
  }

  /** The caveats that {@code snapshot}'s SGLang would stop on. */
  public List<VersionCaveat> versionCaveats(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    List<VersionCaveat> l = new ArrayList<>();
    for (VersionCaveat c : caveats) {
      if (c.refusedBy().contains(snapshot)) {
        l.add(c);
      }
    }
    return List.copyOf(l);
  }

  /**
   * A new command line in which SGLang sees {@code --mem-fraction-static} as {@code fraction}.
   *
   * <p>The value of the last occurrence (the one argparse keeps), under whatever spelling it has
   * ({@code --mem-fraction-static 0.8}, {@code --mem-fraction-static=0.8}, an abbreviation such as
   * {@code --mem-frac 0.8}), is replaced in place; without one, {@code --mem-fraction-static} and
   * the value are appended at the end. Every other argument is unchanged, byte for byte. The value
   * is written with at most three decimals ({@code 0.85}, {@code 0.913}). An appended flag also
   * wins over a {@code --config} YAML file on main, where the command line takes precedence.
   *
   * @throws IllegalArgumentException if {@code fraction}, rounded to three decimals, is not in (0,
   *     1)
   */
  public List<String> withMemFractionStatic(double fraction) {
    return withValue(
        MEM_FRACTION_DEST, MEM_FRACTION_FLAG, FlagValues.formatFraction(checkFraction(fraction)));
  }

  /**
   * A new command line with {@code --node-rank} set to {@code nodeRank}, the way {@link
   * #withMemFractionStatic(double)} sets its flag: the last occurrence replaced in place, else the
   * flag appended.
   *
   * @throws IllegalArgumentException if {@code nodeRank} is negative
   */
  public List<String> withNodeRank(int nodeRank) {
    if (nodeRank < 0) {
      throw new IllegalArgumentException("nodeRank must not be negative, was " + nodeRank);
    }
    return withValue("node_rank", "--node-rank", Integer.toString(nodeRank));
  }

  private List<String> withValue(String dest, String flag, String text) {
    List<String> out = new ArrayList<>(argv);
    Optional<FlagScanner.Occurrence> last = Optional.empty();
    for (FlagScanner.Occurrence o : occurrences) {
      if (o.option().dests().contains(dest)) {
        last = Optional.of(o);
      }
    }
    if (last.isPresent()) {
      Option o = last.get().option();
      if (o.inlineValue()) {
        out.set(o.argvIndex(), o.written() + "=" + text);
      } else {
        out.set(last.get().valueIndices().get(0), text);
      }
    } else {
      out.add(flag);
      out.add(text);
    }
    return List.copyOf(out);
  }

  private static double checkFraction(double fraction) {
    if (!(fraction > 0.0 && fraction < 1.0)) {
      throw new IllegalArgumentException("memFractionStatic must be in (0, 1), was " + fraction);
    }
    double rounded = Double.parseDouble(FlagValues.formatFraction(fraction));
    if (!(rounded > 0.0 && rounded < 1.0)) {
      throw new IllegalArgumentException(
          "memFractionStatic "
              + fraction
              + " rounds to "
              + FlagValues.formatFraction(fraction)
              + " at three decimals, outside (0, 1)");
    }
    return fraction;
  }

  /**
   * The command line for logs: values of secret flags ({@code --api-key}, {@code --admin-api-key},
   * {@code --ssl-keyfile-password}, under any spelling) and of secret-looking {@code env
   * NAME=VALUE} assignments ({@code HF_TOKEN}, {@code *_API_KEY}, …) replaced by {@code ***}, and
   * passwords in {@code scheme://user:password@host} values masked. {@link #argv()} itself is never
   * changed.
   */
  /**
   * Any argv with its secrets masked: parsed as a launch when it is one (every spelling SGLang
   * accepts, {@code env NAME=VALUE} assignments, URL passwords), else by flag name ({@code
   * --api-key}, {@code --admin-api-key}, {@code --ssl-keyfile-password}, in both forms).
   */
  public static List<String> maskArguments(List<String> argv) {
    try {
      return parse(argv, Map.of()).maskedForLog();
    } catch (InvalidInputException e) {
      List<String> out = new ArrayList<>(argv);
      for (int i = 0; i < out.size(); i++) {
        String a = out.get(i);
        int eq = a.indexOf('=');
        String flag = eq > 0 ? a.substring(0, eq) : a;
        if (LaunchSecrets.SECRET_FLAGS.contains(flag)) {
          if (eq > 0) {
            out.set(i, flag + "=" + LaunchSecrets.MASK);
          } else if (i + 1 < out.size()) {
            out.set(++i, LaunchSecrets.MASK);
          }
        }
      }
      return List.copyOf(out);
    }
  }

  public List<String> maskedForLog() {
    List<String> out = new ArrayList<>(argv);
    for (FlagScanner.Occurrence occ : occurrences) {
      Option o = occ.option();
      boolean secret = false;
      for (String d : o.dests()) {
        secret |= LaunchSecrets.SECRET_DESTS.contains(d);
      }
      if (!secret || o.values().isEmpty()) {
        continue;
      }
      if (o.inlineValue()) {
        out.set(o.argvIndex(), o.written() + "=" + LaunchSecrets.MASK);
      } else {
        for (int index : occ.valueIndices()) {
          out.set(index, LaunchSecrets.MASK);
        }
      }
    }
    for (int i = 0; i < prefix.serverArgsStart(); i++) {
      String t = out.get(i);
      int eq = t.indexOf('=');
      if (eq > 0 && LaunchSecrets.isSecretVariable(t.substring(0, eq))) {
        out.set(i, t.substring(0, eq + 1) + LaunchSecrets.MASK);
      }
    }
    for (int i = 0; i < out.size(); i++) {
      out.set(i, LaunchSecrets.maskUrlPassword(out.get(i)));
    }
    return List.copyOf(out);
  }

  /** The masked command line, joined with spaces (for logs; not a shell quoting). */
  @Override
  public String toString() {
    return String.join(" ", maskedForLog());
  }
}
