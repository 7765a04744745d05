package io.github.sglangpreflight.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger that keeps every call, formatted, with its level. All levels enabled. The one
 * log-capturing fixture of the tests.
 */
public final class RecordingLogger extends AbstractLogger {
  private static final long serialVersionUID = 1L;

  /** One logged message. */
  public record Entry(Level level, String message) {}

  private final transient List<Entry> entries = new CopyOnWriteArrayList<>();

  public RecordingLogger(String name) {
    this.name = name;
  }

  public List<Entry> entries() {
    return entries;
  }

  /** Every call as {@code LEVEL message}, e.g. {@code WARN SGLang 0.5.22 is not …}. */
  public List<String> lines() {
    return entries.stream().map(e -> e.level() + " " + e.message()).toList();
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    entries.add(new Entry(level, MessageFormatter.basicArrayFormat(pattern, arguments)));
  }

  @Override
  public boolean isTraceEnabled() {
    return true;
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isDebugEnabled() {
    return true;
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return true;
  }
}
