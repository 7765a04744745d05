package io.github.sglangpreflight.gpu;

/** CUDA compute capability, e.g. 9.0 for H100/H200. */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {
  public ComputeCapability {
    if (major < 1 || minor < 0) {
      throw new IllegalArgumentException(
          "compute capability must be at least 1.0, was " + major + "." + minor);
    }
  }

  /** Parses {@code "9.0"}. */
  public static ComputeCapability parse(String text) {
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "compute capability must look like 9.0, was '" + text + "'");
    }
    try {
      return new ComputeCapability(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "compute capability must look like 9.0, was '" + text + "'", e);
    }
  }

  /** The {@code sm_XY} number SGLang compares against (90 for Hopper). */
  public int smVersion() {
    return major * 10 + minor;
  }

  @Override
  public int compareTo(ComputeCapability other) {
    return Integer.compare(smVersion(), other.smVersion());
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
