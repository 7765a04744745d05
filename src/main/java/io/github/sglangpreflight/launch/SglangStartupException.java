package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.errors.PreflightException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * SGLang did not become healthy: it printed a start-up failure, exited, or did not answer {@code
 * /health} in time. The message quotes the failure line and says what to do; the process tree has
 * been stopped when this is thrown.
 */
public final class SglangStartupException extends PreflightException {
  /** Why the start-up failed. */
  public enum Reason {
    /** SGLang printed a fatal start-up failure ({@link StartupFailureKind}). */
    FAILED,
    /** The process exited before {@code /health} answered 200, without a known failure line. */
    EXITED,
    /** {@code /health} did not answer 200 within the start-up timeout. */
    TIMED_OUT
  }

  private final Reason reason;
  private final transient StartupObservation observation;
  private final transient Optional<StartupObservation.ObservedFailure> failure;
  private final OptionalInt exitCode;

  SglangStartupException(
      String message,
      Reason reason,
      StartupObservation observation,
      Optional<StartupObservation.ObservedFailure> failure,
      OptionalInt exitCode) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.observation = Objects.requireNonNull(observation, "observation");
    this.failure = Objects.requireNonNull(failure, "failure");
    this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
  }

  public Reason reason() {
    return reason;
  }

  /** What the start-up showed until it failed. */
  public StartupObservation observation() {
    return observation;
  }

  /** The failure line, for {@link Reason#FAILED}. */
  public Optional<StartupObservation.ObservedFailure> failure() {
    return failure;
  }

  /** The exit code of the SGLang process, once it is known. */
  public OptionalInt exitCode() {
    return exitCode;
  }
}
