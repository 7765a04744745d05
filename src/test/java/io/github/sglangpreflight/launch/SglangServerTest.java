package io.github.sglangpreflight.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.testing.RecordingLogger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

/**
 * {@link SglangServer} against {@code fake_sglang_server.py} (python3, standard library), which
 * prints lines of the reconstructed dataset logs and serves {@code /health}, and against {@code sh}
 * one-liners for the failure messages. Each test takes a free port; every process is stopped in
 * {@link #stopAll()} whatever the outcome. No wall-clock assertion.
 */
@Timeout(180)
class SglangServerTest {
  private static final Duration GENEROUS = Duration.ofSeconds(90);
  private static final Pattern SCHEDULER_PID =
      Pattern.compile("fake-sglang: scheduler process pid (\\d+)");

  private final List<RunningSglangServer> started = new ArrayList<>();
  private final List<Long> pids = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopAll() {
    for (RunningSglangServer server : started) {
      server.close();
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  // --- against the fake server -------------------------------------------------------------

  @Test
  void awaitHealthy_okScenario_returnsWithEveryTermObserved() throws Exception {
    int port = freePort();
    RunningSglangServer server = start(fake(port, "ok").build());
    server.awaitHealthy(GENEROUS);
    // /health may answer before the reader thread has handed over the last lines
    while (!server.observation().ready()) {
      Thread.sleep(20);
    }

    StartupObservation o = server.observation();
    assertTrue(o.ready());
    assertEquals(Optional.of("http://127.0.0.1:" + port), o.listeningUrl());
    RankObservation tp0 = o.rank(Rank.parse("TP0")).orElseThrow();
    List<MemoryTerm> expected = new ArrayList<>(Arrays.asList(MemoryTerm.values()));
    // no public log of the dataset shows "Init torch distributed ends"
    expected.remove(MemoryTerm.TORCH_DISTRIBUTED);
    List<PredictedTerm> predicted = new ArrayList<>();
    for (MemoryTerm term : expected) {
      assertTrue(tp0.actual(term).isPresent(), term + " not observed");
      predicted.add(new PredictedTerm(term, term == MemoryTerm.KV_TOKENS ? 440000 : 1L << 30));
    }
    MemoryComparison comparison = o.compare(predicted);
    assertEquals(expected, comparison.rows().stream().map(MemoryComparison.Row::term).toList());
    for (MemoryTerm term : expected) {
      assertTrue(comparison.toText().contains("TP0   " + term.label()), comparison.toText());
    }
    long fakePid = server.pid();
    assertEquals(0, server.stop());
    assertNoneAlive(fakePid);
  }

  @Test
  void awaitHealthy_oomAtGraphCapture_failsFastQuotingTheLineAndLeavesNoProcess() throws Exception {
    int port = freePort();
    RunningSglangServer server =
        start(fake(port, "oom-at-graph", "--mem-fraction-static", "0.88").build());
    SglangStartupException e =
        assertThrows(SglangStartupException.class, () -> server.awaitHealthy(GENEROUS));
    assertEquals(
        "SGLang on port "
            + port
            + " (pid "
            + server.pid()
            + ") ran out of GPU memory at start-up (capturing CUDA graphs): \"Exception: Capture"
            + " cuda graph failed: CUDA out of memory. Tried to allocate 448.00 MiB. GPU 7 has a"
            + " total capacity of 95.00 GiB\". Too little memory is left outside the static pool:"
            + " lower --mem-fraction-static (now 0.88) or --cuda-graph-max-bs. SGLang was"
            + " stopped.",
        e.getMessage());
    assertEquals(SglangStartupException.Reason.FAILED, e.reason());
    assertEquals(
        StartupFailureKind.CUDA_GRAPH_CAPTURE_FAILED, e.failure().orElseThrow().failure().kind());
    assertFalse(server.isAlive());
    assertNoneAlive(server.pid());
  }

  @Test
  void awaitHealthy_notEnoughMemoryThenExit_failsWithRaiseAdvice() throws Exception {
    int port = freePort();
    RunningSglangServer server = start(fake(port, "not-enough-memory").build());
    SglangStartupException e =
        assertThrows(SglangStartupException.class, () -> server.awaitHealthy(GENEROUS));
    assertEquals(
        "SGLang on port "
            + port
            + " (pid "
            + server.pid()
            + ") failed at start-up (weights loaded): \"RuntimeError: Not enough memory. Please"
            + " try to increase --mem-fraction-static.\" The weights leave no room for the KV"
            + " cache inside the static pool: raise --mem-fraction-static (now SGLang's default),"
            + " use more GPUs (--tp) or a smaller or quantized model. SGLang was stopped.",
        e.getMessage());
    assertEquals(SglangStartupException.Reason.FAILED, e.reason());
    assertNoneAlive(server.pid());
  }

  @Test
  void awaitHealthy_hangDuringCapture_timesOutNamingTheStepAndLeavesNoProcess() throws Exception {
    int port = freePort();
    RunningSglangServer server = start(fake(port, "hang").build());
    while (server.observation().stage() != StartupStage.CAPTURING_GRAPHS) {
      assertTrue(server.isAlive(), "the fake server died");
      Thread.sleep(50);
    }
    SglangStartupException e =
        assertThrows(
            SglangStartupException.class, () -> server.awaitHealthy(Duration.ofSeconds(2)));
    assertEquals(
        "SGLang on port "
            + port
            + " (pid "
            + server.pid()
            + ") did not answer http://127.0.0.1:"
            + port
            + "/health with 200 within 2 s (last start-up step: capturing CUDA graphs); SGLang"
            + " was stopped. Raise the start-up timeout if loading is slow, or see its log.",
        e.getMessage());
    assertEquals(SglangStartupException.Reason.TIMED_OUT, e.reason());
    assertNoneAlive(server.pid());
  }

  @Test
  void stop_serverAndSchedulerIgnoreSigterm_areKilledAfterTheGracePeriod() throws Exception {
    int port = freePort();
    RunningSglangServer server =
        start(fake(port, "ignore-sigterm").gracePeriod(Duration.ofMillis(500)).build());
    server.awaitHealthy(GENEROUS);
    assertEquals(137, server.stop());
    assertNoneAlive(server.pid());
  }

  @Test
  void start_outputLines_reachConsumerAsPrintedAndLoggerWithKeysMasked() throws Exception {
    int port = freePort();
    RecordingLogger logger = new RecordingLogger("sglang.test");
    List<String> consumed = new CopyOnWriteArrayList<>();
    RunningSglangServer server =
        start(
            fake(port, "ok", "--api-key", "sk-test-secret")
                .logger(logger)
                .outputLevel(Level.DEBUG)
                .lineConsumer((output, line) -> consumed.add(line))
                .build());
    server.awaitHealthy(GENEROUS);
    server.stop();

    assertTrue(consumed.stream().anyMatch(l -> l.contains("api_key='sk-test-secret'")));
    assertTrue(
        logger.entries().stream()
            .anyMatch(e -> e.level() == Level.DEBUG && e.message().contains("api_key='***'")),
        logger.entries().toString());
    assertTrue(logger.entries().stream().noneMatch(e -> e.message().contains("sk-test-secret")));
    assertTrue(
        logger.entries().stream()
            .anyMatch(e -> e.message().endsWith("The server is fired up and ready to roll!")));
  }

  // --- failure messages, with sh printing the lines ----------------------------------------

  @Test
  void awaitHealthy_oomWhileLoadingWeights_saysTheWeightsDoNotFit() throws Exception {
    int port = freePort();
    RunningSglangServer server =
        start(
            printThenSleep(
                    port,
                    "[2025-11-02 10:00:00] Load weight begin. avail mem=23.20 GB",
                    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 32.00 MiB. GPU"
                        + " 0 has a total capacity of 23.52 GiB")
                .build());
    SglangStartupException e =
        assertThrows(SglangStartupException.class, () -> server.awaitHealthy(GENEROUS));
    assertEquals(
        "SGLang on port "
            + port
            + " (pid "
            + server.pid()
            + ") ran out of GPU memory at start-up (loading the weights):"
            + " \"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 32.00 MiB. GPU 0"
            + " has a total capacity of 23.52 GiB\". The weights do not fit on GPU 0 (23.52 GiB):"
            + " use more GPUs (--tp), a quantized checkpoint, or free the GPU;"
            + " --mem-fraction-static does not change this. SGLang was stopped.",
        e.getMessage());
  }

  @Test
  void awaitHealthy_noMemoryForKvCache_givesSglangsMinimumFraction() throws Exception {
    int port = freePort();
    RunningSglangServer server =
        start(
            printThenSleep(
                    port,
                    "[2026-08-10 10:00:00] Load weight end. elapsed=9.10 s, type=X, avail mem=10.00"
                        + " GB, mem usage=70.00 GB.",
                    "ValueError: Loaded weights leave no GPU memory for the KV cache under"
                        + " --mem-fraction-static=0.85. Raise --mem-fraction-static above 0.912"
                        + " (minimum viable = 1 - available/pre = 0.9114). If using speculative"
                        + " decoding, draft weights are now counted.")
                .build());
    SglangStartupException e =
        assertThrows(SglangStartupException.class, () -> server.awaitHealthy(GENEROUS));
    assertTrue(
        e.getMessage()
            .endsWith(
                " If using speculative decoding, draft weights are now counted.\" Raise"
                    + " --mem-fraction-static above 0.912 (now 0.85), use more GPUs (--tp) or a"
                    + " smaller or quantized model. SGLang was stopped."),
        e.getMessage());
  }

  @Test
  void awaitHealthy_unbalancedMemoryRaised_pointsAtOtherProcesses() throws Exception {
    int port = freePort();
    RunningSglangServer server =
        start(
            printThenSleep(
                    port,
                    "ValueError: The memory capacity is unbalanced. Some GPUs may be occupied by"
                        + " other processes.")
                .build());
    SglangStartupException e =
        assertThrows(SglangStartupException.class, () -> server.awaitHealthy(GENEROUS));
    assertEquals(
        "SGLang on port "
            + port
            + " (pid "
            + server.pid()
            + ") failed at start-up (no start-up line seen yet): \"ValueError: The memory capacity"
            + " is unbalanced. Some GPUs may be occupied by other processes.\" Some GPUs of the"
            + " launch have much less free memory than others: stop the other processes on them"
            + " (nvidia-smi) or choose other GPUs with CUDA_VISIBLE_DEVICES. SGLang was stopped.",
        e.getMessage());
  }

  @Test
  void awaitHealthy_exitWithoutKnownFailure_givesCodeAndLastLine() throws Exception {
    int port = freePort();
    RunningSglangServer server =
        start(
            SglangServer.builder(
                    List.of(
                        "sh",
                        "-c",
                        "echo starting >&2; echo 'boom: no module named x' >&2; exit 3"))
                .port(port)
                .build());
    SglangStartupException e =
        assertThrows(SglangStartupException.class, () -> server.awaitHealthy(GENEROUS));
    assertEquals(
        "SGLang on port "
            + port
            + " (pid "
            + server.pid()
            + ") exited with code 3 at start-up (no start-up line seen yet) before"
            + " http://127.0.0.1:"
            + port
            + "/health answered 200; its last line was \"boom: no module named x\"",
        e.getMessage());
    assertEquals(SglangStartupException.Reason.EXITED, e.reason());
    assertEquals(3, e.exitCode().orElseThrow());
  }

  @Test
  void start_portAlreadyListenedOn_throwsBeforeStartingAnything() throws Exception {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = other.getLocalPort();
      SglangServer server = fake(port, "ok").build();
      InvalidInputException e = assertThrows(InvalidInputException.class, server::start);
      assertEquals("--port", e.input());
      assertEquals(
          "port "
              + port
              + " on 127.0.0.1 is already in use by another process, whose /health would be taken"
              + " for SGLang's; stop that process or choose another --port",
          e.getMessage());
    }
  }

  // --- builder -----------------------------------------------------------------------------

  @Test
  void build_noPortOrHost_usesSglangDefaults() {
    SglangServer s = SglangServer.builder(List.of("python3", "-m", "sglang.launch_server")).build();
    assertEquals(30000, s.port());
    assertEquals(URI.create("http://127.0.0.1:30000/health"), s.healthUri());
  }

  @Test
  void build_portAndWildcardHostInCommand_pollsLoopbackOnThatPort() {
    assertEquals(
        URI.create("http://127.0.0.1:8123/health"),
        SglangServer.builder(List.of("sglang", "--host", "0.0.0.0", "--port=8123"))
            .build()
            .healthUri());
    assertEquals(
        URI.create("http://[::1]:8124/ready"),
        SglangServer.builder(List.of("sglang", "--host=::", "--port", "8124"))
            .healthPath("/ready")
            .build()
            .healthUri());
  }

  @Test
  void build_badPortInCommand_throwsInvalidInputNamingTheFlag() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> SglangServer.builder(List.of("sglang", "--port", "http")).build());
    assertEquals("--port", e.input());
    assertEquals("--port value was 'http', must be a whole number from 1 to 65535", e.getMessage());
  }

  @Test
  void build_portDiffersFromCommand_throws() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> SglangServer.builder(List.of("sglang", "--port", "30001")).port(8080).build());
    assertEquals(
        "port 8080 differs from --port 30001 in the command; SGLang listens on the command's port",
        e.getMessage());
  }

  @Test
  void builder_invalidSettings_throwNamingThem() {
    SglangServer.Builder b = SglangServer.builder(List.of("sglang"));
    assertEquals(
        "healthPath must start with /, was 'health'",
        assertThrows(IllegalArgumentException.class, () -> b.healthPath("health")).getMessage());
    assertEquals(
        "startupTimeout must be positive, was PT0S",
        assertThrows(IllegalArgumentException.class, () -> b.startupTimeout(Duration.ZERO))
            .getMessage());
    assertEquals(
        "port must be from 1 to 65535, was 0",
        assertThrows(IllegalArgumentException.class, () -> b.port(0)).getMessage());
  }

  // --- helpers -----------------------------------------------------------------------------

  private RunningSglangServer start(SglangServer server) throws IOException {
    RunningSglangServer running = server.start();
    started.add(running);
    pids.add(running.pid());
    return running;
  }

  /** The fake server on {@code port}; scheduler pids it reports are recorded for cleanup. */
  private SglangServer.Builder fake(int port, String scenario, String... extra) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "python3",
            LaunchResources.path("fake_sglang_server.py").toString(),
            "--model-path",
            "fake/Llama-3.1-8B-Instruct",
            "--port",
            Integer.toString(port),
            "--scenario",
            scenario));
    command.addAll(List.of(extra));
    return SglangServer.builder(command)
        .healthPollInterval(Duration.ofMillis(100))
        .gracePeriod(Duration.ofSeconds(5))
        .lineConsumer(
            (output, line) -> {
              Matcher m = SCHEDULER_PID.matcher(line);
              if (m.matches()) {
                pids.add(Long.parseLong(m.group(1)));
              }
            });
  }

  /** {@code sh} printing these lines on stderr, then sleeping. */
  private static SglangServer.Builder printThenSleep(int port, String... lines) {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "sh",
            "-c",
            "for l in \"$@\"; do printf '%s\\n' \"$l\" >&2; done; exec sleep 300",
            "sh"));
    command.addAll(List.of(lines));
    return SglangServer.builder(command).port(port).healthPollInterval(Duration.ofMillis(100));
  }

  /** The server's process and every scheduler process it reported are gone. */
  private void assertNoneAlive(long serverPid) {
    List<Long> all = new ArrayList<>(pids);
    all.add(serverPid);
    for (long pid : all) {
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      assertFalse(p.isPresent() && p.get().isAlive(), "pid " + pid + " is still running");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
