package io.github.sglangpreflight.calibration.observed;

import io.github.sglangpreflight.calibration.CalibrationKey;
import io.github.sglangpreflight.calibration.CalibrationRecord;
import io.github.sglangpreflight.launch.MemoryTerm;
import io.github.sglangpreflight.launch.RankObservation;
import io.github.sglangpreflight.launch.StartupObservation;
import io.github.sglangpreflight.term.TermId;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A start-up's measured terms as a {@link CalibrationRecord}: per GPU, the largest value over the
 * ranks (the smallest for T, which SGLang itself takes as the minimum over ranks), mapped to the
 * budget's {@link TermId}s where the mapping is one to one.
 *
 * <ul>
 *   <li>{@link MemoryTerm#WEIGHTS} to {@link TermId#WEIGHTS};
 *   <li>{@link MemoryTerm#KV_POOL} to {@link TermId#KV_POOL};
 *   <li>{@link MemoryTerm#CUDA_GRAPH} (every capture summed) to {@link TermId#CUDA_GRAPH_DECODE}:
 *       the log does not split decode from prefill or draft graphs;
 *   <li>{@link MemoryTerm#PRE_LOAD_FREE} to T, {@link MemoryTerm#TORCH_DISTRIBUTED} kept apart
 *       (NCCL and the CUDA context in one figure).
 * </ul>
 */
public final class ObservedTerms {
  private ObservedTerms() {}

  /** The record of {@code observation} under {@code key}, observed at {@code at}. */
  public static CalibrationRecord record(
      CalibrationKey key, StartupObservation observation, Instant at) {
    return record(key, observation, at, OptionalLong.empty());
  }

  /**
   * The record with what the GPUs lost before T: {@code minFreeAtCheckBytes} (the smallest free
   * memory of the launch's GPUs, read live just before the launch) minus the T SGLang printed. Left
   * out when it would be negative (the GPUs freed memory in between).
   */
  public static CalibrationRecord record(
      CalibrationKey key,
      StartupObservation observation,
      Instant at,
      OptionalLong minFreeAtCheckBytes) {
    Map<TermId, Long> terms = new EnumMap<>(TermId.class);
    put(terms, TermId.WEIGHTS, max(observation, r -> r.actual(MemoryTerm.WEIGHTS)));
    put(terms, TermId.KV_POOL, max(observation, r -> r.actual(MemoryTerm.KV_POOL)));
    put(terms, TermId.CUDA_GRAPH_DECODE, max(observation, r -> r.actual(MemoryTerm.CUDA_GRAPH)));
    OptionalLong t =
        observation.ranks().stream()
            .map(RankObservation::availBeforeLoadBytes)
            .filter(OptionalLong::isPresent)
            .mapToLong(OptionalLong::getAsLong)
            .min();
    OptionalLong overhead = OptionalLong.empty();
    if (minFreeAtCheckBytes.isPresent()
        && t.isPresent()
        && minFreeAtCheckBytes.getAsLong() >= t.getAsLong()) {
      overhead = OptionalLong.of(minFreeAtCheckBytes.getAsLong() - t.getAsLong());
    }
    return new CalibrationRecord(
        key, at, terms, t, max(observation, RankObservation::torchDistributedBytes), overhead);
  }

  private static void put(Map<TermId, Long> terms, TermId id, OptionalLong value) {
    if (value.isPresent() && value.getAsLong() >= 0) {
      terms.put(id, value.getAsLong());
    }
  }

  private static OptionalLong max(
      StartupObservation observation, Function<RankObservation, OptionalLong> term) {
    return observation.ranks().stream()
        .map(term)
        .filter(OptionalLong::isPresent)
        .mapToLong(OptionalLong::getAsLong)
        .max();
  }
}
