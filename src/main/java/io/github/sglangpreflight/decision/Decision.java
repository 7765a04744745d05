package io.github.sglangpreflight.decision;

/** What the guard decides for a launch. */
public enum Decision {
  /** The requested fraction lies between the smallest workable and the largest safe fraction. */
  ACCEPT,
  /** It does not, but a fraction in that window exists: the command is rewritten to use it. */
  ADJUST,
  /**
   * No fraction works, a start-up check SGLang makes would fail, or the policy forbids a change.
   */
  REJECT
}
