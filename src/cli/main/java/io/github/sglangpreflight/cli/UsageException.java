package io.github.sglangpreflight.cli;

/**
 * The command line itself is wrong: an unknown option, a missing {@code --}, two options that
 * exclude each other, a value that is not a number or a size. Exit code {@value
 * ExitCodes#BAD_INPUT}. The message is one sentence naming the option and the fix; the usage hint
 * is added where it is printed.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message, null, false, false);
  }
}
