package io.github.sglangpreflight.sglang.version;

/**
 * A named point in SGLang's history where a memory-relevant rule changes. Terms ask {@code
 * facts.atLeast(SwitchPoint.X)} instead of comparing version strings.
 *
 * <p>Stub of the redesign: the versions move into the release table (one data file) next.
 */
public enum SwitchPoint {
  /** From 0.4.8 the decode capture's unattributed residual is 500 MiB (600 MiB before). */
  GRAPH_RESIDUAL_500_MIB("0.4.8"),
  /** From 0.4.9 the DP-attention gathered buffer holds one rank's rows, not dp × rows. */
  DP_ATTENTION_GATHER_ROWS_PER_RANK("0.4.9"),
  /** From 0.5.0rc0 the DP-attention gathered buffer is no longer a static graph buffer. */
  DP_ATTENTION_GATHER_IN_GRAPH_RUNNER("0.5.0rc0");

  private final String firstVersion;

  SwitchPoint(String firstVersion) {
    this.firstVersion = firstVersion;
  }

  /** The first SGLang release that behaves the new way. */
  public String firstVersion() {
    return firstVersion;
  }
}
