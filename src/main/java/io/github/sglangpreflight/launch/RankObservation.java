package io.github.sglangpreflight.launch;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the start-up log showed for one rank (one GPU), in bytes. The first model's stages count (a
 * speculative-decoding draft model loads again after the target's pool; its weights and pool are
 * not added), except graph captures, which are summed over every graph.
 *
 * @param torchDistributedBytes {@code mem usage} of {@code Init torch distributed ends}
 * @param availBeforeLoadBytes free memory at {@code Load weight begin}
 * @param weightsBytes {@code mem usage} at {@code Load weight end} (printed since 2025-03)
 * @param availAfterLoadBytes free memory at {@code Load weight end}
 * @param kvTokens {@code #tokens} of the first KV pool (or of main's post-capture sizing)
 * @param kvBytes sum of the KV pools allocated before {@code Memory pool end} (or main's
 *     post-capture KV size)
 * @param kvAllocatedAfterGraphs whether the KV figures come from main's post-capture sizing
 * @param maxTotalNumTokens the scheduler's {@code max_total_num_tokens}
 * @param maxRunningRequests the scheduler's {@code max_running_requests}
 * @param contextLen the scheduler's {@code context_len}
 * @param availAfterPoolBytes free memory at {@code Memory pool end}
 * @param availBeforeGraphsBytes free memory at the first capture's begin
 * @param cudaGraphBytes sum of every capture's {@code mem usage}
 * @param graphCaptures number of captures that ended
 * @param availAfterGraphsBytes free memory at the last capture's end, or after main's post-capture
 *     KV sizing when that came later
 * @param deepGemmWarmupRequiredBytes largest JIT DeepGEMM warm-up requirement printed
 */
public record RankObservation(
    Rank rank,
    OptionalLong torchDistributedBytes,
    OptionalLong availBeforeLoadBytes,
    OptionalLong weightsBytes,
    OptionalLong availAfterLoadBytes,
    OptionalLong kvTokens,
    OptionalLong kvBytes,
    boolean kvAllocatedAfterGraphs,
    OptionalLong maxTotalNumTokens,
    OptionalLong maxRunningRequests,
    OptionalLong contextLen,
    OptionalLong availAfterPoolBytes,
    OptionalLong availBeforeGraphsBytes,
    OptionalLong cudaGraphBytes,
    int graphCaptures,
    OptionalLong availAfterGraphsBytes,
    OptionalLong deepGemmWarmupRequiredBytes) {

  public RankObservation {
    Objects.requireNonNull(rank, "rank");
    Objects.requireNonNull(torchDistributedBytes, "torchDistributedBytes");
    Objects.requireNonNull(availBeforeLoadBytes, "availBeforeLoadBytes");
    Objects.requireNonNull(weightsBytes, "weightsBytes");
    Objects.requireNonNull(availAfterLoadBytes, "availAfterLoadBytes");
    Objects.requireNonNull(kvTokens, "kvTokens");
    Objects.requireNonNull(kvBytes, "kvBytes");
    Objects.requireNonNull(maxTotalNumTokens, "maxTotalNumTokens");
    Objects.requireNonNull(maxRunningRequests, "maxRunningRequests");
    Objects.requireNonNull(contextLen, "contextLen");
    Objects.requireNonNull(availAfterPoolBytes, "availAfterPoolBytes");
    Objects.requireNonNull(availBeforeGraphsBytes, "availBeforeGraphsBytes");
    Objects.requireNonNull(cudaGraphBytes, "cudaGraphBytes");
    Objects.requireNonNull(availAfterGraphsBytes, "availAfterGraphsBytes");
    Objects.requireNonNull(deepGemmWarmupRequiredBytes, "deepGemmWarmupRequiredBytes");
    if (graphCaptures < 0) {
      throw new IllegalArgumentException(
          "graphCaptures must not be negative, was " + graphCaptures);
    }
  }

  /** A rank nothing was seen for yet. */
  public static RankObservation empty(Rank rank) {
    return new Builder(rank).build();
  }

  /**
   * The measured value of a term on this rank, when the log showed what it needs.
   *
   * @return bytes, or tokens for {@link MemoryTerm#KV_TOKENS}
   */
  public OptionalLong actual(MemoryTerm term) {
    return switch (term) {
      case TORCH_DISTRIBUTED -> torchDistributedBytes;
      case PRE_LOAD_FREE -> availBeforeLoadBytes;
      case WEIGHTS ->
          weightsBytes.isPresent()
              ? weightsBytes
              : minus(availBeforeLoadBytes, availAfterLoadBytes);
      case KV_POOL -> kvBytes;
      case KV_TOKENS -> kvTokens.isPresent() ? kvTokens : maxTotalNumTokens;
      case REQ_TO_TOKEN_AND_OTHER -> {
        OptionalLong afterLoadToPool = minus(availAfterLoadBytes, availAfterPoolBytes);
        yield kvAllocatedAfterGraphs ? afterLoadToPool : minus(afterLoadToPool, kvBytes);
      }
      case BETWEEN_POOL_AND_GRAPHS -> minus(availAfterPoolBytes, availBeforeGraphsBytes);
      case CUDA_GRAPH -> cudaGraphBytes;
      case HEADROOM_AFTER_GRAPHS -> availAfterGraphsBytes;
    };
  }

  /** This observation with one more event of this rank folded in. */
  RankObservation with(StartupEvent event) {
    Builder b = new Builder(this);
    switch (event) {
      case StartupEvent.TorchDistributedReady e -> {
        if (b.torchDistributedBytes.isEmpty()) {
          b.torchDistributedBytes = e.memUsageBytes();
        }
      }
      case StartupEvent.WeightLoadBegin e -> {
        if (b.availBeforeLoadBytes.isEmpty()) {
          b.availBeforeLoadBytes = OptionalLong.of(e.availBytes());
        }
      }
      case StartupEvent.WeightLoadEnd e -> {
        if (b.availAfterLoadBytes.isEmpty()) {
          b.availAfterLoadBytes = OptionalLong.of(e.availBytes());
          b.weightsBytes = e.memUsageBytes();
        }
      }
      case StartupEvent.KvCacheAllocated e -> {
        if (e.afterGraphCapture()) {
          b.kvBytes = OptionalLong.of(e.totalBytes());
          b.kvTokens = e.tokens();
          b.kvAllocatedAfterGraphs = true;
          if (e.availBytes().isPresent()) {
            b.availAfterGraphsBytes = e.availBytes();
          }
        } else if (b.availAfterPoolBytes.isEmpty() && !b.kvAllocatedAfterGraphs) {
          b.kvBytes = OptionalLong.of(b.kvBytes.orElse(0) + e.totalBytes());
          if (b.kvTokens.isEmpty()) {
            b.kvTokens = e.tokens();
          }
        }
      }
      case StartupEvent.MemoryPoolEnd e -> {
        if (b.availAfterPoolBytes.isEmpty()) {
          b.availAfterPoolBytes = OptionalLong.of(e.availBytes());
        }
      }
      case StartupEvent.SchedulerLimits e -> {
        if (b.maxTotalNumTokens.isEmpty()) {
          b.maxTotalNumTokens = OptionalLong.of(e.maxTotalNumTokens());
          b.maxRunningRequests = e.maxRunningRequests();
          b.contextLen = e.contextLen();
        }
      }
      case StartupEvent.GraphCaptureBegin e -> {
        if (b.availBeforeGraphsBytes.isEmpty()) {
          b.availBeforeGraphsBytes = e.availBytes();
        }
      }
      case StartupEvent.GraphCaptureEnd e -> {
        b.graphCaptures++;
        if (e.memUsageBytes().isPresent()) {
          b.cudaGraphBytes =
              OptionalLong.of(b.cudaGraphBytes.orElse(0) + e.memUsageBytes().getAsLong());
        }
        if (e.availBytes().isPresent()) {
          b.availAfterGraphsBytes = e.availBytes();
        }
      }
      case StartupEvent.DeepGemmWarmup e -> {
        if (b.deepGemmWarmupRequiredBytes.orElse(Long.MIN_VALUE) < e.requiredBytes()) {
          b.deepGemmWarmupRequiredBytes = OptionalLong.of(e.requiredBytes());
        }
      }
      case StartupEvent.Failure e -> {
        // kept by StartupObservation
      }
      case StartupEvent.HttpListening e -> {
        // not per rank
      }
      case StartupEvent.ServerReady e -> {
        // not per rank
      }
    }
    return b.build();
  }

  private static OptionalLong minus(OptionalLong a, OptionalLong b) {
    return a.isPresent() && b.isPresent()
        ? OptionalLong.of(a.getAsLong() - b.getAsLong())
        : OptionalLong.empty();
  }

  private static final class Builder {
    private final Rank rank;
    private OptionalLong torchDistributedBytes = OptionalLong.empty();
    private OptionalLong availBeforeLoadBytes = OptionalLong.empty();
    private OptionalLong weightsBytes = OptionalLong.empty();
    private OptionalLong availAfterLoadBytes = OptionalLong.empty();
    private OptionalLong kvTokens = OptionalLong.empty();
    private OptionalLong kvBytes = OptionalLong.empty();
    private boolean kvAllocatedAfterGraphs;
    private OptionalLong maxTotalNumTokens = OptionalLong.empty();
    private OptionalLong maxRunningRequests = OptionalLong.empty();
    private OptionalLong contextLen = OptionalLong.empty();
    private OptionalLong availAfterPoolBytes = OptionalLong.empty();
    private OptionalLong availBeforeGraphsBytes = OptionalLong.empty();
    private OptionalLong cudaGraphBytes = OptionalLong.empty();
    private int graphCaptures;
    private OptionalLong availAfterGraphsBytes = OptionalLong.empty();
    private OptionalLong deepGemmWarmupRequiredBytes = OptionalLong.empty();

    Builder(Rank rank) {
      this.rank = rank;
    }

    Builder(RankObservation o) {
      this.rank = o.rank;
      this.torchDistributedBytes = o.torchDistributedBytes;
      this.availBeforeLoadBytes = o.availBeforeLoadBytes;
      this.weightsBytes = o.weightsBytes;
      this.availAfterLoadBytes = o.availAfterLoadBytes;
      this.kvTokens = o.kvTokens;
      this.kvBytes = o.kvBytes;
      this.kvAllocatedAfterGraphs = o.kvAllocatedAfterGraphs;
      this.maxTotalNumTokens = o.maxTotalNumTokens;
      this.maxRunningRequests = o.maxRunningRequests;
      this.contextLen = o.contextLen;
      this.availAfterPoolBytes = o.availAfterPoolBytes;
      this.availBeforeGraphsBytes = o.availBeforeGraphsBytes;
      this.cudaGraphBytes = o.cudaGraphBytes;
      this.graphCaptures = o.graphCaptures;
      this.availAfterGraphsBytes = o.availAfterGraphsBytes;
      this.deepGemmWarmupRequiredBytes = o.deepGemmWarmupRequiredBytes;
    }

    RankObservation build() {
      return new RankObservation(
          rank,
          torchDistributedBytes,
          availBeforeLoadBytes,
          weightsBytes,
          availAfterLoadBytes,
          kvTokens,
          kvBytes,
          kvAllocatedAfterGraphs,
          maxTotalNumTokens,
          maxRunningRequests,
          contextLen,
          availAfterPoolBytes,
          availBeforeGraphsBytes,
          cudaGraphBytes,
          graphCaptures,
          availAfterGraphsBytes,
          deepGemmWarmupRequiredBytes);
    }
  }
}
