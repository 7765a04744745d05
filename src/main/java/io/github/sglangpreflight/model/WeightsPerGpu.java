package io.github.sglangpreflight.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The weight bytes SGLang keeps on each GPU of a launch, as {@link WeightPlacement} predicts them.
 *
 * <p>All GPUs of one pipeline stage hold the same bytes (TP shards, EP expert groups and vocab
 * shards are equal in size), so there is one {@link RankWeights} per stage.
 *
 * @param worstRankBytes the most any GPU holds
 * @param worstPpRank the pipeline stage whose GPUs hold {@link #worstRankBytes}
 * @param stages one entry per pipeline stage, first stage first
 * @param nextnDraft the DeepSeek MTP/NextN layers' weights per GPU, which SGLang loads only as the
 *     draft model of {@code --speculative-algorithm NEXTN}/{@code EAGLE}; empty when the model has
 *     none
 */
public record WeightsPerGpu(
    long worstRankBytes,
    int worstPpRank,
    List<RankWeights> stages,
    Optional<RankWeights> nextnDraft) {

  public WeightsPerGpu {
    stages = List.copyOf(stages);
    Objects.requireNonNull(nextnDraft, "nextnDraft");
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("stages must not be empty");
    }
  }

  /** The entry of the worst stage. */
  public RankWeights worstRank() {
    return stages.get(worstPpRank);
  }

  /**
   * What one GPU of a pipeline stage holds.
   *
   * @param ppRank the stage, 0 first
   * @param startLayer the first decoder layer of the stage
   * @param endLayer one past its last decoder layer
   * @param bytes the sum of {@link #parts}
   * @param parts what the bytes consist of, largest first
   */
  public record RankWeights(
      int ppRank, int startLayer, int endLayer, long bytes, List<WeightPart> parts) {
    public RankWeights {
      parts = List.copyOf(parts);
      long sum = 0;
      for (WeightPart p : parts) {
        sum = Math.addExact(sum, p.bytes());
      }
      if (sum != bytes) {
        throw new IllegalArgumentException(
            "bytes " + bytes + " is not the sum of the parts " + sum);
      }
    }

    /** The decoder layers on this stage. */
    public int layers() {
      return endLayer - startLayer;
    }

    /** The part with this name, if the stage has one. */
    public Optional<WeightPart> part(String name) {
      return parts.stream().filter(p -> p.name().equals(name)).findFirst();
    }
  }

  /**
   * One named share of a GPU's weights.
   *
   * @param name e.g. {@code attention}, {@code routed experts}, {@code embedding}
   * @param bytes the bytes on one GPU
   * @param formula how the bytes follow from the tensors, with the numbers
   * @param source the SGLang code that lays them out this way (file:line@revision)
   */
  public record WeightPart(String name, long bytes, String formula, String source) {
    public WeightPart {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(formula, "formula");
      Objects.requireNonNull(source, "source");
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
      }
    }
  }
}
