package io.github.sglangpreflight;

import io.github.sglangpreflight.errors.PreflightException;
import io.github.sglangpreflight.report.PreflightReport;
import java.util.Objects;

/**
 * Thrown by {@link Preflight#apply} when the launch must not start. Carries the whole report; the
 * message is its headline.
 */
public class PreflightRejectedException extends PreflightException {
  private final transient PreflightReport report;

  public PreflightRejectedException(PreflightReport report) {
    super(Objects.requireNonNull(report, "report").headline());
    this.report = report;
  }

  /** The report that led to the rejection. */
  public PreflightReport report() {
    return report;
  }
}
