package io.github.sglangpreflight.gpu;

/**
 * A GPU's MIG mode from {@code nvmlDeviceGetMigMode}.
 *
 * @param currentEnabled MIG is on now
 * @param pendingEnabled MIG will be on after the next GPU reset
 */
public record MigMode(boolean currentEnabled, boolean pendingEnabled) {
  public static final MigMode DISABLED = new MigMode(false, false);
}
