package io.github.sglangpreflight.calibration;

import io.github.sglangpreflight.term.TermId;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The terms one launch measured, per GPU (the largest over its ranks), for one {@link
 * CalibrationKey}.
 *
 * @param observedAt when the launch printed them
 * @param termBytes the budget terms measured, in bytes: {@link TermId#WEIGHTS} ({@code mem usage}
 *     at load end), {@link TermId#KV_POOL}, {@link TermId#CUDA_GRAPH_DECODE} (the sum of every
 *     capture: decode, prefill and draft graphs together, as SGLang prints them)
 * @param preLoadFreeBytes T: the free memory at {@code Load weight begin} (the smallest over ranks)
 * @param torchDistributedBytes what {@code Init torch distributed ends} reports the set-up took
 *     (NCCL communicators and CUDA context together; no single budget term)
 * @param preLoadOverheadBytes what the GPUs lost before SGLang read T: the smallest free memory the
 *     check read just before the launch, minus the T SGLang printed (its CUDA context, NCCL and
 *     anything else before {@code Load weight begin}); recorded only when the check read the GPUs
 *     live
 */
public record CalibrationRecord(
    CalibrationKey key,
    Instant observedAt,
    Map<TermId, Long> termBytes,
    OptionalLong preLoadFreeBytes,
    OptionalLong torchDistributedBytes,
    OptionalLong preLoadOverheadBytes) {

  /** A record without the overhead before T. */
  public CalibrationRecord(
      CalibrationKey key,
      Instant observedAt,
      Map<TermId, Long> termBytes,
      OptionalLong preLoadFreeBytes,
      OptionalLong torchDistributedBytes) {
    this(key, observedAt, termBytes, preLoadFreeBytes, torchDistributedBytes, OptionalLong.empty());
  }

  public CalibrationRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(observedAt, "observedAt");
    termBytes = termBytes.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(termBytes));
    termBytes.forEach(
        (t, b) -> {
          if (b < 0) {
            throw new IllegalArgumentException(t.id() + " must not be negative, was " + b);
          }
        });
    Objects.requireNonNull(preLoadFreeBytes, "preLoadFreeBytes");
    Objects.requireNonNull(torchDistributedBytes, "torchDistributedBytes");
    Objects.requireNonNull(preLoadOverheadBytes, "preLoadOverheadBytes");
    if (preLoadOverheadBytes.isPresent() && preLoadOverheadBytes.getAsLong() < 0) {
      throw new IllegalArgumentException(
          "preLoadOverheadBytes must not be negative, was " + preLoadOverheadBytes.getAsLong());
    }
  }

  /** Whether the launch measured anything worth keeping. */
  public boolean isEmpty() {
    return termBytes.isEmpty()
        && preLoadFreeBytes.isEmpty()
        && torchDistributedBytes.isEmpty()
        && preLoadOverheadBytes.isEmpty();
  }
}
