package io.github.sglangpreflight.launch.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process started from an argv, never through a shell, that cannot outlive the JVM.
 *
 * <ul>
 *   <li>{@link Builder#inheritIo()} (the CLI's {@code exec}): the child shares the JVM's stdin,
 *       stdout and stderr and its process group; SIGINT and SIGTERM received by the JVM are
 *       forwarded (SIGINT only when it did not come from the terminal, which already delivers it to
 *       the whole foreground group); {@link #waitFor()} returns the child's exit code.
 *   <li>{@link Builder#pipeLines(LineConsumer)} (services): stdin is closed, every stdout and
 *       stderr line goes to the consumer on a reader thread per stream; the JVM's own signal
 *       handling is left alone.
 *   <li>{@link Builder#forwardOutput(Writer, Writer, LineConsumer)} (the CLI's {@code exec
 *       --retry-on-oom}): as {@link Builder#inheritIo()} (stdin shared, signals forwarded), but
 *       stdout and stderr pass through pipes: copied as they come to two writers and handed line by
 *       line to a consumer, so that the caller can read the start-up log.
 * </ul>
 *
 * <p>Exit codes follow the shell convention: 128 + the signal number when the child died of a
 * signal (143 for SIGTERM, 137 for SIGKILL). {@link #stop()}, the JVM's exit (normal, {@code
 * System.exit}, uncaught exception, SIGTERM/SIGINT/SIGHUP) and the child's own exit all end with no
 * process of the tree left: the child and its descendants get SIGTERM, then SIGKILL after the grace
 * period. Descendants are found through {@link ProcessHandle#descendants()}, scanned every half
 * second so that re-parented ones are remembered, and on Linux through an environment variable
 * {@code SGLANG_PREFLIGHT_TREE_<id>=1} that the child and its descendants inherit. Only a SIGKILL
 * of the JVM itself escapes this.
 *
 * <p>Thread-safe.
 */
public final class ChildProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

  /** Default time between SIGTERM and SIGKILL. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Prefix of the environment variable each child gets ({@code SGLANG_PREFLIGHT_TREE_<id>=1}): its
   * descendants inherit it, so that they are found on Linux even after re-parenting.
   */
  static final String MARKER_PREFIX = "SGLANG_PREFLIGHT_TREE_";

  /** Which stream of the child a line came from. */
  public enum Output {
    STDOUT,
    STDERR
  }

  /** Receives each line of a piped child, without its terminator, on the stream's reader thread. */
  @FunctionalInterface
  public interface LineConsumer {
    void accept(Output output, String line);
  }

  private final String name;
  private final Process process;
  private final String marker;
  private final Duration gracePeriod;
  private final boolean forwardingSignals;
  private final List<Thread> readers = new ArrayList<>();
  private final Set<ProcessHandle> knownDescendants = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final CompletableFuture<Void> treeStopped = new CompletableFuture<>();
  private final Object stopLock = new Object();
  private boolean stopRequested;

  private ChildProcess(Builder b, Process process, String marker, boolean forwardingSignals) {
    this.name = b.name;
    this.process = process;
    this.marker = marker;
    this.gracePeriod = b.gracePeriod;
    this.forwardingSignals = forwardingSignals;
    if (b.consumer != null) {
      readers.add(reader(Output.STDOUT, process.getInputStream(), b.consumer));
      readers.add(reader(Output.STDERR, process.getErrorStream(), b.consumer));
    } else if (b.forward != null) {
      readers.add(
          copier(Output.STDOUT, process.getInputStream(), b.forward.stdout(), b.forward.lines()));
      readers.add(
          copier(Output.STDERR, process.getErrorStream(), b.forward.stderr(), b.forward.lines()));
    }
  }

  /**
   * A builder for the given argv; {@code command.get(0)} is the program, looked up on the PATH when
   * it has no slash.
   *
   * @throws IllegalArgumentException when the command is empty or its program is blank
   */
  public static Builder builder(List<String> command) {
    return new Builder(command);
  }

  /** The name used in logs: {@link Builder#name(String)}, else the program's file name. */
  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  /** The child's handle, e.g. for {@link ProcessHandle#descendants()}. */
  public ProcessHandle toHandle() {
    return process.toHandle();
  }

  public Duration gracePeriod() {
    return gracePeriod;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code, once the child has exited and its output has been read. */
  public OptionalInt exitCode() {
    return exit.isDone() ? OptionalInt.of(exit.join()) : OptionalInt.empty();
  }

  /**
   * Completes with the exit code once the child has exited, its output has been read (at most 5 s
   * after the exit when a descendant keeps a pipe open) and no descendant is left.
   */
  public CompletableFuture<Integer> onExit() {
    return exit.copy();
  }

  /**
   * Waits for the child to exit.
   *
   * @return the exit code, 128 + signal when it died of a signal
   * @throws InterruptedException when the waiting thread is interrupted (the child keeps running)
   */
  public int waitFor() throws InterruptedException {
    try {
      return exit.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          name + " - waiting for pid " + pid() + " failed", e.getCause());
    }
  }

  /**
   * Waits at most {@code timeout} for the child to exit.
   *
   * @return the exit code, or empty when it is still running
   * @throws InterruptedException when the waiting thread is interrupted (the child keeps running)
   */
  public OptionalInt waitFor(Duration timeout) throws InterruptedException {
    try {
      return OptionalInt.of(exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return OptionalInt.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          name + " - waiting for pid " + pid() + " failed", e.getCause());
    }
  }

  /**
   * Stops the child and its descendants: SIGTERM to all, SIGKILL to those still running after the
   * grace period. Returns once none is left. Idempotent; an interrupt shortens the grace period but
   * never leaves a process behind (the interrupt flag is kept).
   *
   * @return the child's exit code (143 when SIGTERM ended it, 137 for SIGKILL)
   */
  public int stop() {
    boolean first;
    synchronized (stopLock) {
      first = !stopRequested;
      stopRequested = true;
    }
    if (first) {
      try {
        if (process.isAlive()) {
          LOG.info(
              "{} - stopping pid {}: SIGTERM, SIGKILL after {}",
              name,
              pid(),
              DurationFormat.seconds(gracePeriod));
          refreshDescendants();
          List<Long> killed =
              ProcessTree.terminate(name, process.toHandle(), descendantsSeen(), gracePeriod);
          if (!killed.isEmpty()) {
            LOG.warn(
                "{} - pids {} were still running {} after SIGTERM and got SIGKILL",
                name,
                killed,
                DurationFormat.seconds(gracePeriod));
          }
        }
      } finally {
        treeStopped.complete(null);
      }
    }
    try {
      return exit.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw new IllegalStateException(
          name + " - waiting for pid " + pid() + " failed", e.getCause());
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return name + " (pid " + pid() + ")";
  }

  /** Remembers the current descendants, so that they are found after a re-parenting. */
  void refreshDescendants() {
    knownDescendants.removeIf(p -> !p.isAlive());
    if (process.isAlive()) {
      process.descendants().forEach(knownDescendants::add);
    }
  }

  private Thread reader(Output output, InputStream in, LineConsumer consumer) {
    return Thread.ofPlatform()
        .daemon()
        .name(name + "-" + output.name().toLowerCase(java.util.Locale.ROOT))
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  try {
                    consumer.accept(output, line);
                  } catch (RuntimeException e) {
                    LOG.warn(
                        "{} - the line consumer failed on a {} line; continuing", name, output, e);
                  }
                }
              } catch (IOException e) {
                LOG.debug("{} - reading {} ended: {}", name, output, e.toString());
              }
            });
  }

  /**
   * Copies one stream of the child to {@code to} as it comes (flushed after every read) and hands
   * each line, ended by LF, CR or CRLF, to {@code lines}.
   */
  private Thread copier(Output output, InputStream in, Writer to, LineConsumer lines) {
    return Thread.ofPlatform()
        .daemon()
        .name(name + "-" + output.name().toLowerCase(java.util.Locale.ROOT))
        .start(
            () -> {
              StringBuilder line = new StringBuilder();
              boolean afterCr = false;
              char[] buf = new char[8192];
              try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = r.read(buf)) >= 0) {
                  try {
                    to.write(buf, 0, n);
                    to.flush();
                  } catch (IOException e) {
                    LOG.debug("{} - copying {} failed: {}", name, output, e.toString());
                  }
                  for (int i = 0; i < n; i++) {
                    char c = buf[i];
                    if (c == '\n' && afterCr) {
                      afterCr = false;
                      continue;
                    }
                    afterCr = c == '\r';
                    if (c == '\n' || c == '\r') {
                      deliver(lines, output, line.toString());
                      line.setLength(0);
                    } else {
                      line.append(c);
                    }
                  }
                }
                if (!line.isEmpty()) {
                  deliver(lines, output, line.toString());
                }
              } catch (IOException e) {
                LOG.debug("{} - reading {} ended: {}", name, output, e.toString());
              }
            });
  }

  private void deliver(LineConsumer lines, Output output, String line) {
    try {
      lines.accept(output, line);
    } catch (RuntimeException e) {
      LOG.warn("{} - the line consumer failed on a {} line; continuing", name, output, e);
    }
  }

  private void afterExit() {
    try {
      boolean stopping;
      synchronized (stopLock) {
        stopping = stopRequested;
      }
      if (stopping) {
        // stop() is terminating the whole tree; exit completes once it has
        treeStopped.join();
      } else {
        stopLeftovers();
      }
      long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
      for (Thread reader : readers) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          reader.join(Duration.ofNanos(left));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      int code = process.exitValue();
      LOG.info("{} - pid {} exited with code {}", name, pid(), code);
      if (forwardingSignals) {
        SignalForwarder.unregister(this);
      }
      ChildReaper.untrack(this);
      exit.complete(code);
    }
  }

  /** Descendants still running after the child exited on its own get the same SIGTERM/SIGKILL. */
  private void stopLeftovers() {
    List<ProcessHandle> leftovers =
        descendantsSeen().stream().filter(ProcessHandle::isAlive).toList();
    if (leftovers.isEmpty()) {
      return;
    }
    LOG.warn(
        "{} - pid {} exited and left {} descendants running ({}); stopping them",
        name,
        pid(),
        leftovers.size(),
        leftovers.stream().map(ProcessHandle::pid).toList());
    for (ProcessHandle leftover : leftovers) {
      ProcessTree.terminate(name, leftover, List.of(), gracePeriod);
    }
  }

  /** Descendants seen by the scans, plus the processes that inherited the marker. */
  private Set<ProcessHandle> descendantsSeen() {
    Set<ProcessHandle> all = new LinkedHashSet<>(knownDescendants);
    all.addAll(ProcessTree.withMarker(marker));
    all.remove(process.toHandle());
    return all;
  }

  private void watchExit() {
    process
        .onExit()
        .whenComplete(
            (p, e) -> Thread.ofPlatform().daemon().name(name + "-exit").start(this::afterExit));
  }

  private record Forward(Writer stdout, Writer stderr, LineConsumer lines) {}

  /** Configures a {@link ChildProcess}; not thread-safe. */
  public static final class Builder {
    private final List<String> command;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Set<String> removedEnvironment = new LinkedHashSet<>();
    private Optional<Path> directory = Optional.empty();
    private LineConsumer consumer;
    private Forward forward;
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    private Optional<Boolean> forwardSignals = Optional.empty();
    private String name;

    private Builder(List<String> command) {
      Objects.requireNonNull(command, "command");
      this.command = List.copyOf(command);
      if (this.command.isEmpty() || this.command.get(0).isBlank()) {
        throw new IllegalArgumentException("command must start with a program, was " + command);
      }
      this.name = Path.of(this.command.get(0)).getFileName().toString();
    }

    /** Sets one variable on top of the JVM's environment. */
    public Builder environment(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      environment.put(name, value);
      removedEnvironment.remove(name);
      return this;
    }

    /** Sets these variables on top of the JVM's environment. */
    public Builder environment(Map<String, String> overrides) {
      overrides.forEach(this::environment);
      return this;
    }

    /** Leaves this variable of the JVM's environment out of the child's. */
    public Builder removeEnvironment(String name) {
      Objects.requireNonNull(name, "name");
      environment.remove(name);
      removedEnvironment.add(name);
      return this;
    }

    /** The working directory; the JVM's when not set. */
    public Builder directory(Path directory) {
      this.directory = Optional.of(directory);
      return this;
    }

    /** The child shares the JVM's stdin, stdout and stderr (the default). */
    public Builder inheritIo() {
      this.consumer = null;
      this.forward = null;
      return this;
    }

    /** The child's stdout and stderr lines go to {@code consumer}; its stdin is closed. */
    public Builder pipeLines(LineConsumer consumer) {
      this.consumer = Objects.requireNonNull(consumer, "consumer");
      this.forward = null;
      return this;
    }

    /**
     * The child shares the JVM's stdin, and signals are forwarded as with {@link #inheritIo()}; its
     * stdout and stderr go through pipes, are copied as they come (decoded as UTF-8) to {@code
     * stdout} and {@code stderr}, and each line is handed to {@code lines}. The child sees pipes
     * rather than the terminal.
     */
    public Builder forwardOutput(Writer stdout, Writer stderr, LineConsumer lines) {
      this.forward =
          new Forward(
              Objects.requireNonNull(stdout, "stdout"),
              Objects.requireNonNull(stderr, "stderr"),
              Objects.requireNonNull(lines, "lines"));
      this.consumer = null;
      return this;
    }

    /**
     * Time between SIGTERM and SIGKILL when stopping; default {@link #DEFAULT_GRACE_PERIOD}.
     *
     * @throws IllegalArgumentException when negative
     */
    public Builder gracePeriod(Duration gracePeriod) {
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod must not be negative, was " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /**
     * Whether SIGINT/SIGTERM received by the JVM are forwarded to an {@link #inheritIo()} child
     * (default true). While such a child runs these signals no longer start the JVM's own shutdown:
     * the JVM ends when its caller does, typically after {@link #waitFor()} returned the child's
     * exit code. Piped children are never forwarded to: a service keeps its own signal handling,
     * and its shutdown hook stops them.
     */
    public Builder forwardSignals(boolean forward) {
      this.forwardSignals = Optional.of(forward);
      return this;
    }

    /** The name in log lines and thread names. */
    public Builder name(String name) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
      return this;
    }

    /**
     * Starts the child.
     *
     * @throws IOException when the program cannot be started (not found, not executable); the
     *     message names it
     */
    public ChildProcess start() throws IOException {
      String marker = MARKER_PREFIX + UUID.randomUUID().toString().replace("-", "");
      ProcessBuilder pb = new ProcessBuilder(command);
      Map<String, String> env = pb.environment();
      removedEnvironment.forEach(env::remove);
      env.putAll(environment);
      env.put(marker, "1");
      directory.ifPresent(d -> pb.directory(d.toFile()));
      if (forward != null) {
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
      } else if (consumer == null) {
        pb.inheritIO();
      } else {
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
      }
      // the hook and the signal handlers are in place before the child exists, so that no
      // signal or JVM exit can fall between its start and its registration
      ChildReaper.beginStart(name);
      boolean forwarding =
          consumer == null && forwardSignals.orElse(true) && SignalForwarder.prepare(name);
      Process process;
      try {
        process = pb.start();
      } catch (IOException | RuntimeException e) {
        ChildReaper.abandonStart();
        if (forwarding) {
          SignalForwarder.abandon(name);
        }
        throw new IOException(
            "cannot start " + SecretMasking.commandLine(command) + ": " + e.getMessage(), e);
      }
      ChildProcess child = new ChildProcess(this, process, marker, forwarding);
      ChildReaper.track(child);
      if (forwarding) {
        SignalForwarder.register(child);
      }
      child.watchExit();
      if (consumer != null) {
        process.getOutputStream().close();
      }
      LOG.info("{} - started pid {}: {}", name, process.pid(), SecretMasking.commandLine(command));
      if (!environment.isEmpty() || !removedEnvironment.isEmpty()) {
        LOG.debug(
            "{} - environment overrides {} removed {}",
            name,
            environment.keySet(),
            removedEnvironment);
      }
      return child;
    }
  }
}
