package io.github.sglangpreflight;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.sglang.args.LaunchCommand;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a launcher asks of an SGLang command line besides the check: whether it can be run at all,
 * the {@code --mem-fraction-static} it gives, the same command at another fraction, and its argv
 * with secrets masked for logs. Parsed the way {@link Preflight} parses it.
 */
public final class LaunchCommands {
  private LaunchCommands() {}

  /**
   * Whether {@code argv} holds only SGLang's server arguments (no {@code python -m
   * sglang.launch_server} or {@code sglang serve} in front), which can be checked but not run.
   *
   * @throws InvalidInputException where SGLang would refuse the command line
   */
  public static boolean isServerArgsOnly(List<String> argv, Map<String, String> env) {
    return LaunchCommand.parse(argv, env).launcher() == LaunchCommand.Launcher.SERVER_ARGS_ONLY;
  }

  /**
   * The {@code --mem-fraction-static} value written on {@code argv}, if any.
   *
   * @throws InvalidInputException where SGLang would refuse the command line
   */
  public static OptionalDouble memFractionStatic(List<String> argv, Map<String, String> env) {
    return LaunchCommand.parse(argv, env).serverArgs().memFractionStatic();
  }

  /**
   * {@code argv} with its {@code --mem-fraction-static} set to {@code fraction} (at most three
   * decimals), every other argument unchanged.
   *
   * @throws InvalidInputException where SGLang would refuse the command line
   * @throws IllegalArgumentException if {@code fraction}, rounded to three decimals, is not in (0,
   *     1)
   */
  public static List<String> withMemFractionStatic(
      List<String> argv, Map<String, String> env, double fraction) {
    return LaunchCommand.parse(argv, env).withMemFractionStatic(fraction);
  }

  /** Any argv with its secrets (API keys, passwords, URL passwords) masked, for logs and files. */
  public static List<String> maskArguments(List<String> argv) {
    return LaunchCommand.maskArguments(argv);
  }
}
