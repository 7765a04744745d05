package io.github.sglangpreflight.errors;

/**
 * Base of every exception the library throws on purpose. Its message is one sentence a person can
 * act on: where, what, the observed value, what is needed, what to do.
 */
public class PreflightException extends RuntimeException {
  public PreflightException(String message) {
    super(message);
  }

  public PreflightException(String message, Throwable cause) {
    super(message, cause);
  }
}
