package io.github.sglangpreflight.sglang.version;

/**
 * The four families of SGLang start-up memory behaviour the guard models. Inside a family some
 * rules change at a patch release; {@link SglangFacts} holds those exact boundaries.
 */
public enum SglangProfile {
  /** Up to 0.4.5.x, reference v0.4.5.post3: H200 default keeps only 13 GiB outside the pool. */
  P1("<=0.4.5.x", "v0.4.5.post3"),
  /** 0.4.6 to 0.4.7.x: the H200 reserve rule of PR #5893 (from 0.4.6.post2). */
  P2("0.4.6-0.4.7", "v0.4.7"),
  /** 0.4.8 to 0.5.1.x: the GPU-class reserve table of PR #7054 (from 0.4.7.post1). */
  P3("0.4.8-0.5.1", "v0.5.1"),
  /** 0.5.2 and later, up to newest main: DeepGEMM warm-up buffers, activation + graph reserve. */
  P4(">=0.5.2 (main)", "main@8761b971");

  private final String versions;
  private final String reference;

  SglangProfile(String versions, String reference) {
    this.versions = versions;
    this.reference = reference;
  }

  /** The versions the family covers, e.g. {@code 0.4.6-0.4.7}. */
  public String versions() {
    return versions;
  }

  /** The SGLang revision the family's rules were read from. */
  public String reference() {
    return reference;
  }

  /** The family a version belongs to. */
  public static SglangProfile of(SglangVersion version) {
    if (!reached(version, SwitchPoint.PROFILE_P2)) {
      return P1;
    }
    if (!reached(version, SwitchPoint.PROFILE_P3)) {
      return P2;
    }
    if (!reached(version, SwitchPoint.PROFILE_P4)) {
      return P3;
    }
    return P4;
  }

  private static boolean reached(SglangVersion version, SwitchPoint point) {
    return version.compareTo(point.version().orElseThrow()) >= 0;
  }

  @Override
  public String toString() {
    return name() + " (" + versions + ")";
  }
}
