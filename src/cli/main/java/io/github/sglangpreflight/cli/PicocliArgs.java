package io.github.sglangpreflight.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line read by picocli: help, version, the {@code calibration} command, and every line
 * that {@link QuickArgs} leaves to it (an unknown or repeated option, a missing value, unusual
 * syntax), with picocli's complaints put in this project's words. The only class that loads
 * picocli, so that a plain {@code check} never does.
 */
final class PicocliArgs {
  private final PrintWriter out;
  private final PrintWriter err;
  private String command = "";

  PicocliArgs(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  /** The command the line names, once known ("" before, or when it names none). */
  String command() {
    return command;
  }

  /**
   * Reads the options before {@code --}.
   *
   * @return the command's options, or {@code null} when help or the version was printed
   * @throws UsageException the line is wrong, in one sentence
   */
  Commands.Common parse(String[] options, boolean separatorGiven) {
    CommandLine cl = commandLine();
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(options);
    } catch (ParameterException e) {
      throw usage(e, separatorGiven);
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return null;
    }
    if (!parsed.hasSubcommand()) {
      throw new UsageException(
          "name a command: check (report on a launch), exec (check, then run it) or gpus (show"
              + " the GPUs), e.g. "
              + Main.CHECK_FIX);
    }
    ParseResult sub = parsed.subcommand();
    command = sub.commandSpec().name();
    return (Commands.Common) sub.commandSpec().userObject();
  }

  CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Commands.Top());
    cl.addSubcommand("check", new Commands.Check());
    cl.addSubcommand("exec", new Commands.Exec());
    cl.addSubcommand("gpus", new Commands.Gpus());
    cl.addSubcommand("calibration", new Calibrations.Options());
    cl.setExpandAtFiles(false);
    cl.setOut(out);
    cl.setErr(err);
    String[] version = {Main.NAME + " " + Main.version(), "Java " + Runtime.version()};
    cl.getCommandSpec().version(version);
    cl.getSubcommands().values().forEach(s -> s.getCommandSpec().version(version));
    return cl;
  }

  /** Picocli's complaint as one sentence in this project's words. */
  private UsageException usage(ParameterException e, boolean separatorGiven) {
    CommandLine where = e.getCommandLine();
    if (where != null && where.getParent() != null) {
      command = where.getCommandName();
    }
    boolean guards = command.equals("check") || command.equals("exec");
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().getFirst();
      if (guards && !separatorGiven) {
        return new UsageException(
            String.format(
                Locale.ROOT,
                "'%s' is not an option of %s %s, and no -- separates the SGLang command; write %s",
                first,
                Main.NAME,
                command,
                Main.CHECK_FIX.replace(" check ", " " + command + " ")));
      }
      if (first.startsWith("-")) {
        List<String> suggestions = u.getSuggestions();
        return new UsageException(
            String.format(
                Locale.ROOT,
                "unknown option '%s'%s",
                first,
                suggestions.isEmpty()
                    ? ""
                    : " (did you mean " + String.join(" or ", suggestions) + "?)"));
      }
      if (command.isEmpty()) {
        return new UsageException(
            "unknown command '" + first + "': give check, exec or gpus, e.g. " + Main.CHECK_FIX);
      }
      return new UsageException(
          "unexpected argument '"
              + first
              + "'"
              + (guards
                  ? " before --: preflight's options go before --, the SGLang command after it"
                  : ""));
    }
    if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
      String name = name(m.getMissing().getFirst());
      return new UsageException(name + " needs a value after it, e.g. " + Main.example(name));
    }
    if (e instanceof OverwrittenOptionException o) {
      return new UsageException(
          name(o.getOverwritten()) + " was given more than once; give it once");
    }
    String text = e.getMessage();
    return new UsageException(
        text.isEmpty()
            ? "the command line cannot be read"
            : Character.toLowerCase(text.charAt(0)) + text.substring(1));
  }

  private static String name(CommandLine.Model.ArgSpec spec) {
    return spec instanceof CommandLine.Model.OptionSpec o ? o.longestName() : spec.paramLabel();
  }
}
