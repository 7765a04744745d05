package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.launch.process.ChildProcess;
import io.github.sglangpreflight.launch.process.DurationFormat;
import io.github.sglangpreflight.launch.process.SecretMasking;
import io.github.sglangpreflight.units.Units;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started SGLang server: its live {@link StartupObservation}, {@link #awaitHealthy()}, {@link
 * #stop()}. Thread-safe. {@link #close()} stops it, so try-with-resources leaves no process behind.
 */
public final class RunningSglangServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningSglangServer.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final SglangServer server;
  private final AtomicReference<StartupObservation> observation =
      new AtomicReference<>(StartupObservation.empty());
  private final CompletableFuture<StartupObservation.ObservedFailure> fatal =
      new CompletableFuture<>();
  private final AtomicReference<String> lastLine = new AtomicReference<>();
  private final HttpClient http;
  private volatile ChildProcess child;

  private RunningSglangServer(SglangServer server) {
    this.server = server;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(REQUEST_TIMEOUT)
            .proxy(HttpClient.Builder.NO_PROXY)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  static RunningSglangServer start(SglangServer server) throws IOException {
    requirePortFree(server);
    RunningSglangServer running = new RunningSglangServer(server);
    ChildProcess.Builder builder =
        ChildProcess.builder(server.command())
            .name(server.name())
            .gracePeriod(server.gracePeriod())
            .environment(server.environment())
            .pipeLines(running::onLine);
    if (!server.environment().containsKey("PYTHONUNBUFFERED")
        && System.getenv("PYTHONUNBUFFERED") == null) {
      // stdout is a pipe here: without this Python buffers it and lines arrive late
      builder.environment("PYTHONUNBUFFERED", "1");
    }
    server.directory().ifPresent(builder::directory);
    try {
      running.child = builder.start();
    } catch (IOException e) {
      running.http.close();
      throw e;
    }
    return running;
  }

  public long pid() {
    return child.pid();
  }

  /** The URI {@link #awaitHealthy()} polls. */
  public URI healthUri() {
    return server.healthUri();
  }

  /** What the start-up has shown so far; a snapshot, safe to keep. */
  public StartupObservation observation() {
    return observation.get();
  }

  public boolean isAlive() {
    return child.isAlive();
  }

  /** The exit code, once the process has exited. */
  public OptionalInt exitCode() {
    return child.exitCode();
  }

  /** {@link #awaitHealthy(Duration)} with the server's start-up timeout. */
  public void awaitHealthy() throws InterruptedException {
    awaitHealthy(server.startupTimeout());
  }

  /**
   * Returns once {@code GET /health} answers 200. Fails fast, stopping the process tree first, when
   * SGLang prints a fatal start-up failure (CUDA out of memory, "Not enough memory", …), when it
   * exits, or when the timeout passes.
   *
   * @throws SglangStartupException when SGLang failed, exited or timed out; the message quotes the
   *     failure line and says what to change
   * @throws InterruptedException when the waiting thread is interrupted (SGLang keeps running)
   */
  public void awaitHealthy(Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    CompletableFuture<Object> wake = CompletableFuture.anyOf(fatal, child.onExit());
    while (true) {
      if (fatal.isDone()) {
        throw failed(fatal.join());
      }
      if (!child.isAlive()) {
        waitDrained();
        if (fatal.isDone()) {
          throw failed(fatal.join());
        }
        throw exited();
      }
      if (healthy(deadline)) {
        LOG.info(
            "{} - healthy at {} after {} s",
            server.name(),
            healthUri(),
            String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw timedOut(timeout);
      }
      try {
        wake.get(Math.min(server.healthPollInterval().toNanos(), left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // poll again
      }
    }
  }

  /**
   * Stops SGLang and its descendants: SIGTERM, SIGKILL after the grace period.
   *
   * @return the exit code (143 when SIGTERM ended it)
   */
  public int stop() {
    try {
      return child.stop();
    } finally {
      http.close();
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return server.name() + " (pid " + pid() + ", " + healthUri() + ")";
  }

  /**
   * Fails when something already listens where SGLang will: its {@code /health} could answer 200
   * for SGLang. Binding is the check (SO_REUSEADDR, so a port in TIME_WAIT passes); an address this
   * host cannot bind (another machine's) is not checked.
   */
  private static void requirePortFree(SglangServer server) {
    InetAddress address;
    try {
      address = InetAddress.getByName(server.bindHost());
    } catch (UnknownHostException e) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, server.port()));
    } catch (BindException e) {
      if (address.isAnyLocalAddress() || isLocal(address)) {
        throw new InvalidInputException(
            "--port",
            "port "
                + server.port()
                + " on "
                + server.bindHost()
                + " is already in use by another process, whose /health would be taken for"
                + " SGLang's; stop that process or choose another --port");
      }
    } catch (IOException e) {
      LOG.debug("{} - cannot check port {}: {}", server.name(), server.port(), e.toString());
    }
  }

  private static boolean isLocal(InetAddress address) {
    try {
      return address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return false;
    }
  }

  private void onLine(ChildProcess.Output output, String line) {
    Optional<StartupEvent> event = StartupLogParser.parse(line);
    if (event.isPresent()) {
      StartupObservation next = observation.updateAndGet(o -> o.with(event.get()));
      next.firstFatalFailure().ifPresent(fatal::complete);
    }
    if (!line.isBlank()) {
      lastLine.set(line);
    }
    server.outputLogger().atLevel(server.outputLevel()).log("{}", SecretMasking.maskLine(line));
    server.lineConsumer().ifPresent(c -> c.accept(output, line));
  }

  private boolean healthy(long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    Duration timeout = Duration.ofNanos(Math.min(left, REQUEST_TIMEOUT.toNanos()));
    HttpRequest request = HttpRequest.newBuilder(healthUri()).timeout(timeout).GET().build();
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() != 200) {
        LOG.debug("{} - {} answered {}", server.name(), healthUri(), response.statusCode());
      }
      return response.statusCode() == 200;
    } catch (IOException e) {
      LOG.trace("{} - {} not reachable yet: {}", server.name(), healthUri(), e.toString());
      return false;
    }
  }

  private void waitDrained() throws InterruptedException {
    try {
      child.onExit().get();
    } catch (ExecutionException e) {
      // the exit code is read below
    }
  }

  private SglangStartupException failed(StartupObservation.ObservedFailure observed) {
    child.stop();
    StartupEvent.Failure f = observed.failure();
    String line = SecretMasking.maskLine(f.line().strip());
    String mfs = "(now " + currentFraction(f) + ")";
    String at =
        " at start-up ("
            + observed.stage().description()
            + "): \""
            + line
            + (line.endsWith(".") ? "\" " : "\". ");
    String message =
        switch (f.kind()) {
          case NOT_ENOUGH_MEMORY ->
              where()
                  + " failed"
                  + at
                  + "The weights leave no room for the KV cache inside the static pool: raise"
                  + " --mem-fraction-static "
                  + mfs
                  + ", use more GPUs (--tp) or a smaller or quantized model.";
          case NO_MEMORY_FOR_KV_CACHE ->
              where()
                  + " failed"
                  + at
                  + "Raise --mem-fraction-static above "
                  + String.format(Locale.ROOT, "%.3f", f.minimumMemFractionStatic().orElseThrow())
                  + " "
                  + mfs
                  + ", use more GPUs (--tp) or a smaller or quantized model.";
          case MEMORY_CAPACITY_UNBALANCED ->
              where()
                  + " failed"
                  + at
                  + "Some GPUs of the launch have much less free memory than others: stop the other"
                  + " processes on them (nvidia-smi) or choose other GPUs with"
                  + " CUDA_VISIBLE_DEVICES.";
          case CUDA_GRAPH_CAPTURE_FAILED, CUDA_OUT_OF_MEMORY ->
              weightsDoNotFit(observed)
                  ? where()
                      + " ran out of GPU memory"
                      + at
                      + "The weights do not fit on "
                      + gpu(f)
                      + ": use more GPUs (--tp), a quantized checkpoint, or free the GPU;"
                      + " --mem-fraction-static does not change this."
                  : where()
                      + (f.outOfMemory() ? " ran out of GPU memory" : " failed")
                      + at
                      + "Too little memory is left outside the static pool: lower"
                      + " --mem-fraction-static "
                      + mfs
                      + " or --cuda-graph-max-bs.";
        };
    return new SglangStartupException(
        message + " SGLang was stopped.",
        SglangStartupException.Reason.FAILED,
        observation(),
        Optional.of(observed),
        child.exitCode());
  }

  private SglangStartupException exited() {
    int code = child.stop();
    String last = lastLine.get();
    String message =
        where()
            + " exited with code "
            + code
            + " at start-up ("
            + observation().stage().description()
            + ") before "
            + healthUri()
            + " answered 200; "
            + (last == null
                ? "it printed nothing"
                : "its last line was \"" + SecretMasking.maskLine(last.strip()) + "\"");
    return new SglangStartupException(
        message,
        SglangStartupException.Reason.EXITED,
        observation(),
        Optional.empty(),
        OptionalInt.of(code));
  }

  private SglangStartupException timedOut(Duration timeout) {
    child.stop();
    String message =
        where()
            + " did not answer "
            + healthUri()
            + " with 200 within "
            + DurationFormat.seconds(timeout)
            + " (last start-up step: "
            + observation().stage().description()
            + "); SGLang was stopped. Raise the start-up timeout if loading is slow, or see its"
            + " log.";
    return new SglangStartupException(
        message,
        SglangStartupException.Reason.TIMED_OUT,
        observation(),
        Optional.empty(),
        child.exitCode());
  }

  private String where() {
    return "SGLang on port " + server.port() + " (pid " + pid() + ")";
  }

  /** OOM before any memory pool: the weights themselves do not fit. */
  private static boolean weightsDoNotFit(StartupObservation.ObservedFailure observed) {
    return observed.failure().outOfMemory()
        && !observed.afterMemoryPool()
        && observed.stage() == StartupStage.LOADING_WEIGHTS;
  }

  private String currentFraction(StartupEvent.Failure f) {
    if (f.memFractionStatic().isPresent()) {
      return format(f.memFractionStatic().getAsDouble());
    }
    return server.memFractionStatic().isPresent()
        ? format(server.memFractionStatic().getAsDouble())
        : "SGLang's default";
  }

  private static String gpu(StartupEvent.Failure f) {
    if (f.gpuIndex().isEmpty()) {
      return "the GPU";
    }
    return "GPU "
        + f.gpuIndex().getAsInt()
        + (f.totalCapacityBytes().isPresent()
            ? " (" + Units.gib(f.totalCapacityBytes().getAsLong()) + ")"
            : "");
  }

  private static String format(double fraction) {
    String s = String.format(Locale.ROOT, "%.3f", fraction);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }
}
