package io.github.sglangpreflight.calibration;

import io.github.sglangpreflight.term.TermId;
import io.github.sglangpreflight.units.Units;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The corrections a later check applies for a launch that was observed before. Pure: the lookup
 * takes the records a {@link CalibrationStore} read and a key, and returns, term by term, the
 * newest measured value of an exactly matching launch.
 */
public final class Calibration {
  private Calibration() {}

  /**
   * One observed value, with when it was observed.
   *
   * @param bytes the measured bytes per GPU
   */
  public record Observed(long bytes, Instant observedAt) {
    public Observed {
      Objects.requireNonNull(observedAt, "observedAt");
    }
  }

  /**
   * What the budget replaces: the observed bytes of the terms a launch measured, and T.
   *
   * @param termBytes per budget term, the newest observation
   * @param preLoadFreeBytes T, the newest observation
   * @param preLoadOverheadBytes what the GPUs lost before T, the newest observation
   * @param launches how many matching launches the store holds
   */
  public record Correction(
      CalibrationKey key,
      Map<TermId, Observed> termBytes,
      Optional<Observed> preLoadFreeBytes,
      Optional<Observed> preLoadOverheadBytes,
      int launches) {
    public Correction {
      Objects.requireNonNull(key, "key");
      termBytes = Map.copyOf(termBytes);
      Objects.requireNonNull(preLoadFreeBytes, "preLoadFreeBytes");
      Objects.requireNonNull(preLoadOverheadBytes, "preLoadOverheadBytes");
    }

    /** The observed bytes of one term, when a launch measured it. */
    public OptionalLong bytes(TermId term) {
      Observed o = termBytes.get(term);
      return o == null ? OptionalLong.empty() : OptionalLong.of(o.bytes());
    }

    /**
     * One sentence per corrected term for the report's notes, e.g. {@code model weights: 14.96 GiB
     * observed 2026-08-01T10:00:00Z (1 launch of NVIDIA H100 80GB HBM3, ...)}.
     */
    public List<String> notes() {
      List<String> notes = new ArrayList<>();
      String from =
          " ("
              + launches
              + (launches == 1 ? " launch of " : " launches of ")
              + key.describe()
              + ")";
      preLoadFreeBytes.ifPresent(
          o ->
              notes.add(
                  "T (free before the weights load): "
                      + Units.gib(o.bytes())
                      + " observed "
                      + o.observedAt()
                      + from));
      preLoadOverheadBytes.ifPresent(
          o ->
              notes.add(
                  "lost before T (context, NCCL): "
                      + Units.gib(o.bytes())
                      + " observed "
                      + o.observedAt()
                      + from));
      termBytes.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e ->
                  notes.add(
                      e.getKey().label()
                          + ": "
                          + Units.gib(e.getValue().bytes())
                          + " observed "
                          + e.getValue().observedAt()
                          + from));
      return List.copyOf(notes);
    }
  }

  /** The correction for {@code key}: empty when no record matches it exactly. */
  public static Optional<Correction> lookup(List<CalibrationRecord> records, CalibrationKey key) {
    Objects.requireNonNull(key, "key");
    List<CalibrationRecord> matching =
        records.stream()
            .filter(r -> r.key().equals(key) && !r.isEmpty())
            .sorted(Comparator.comparing(CalibrationRecord::observedAt))
            .toList();
    if (matching.isEmpty()) {
      return Optional.empty();
    }
    Map<TermId, Observed> terms = new EnumMap<>(TermId.class);
    Optional<Observed> t = Optional.empty();
    Optional<Observed> overhead = Optional.empty();
    for (CalibrationRecord r : matching) {
      if (r.preLoadOverheadBytes().isPresent()) {
        overhead = Optional.of(new Observed(r.preLoadOverheadBytes().getAsLong(), r.observedAt()));
      }
      r.termBytes().forEach((term, bytes) -> terms.put(term, new Observed(bytes, r.observedAt())));
      if (r.preLoadFreeBytes().isPresent()) {
        t = Optional.of(new Observed(r.preLoadFreeBytes().getAsLong(), r.observedAt()));
      }
    }
    return Optional.of(new Correction(key, terms, t, overhead, matching.size()));
  }
}
