package io.github.sglangpreflight.errors;

import java.util.Objects;

/**
 * A check failed in a way the library did not foresee: a bug in sglang-preflight, or the JVM
 * running out of a resource. Carries the original failure as its cause; never a verdict on the
 * launch. The CLI maps it to exit code 70.
 */
public class InternalFailureException extends PreflightException {
  public InternalFailureException(Throwable cause) {
    super(
        "unexpected error ("
            + Objects.requireNonNull(cause, "cause")
            + "); this is a bug in sglang-preflight: report it with the launch command",
        cause);
  }
}
