package io.github.sglangpreflight.launch.process;

import io.github.sglangpreflight.sglang.args.LaunchCommand;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Masks SGLang's API keys before anything is logged: {@code --api-key}/{@code --admin-api-key}
 * values in an argv (both the {@code --flag value} and the {@code --flag=value} forms), and the
 * {@code api_key='…'} fields of the {@code server_args=ServerArgs(…)} line SGLang prints at start.
 */
public final class SecretMasking {
  public static final String MASK = "***";

  private static final Pattern FIELD =
      Pattern.compile("(?<!\\w)((?:admin_)?api_key=)('[^']*'|\"[^\"]*\")");
  private static final Pattern FLAG =
      Pattern.compile("(--(?:admin-)?api-key(?:=|\\s+))(?!-)(\\S+)");

  private SecretMasking() {}

  public static List<String> maskArgv(List<String> argv) {
    return LaunchCommand.maskArguments(argv);
  }

  public static String maskLine(String line) {
    if (!line.contains("api_key") && !line.contains("api-key")) {
      return line;
    }
    String masked = FIELD.matcher(line).replaceAll("$1'" + MASK + "'");
    return FLAG.matcher(masked).replaceAll("$1" + MASK);
  }

  /** An argv as one line for logs, masked, each argument quoted when it holds blanks. */
  public static String commandLine(List<String> argv) {
    StringBuilder text = new StringBuilder();
    for (String arg : maskArgv(argv)) {
      if (!text.isEmpty()) {
        text.append(' ');
      }
      text.append(
          arg.isEmpty() || arg.chars().anyMatch(Character::isWhitespace) ? "'" + arg + "'" : arg);
    }
    return text.toString();
  }
}
