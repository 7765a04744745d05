package io.github.sglangpreflight.errors;

import java.util.Objects;

/**
 * An input the caller gave is unusable: a launch flag SGLang would refuse, a model directory that
 * does not exist, a snapshot file that violates its schema, an unknown preset. The CLI maps it to
 * exit code 2.
 */
public class InvalidInputException extends PreflightException {
  private final String input;

  /**
   * @param input what was wrong, as the user would name it ({@code --tp}, {@code snapshot file
   *     gpus.json field gpus[0].memory.freeBytes}, {@code CUDA_VISIBLE_DEVICES})
   * @param message the whole sentence, naming the input, the value and the fix
   */
  public InvalidInputException(String input, String message) {
    super(message);
    this.input = Objects.requireNonNull(input, "input");
  }

  public InvalidInputException(String input, String message, Throwable cause) {
    super(message, cause);
    this.input = Objects.requireNonNull(input, "input");
  }

  /** The input that was wrong, as the user would name it. */
  public String input() {
    return input;
  }
}
