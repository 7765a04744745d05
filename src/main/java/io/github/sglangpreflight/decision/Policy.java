package io.github.sglangpreflight.decision;

/** What the guard may do about an unsafe {@code --mem-fraction-static}. */
public enum Policy {
  /** Rewrite the fraction to the nearest safe value; reject when none exists. The default. */
  ADJUST,
  /** Never rewrite: judge only; anything but ACCEPT is a rejection. */
  REJECT,
  /** Report and log, never block and never rewrite: {@code apply} returns the command unchanged. */
  WARN
}
