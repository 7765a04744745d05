package io.github.sglangpreflight.launch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What an SGLang start-up has shown so far: per rank figures, failures, how far it got. Immutable;
 * {@link #withLogLine(String)} returns the next observation, so a snapshot can be handed to any
 * thread.
 *
 * @param ranks one entry per rank seen, ordered by {@link Rank}
 * @param failures every failure line, in order
 * @param stage the last milestone seen
 * @param listeningUrl the URL Uvicorn said it runs on
 * @param ready whether {@code The server is fired up and ready to roll!} was seen
 */
public record StartupObservation(
    List<RankObservation> ranks,
    List<ObservedFailure> failures,
    StartupStage stage,
    Optional<String> listeningUrl,
    boolean ready) {

  /**
   * A failure with the stage the start-up was at when it was printed.
   *
   * @param afterMemoryPool whether some rank had finished its memory pool before the failure
   */
  public static final class ObservedFailure {
    private final StartupEvent.Failure failure;
    private final StartupStage stage;
    private final boolean afterMemoryPool;

    ObservedFailure(StartupEvent.Failure failure, StartupStage stage, boolean afterMemoryPool) {
      this.failure = Objects.requireNonNull(failure, "failure");
      this.stage = Objects.requireNonNull(stage, "stage");
      this.afterMemoryPool = afterMemoryPool;
    }

    StartupEvent.Failure failure() {
      return failure;
    }

    /** What failed, as classified from the line SGLang printed. */
    public StartupFailureKind kind() {
      return failure.kind();
    }

    /** Whether SGLang cannot go on after this failure. */
    public boolean fatal() {
      return failure.fatal();
    }

    /** The line SGLang printed. */
    public String line() {
      return failure.line();
    }

    /** The stage the start-up was at when the failure was printed. */
    public StartupStage stage() {
      return stage;
    }

    /** Whether some rank had finished its memory pool before the failure. */
    public boolean afterMemoryPool() {
      return afterMemoryPool;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ObservedFailure f
          && failure.equals(f.failure)
          && stage == f.stage
          && afterMemoryPool == f.afterMemoryPool;
    }

    @Override
    public int hashCode() {
      return Objects.hash(failure, stage, afterMemoryPool);
    }

    @Override
    public String toString() {
      return "ObservedFailure[failure="
          + failure
          + ", stage="
          + stage
          + ", afterMemoryPool="
          + afterMemoryPool
          + "]";
    }
  }

  private static final StartupObservation EMPTY =
      new StartupObservation(
          List.of(), List.of(), StartupStage.NOT_STARTED, Optional.empty(), false);

  public StartupObservation {
    ranks = List.copyOf(ranks);
    failures = List.copyOf(failures);
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(listeningUrl, "listeningUrl");
  }

  /** Nothing seen yet. */
  public static StartupObservation empty() {
    return EMPTY;
  }

  /**
   * This observation with one more line of SGLang's output folded in: unchanged when the line is
   * none of the start-up wordings {@code StartupLogParser} reads.
   *
   * @param line one line of SGLang's stdout or stderr, with or without its terminator
   */
  public StartupObservation withLogLine(String line) {
    return StartupLogParser.parse(line).map(this::with).orElse(this);
  }

  /** The observation of these events, in order. */
  static StartupObservation of(Iterable<? extends StartupEvent> events) {
    StartupObservation observation = EMPTY;
    for (StartupEvent event : events) {
      observation = observation.with(event);
    }
    return observation;
  }

  /** This observation with one more event folded in. */
  StartupObservation with(StartupEvent event) {
    Objects.requireNonNull(event, "event");
    List<RankObservation> nextRanks = ranks;
    List<ObservedFailure> nextFailures = failures;
    Optional<String> nextUrl = listeningUrl;
    boolean nextReady = ready;
    switch (event) {
      case StartupEvent.Failure f -> {
        nextFailures = new ArrayList<>(failures);
        nextFailures.add(new ObservedFailure(f, stage, anyMemoryPoolReady()));
      }
      case StartupEvent.HttpListening h -> nextUrl = Optional.of(h.url());
      case StartupEvent.ServerReady r -> nextReady = true;
      default -> nextRanks = withRank(event);
    }
    StartupStage nextStage = event.stage().orElse(stage);
    return new StartupObservation(nextRanks, nextFailures, nextStage, nextUrl, nextReady);
  }

  /** The figures of one rank, if a line named it. */
  public Optional<RankObservation> rank(Rank rank) {
    return ranks.stream().filter(r -> r.rank().equals(rank)).findFirst();
  }

  /** The first failure that stops the start-up. */
  public Optional<ObservedFailure> firstFatalFailure() {
    return failures.stream().filter(f -> f.failure().fatal()).findFirst();
  }

  /**
   * Predicted against measured, for every rank and every term the log showed; terms without a
   * prediction keep an empty predicted value.
   *
   * @param predicted at most one value per term; the same prediction applies to every rank
   * @throws IllegalArgumentException when a term is predicted twice
   */
  public MemoryComparison compare(List<PredictedTerm> predicted) {
    Map<MemoryTerm, Long> byTerm = new EnumMap<>(MemoryTerm.class);
    for (PredictedTerm p : predicted) {
      if (byTerm.put(p.term(), p.value()) != null) {
        throw new IllegalArgumentException(
            "each term may be predicted once, " + p.term() + " was predicted twice");
      }
    }
    List<MemoryComparison.Row> rows = new ArrayList<>();
    for (RankObservation rank : ranks) {
      for (MemoryTerm term : MemoryTerm.values()) {
        OptionalLong actual = rank.actual(term);
        if (actual.isEmpty()) {
          continue;
        }
        Long p = byTerm.get(term);
        if (p == null) {
          rows.add(
              new MemoryComparison.Row(
                  rank.rank(),
                  term,
                  OptionalLong.empty(),
                  actual.getAsLong(),
                  OptionalLong.empty(),
                  OptionalDouble.empty()));
        } else {
          long difference = actual.getAsLong() - p;
          rows.add(
              new MemoryComparison.Row(
                  rank.rank(),
                  term,
                  OptionalLong.of(p),
                  actual.getAsLong(),
                  OptionalLong.of(difference),
                  p == 0 ? OptionalDouble.empty() : OptionalDouble.of(100.0 * difference / p)));
        }
      }
    }
    return new MemoryComparison(rows);
  }

  private boolean anyMemoryPoolReady() {
    return ranks.stream().anyMatch(r -> r.availAfterPoolBytes().isPresent());
  }

  private List<RankObservation> withRank(StartupEvent event) {
    List<RankObservation> next = new ArrayList<>(ranks.size() + 1);
    boolean found = false;
    for (RankObservation r : ranks) {
      if (r.rank().equals(event.rank())) {
        next.add(r.with(event));
        found = true;
      } else {
        next.add(r);
      }
    }
    if (!found) {
      next.add(RankObservation.empty(event.rank()).with(event));
      next.sort(Comparator.comparing(RankObservation::rank));
    }
    return next;
  }
}
