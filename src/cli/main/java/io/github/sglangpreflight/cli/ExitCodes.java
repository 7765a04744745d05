package io.github.sglangpreflight.cli;

/**
 * The exit codes of {@code sglang-preflight}. {@code exec} returns the child's own exit code once
 * the child has started (128 + the signal number when a signal ended it).
 */
final class ExitCodes {
  /** check: ACCEPT (also an unchecked launch under {@code --allow-unreadable-gpus}); gpus: done. */
  static final int ACCEPT = 0;

  /** The GPUs cannot be read (no driver, NVML error) and the check fails closed. */
  static final int GPUS_UNREADABLE = 1;

  /** Bad input: the command line, the SGLang command, the model, a snapshot file, a preset. */
  static final int BAD_INPUT = 2;

  /** check: ADJUST (the command needs another {@code --mem-fraction-static}). */
  static final int ADJUST = 3;

  /** check and exec: REJECT (exec did not start the command). */
  static final int REJECT = 4;

  /** Something unexpected: a bug. */
  static final int INTERNAL_ERROR = 70;

  /** exec: the command could not be started (not found, not executable), as a shell says it. */
  static final int CANNOT_START = 127;

  private ExitCodes() {}
}
