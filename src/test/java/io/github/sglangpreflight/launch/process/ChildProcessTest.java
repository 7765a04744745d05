package io.github.sglangpreflight.launch.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.sglangpreflight.launch.LaunchResources;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes: {@code sh} one-liners, {@code tree.py} (a python3 process tree that reports its
 * pids and signals) and child JVMs running {@link ChildProcessTestMain}. Every test records the
 * pids it created and kills whatever is left in {@link #killLeftovers()}, so a failing test leaves
 * nothing running either. No wall-clock assertion: timeouts only bound a hung test.
 */
@Timeout(120)
class ChildProcessTest {
  /** Resets SIGINT/SIGTERM/SIGHUP to their defaults and execs the rest of the argv. */
  private static final String EXEC_WITH_DEFAULT_SIGNALS =
      "import os, signal, sys\n"
          + "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
          + "    signal.signal(s, signal.SIG_DFL)\n"
          + "os.execv(sys.argv[1], sys.argv[1:])\n";

  private static final Pattern PID_LINE = Pattern.compile("(?:\\^C)?pid (\\d+)");

  private final List<Long> created = new CopyOnWriteArrayList<>();
  private final List<Process> jvms = new ArrayList<>();
  private final List<ChildProcess> children = new CopyOnWriteArrayList<>();

  @TempDir Path temp;

  @AfterEach
  void killLeftovers() {
    for (ChildProcess child : children) {
      child.stop();
    }
    for (Process jvm : jvms) {
      jvm.descendants().forEach(ProcessHandle::destroyForcibly);
      jvm.destroyForcibly();
    }
    for (long pid : created) {
      ProcessHandle.of(pid)
          .ifPresent(
              p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
              });
    }
  }

  // --- in this JVM -------------------------------------------------------------------------

  @Test
  void waitFor_exitCode_passesThrough() throws Exception {
    ChildProcess child = piped(List.of("sh", "-c", "exit 7"), new ArrayList<>());
    assertEquals(7, child.waitFor());
    assertEquals(OptionalInt.of(7), child.exitCode());
  }

  @Test
  void waitFor_childKilledBySigterm_returns143() throws Exception {
    ChildProcess child = piped(List.of("sh", "-c", "kill -TERM $$"), new ArrayList<>());
    assertEquals(143, child.waitFor());
  }

  @Test
  void waitFor_childKilledBySigkill_returns137() throws Exception {
    ChildProcess child = piped(List.of("sh", "-c", "kill -KILL $$"), new ArrayList<>());
    assertEquals(137, child.waitFor());
  }

  @Test
  void waitFor_inheritedStdio_returnsTheExitCode() throws Exception {
    ChildProcess child =
        ChildProcess.builder(List.of("sh", "-c", "exit 5"))
            .inheritIo()
            .forwardSignals(false)
            .start();
    assertEquals(5, child.waitFor());
  }

  @Test
  void waitFor_shortTimeoutOnRunningChild_isEmptyAndChildRuns() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    ChildProcess child = piped(List.of("python3", treePy()), lines);
    awaitPids(lines, 1);
    assertEquals(OptionalInt.empty(), child.waitFor(Duration.ofMillis(10)));
    assertTrue(child.isAlive());
    child.stop();
  }

  @Test
  void pipeLines_stdoutAndStderr_reachTheConsumerInOrderPerStream() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ChildProcess child =
        ChildProcess.builder(
                List.of("sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2"))
            .pipeLines((output, line) -> seen.add(output + " " + line))
            .start();
    assertEquals(0, child.waitFor());
    assertEquals(
        List.of("STDOUT out1", "STDOUT out2"),
        seen.stream().filter(s -> s.startsWith("STDOUT")).toList());
    assertEquals(
        List.of("STDERR err1", "STDERR err2"),
        seen.stream().filter(s -> s.startsWith("STDERR")).toList());
  }

  @Test
  void pipeLines_consumerThrows_keepsReading() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ChildProcess child =
        ChildProcess.builder(List.of("sh", "-c", "echo bad; echo good"))
            .pipeLines(
                (output, line) -> {
                  if (line.equals("bad")) {
                    throw new IllegalStateException("consumer fails on purpose");
                  }
                  seen.add(line);
                })
            .start();
    assertEquals(0, child.waitFor());
    assertEquals(List.of("good"), seen);
  }

  @Test
  void start_environmentOverridesAndRemovals_reachTheChild() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ChildProcess child =
        ChildProcess.builder(List.of("sh", "-c", "echo \"$PREFLIGHT_A|${HOME:-unset}\"; pwd"))
            .environment(Map.of("PREFLIGHT_A", "a b"))
            .removeEnvironment("HOME")
            .directory(temp)
            .pipeLines((output, line) -> seen.add(line))
            .start();
    assertEquals(0, child.waitFor());
    assertEquals(List.of("a b|unset", temp.toRealPath().toString()), seen);
  }

  @Test
  void start_missingProgram_throwsNamingIt() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> ChildProcess.builder(List.of("/nonexistent/sglang", "--api-key", "k")).start());
    assertTrue(
        e.getMessage().startsWith("cannot start /nonexistent/sglang --api-key ***: "),
        e.getMessage());
  }

  @Test
  void builder_emptyCommand_throws() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ChildProcess.builder(List.of()));
    assertEquals("command must start with a program, was []", e.getMessage());
  }

  @Test
  void stop_treeThatExitsOnSigterm_leavesNoProcess() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    ChildProcess child = piped(List.of("python3", treePy(), "--children", "2"), lines);
    List<Long> pids = awaitPids(lines, 3);
    assertEquals(143, child.stop());
    assertNoneAlive(pids);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("got SIGTERM")), lines.toString());
  }

  @Test
  void stop_grandchildIgnoresSigterm_isKilledAfterTheGracePeriod() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    ChildProcess child =
        ChildProcess.builder(List.of("python3", treePy(), "--children", "1", "--ignore-term"))
            .gracePeriod(Duration.ofMillis(500))
            .pipeLines((output, line) -> lines.add(line))
            .start();
    created.add(child.pid());
    List<Long> pids = awaitPids(lines, 2);
    assertEquals(137, child.stop());
    assertNoneAlive(pids);
  }

  @Test
  void stop_calledTwice_returnsTheSameCode() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    ChildProcess child = piped(List.of("python3", treePy()), lines);
    awaitPids(lines, 1);
    int first = child.stop();
    assertEquals(first, child.stop());
    child.close();
    assertFalse(child.isAlive());
  }

  @Test
  void exit_childLeavesADescendantBehind_descendantIsStopped() throws Exception {
    Path go = temp.resolve("go");
    List<String> lines = new CopyOnWriteArrayList<>();
    ChildProcess child =
        piped(
            List.of(
                "sh",
                "-c",
                "sleep 300 & echo \"pid $!\"; while [ ! -e \"$1\" ]; do sleep 0.05; done",
                "sh",
                go.toString()),
            lines);
    List<Long> pids = awaitPids(lines, 1);
    child.refreshDescendants(); // what the reaper's scan does every half second
    Files.writeString(go, "");
    assertEquals(0, child.waitFor());
    assertNoneAlive(pids);
  }

  @Test
  void exit_childKilledBeforeAnyScan_grandchildIsFoundByItsMarkerAndStopped() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    ChildProcess child =
        piped(List.of("sh", "-c", "sleep 300 & echo \"pid $!\"; exec sleep 300"), lines);
    List<Long> pids = awaitPids(lines, 1);
    child.toHandle().destroyForcibly(); // killed from outside, as by the kernel's OOM killer
    assertEquals(137, child.waitFor());
    assertNoneAlive(pids);
  }

  // --- in a child JVM ----------------------------------------------------------------------

  @Test
  void exec_jvmGetsSigterm_childTreeGetsItAndJvmExitsWithChildsCode() throws Exception {
    Process jvm = startJvm("exec", "5000", "python3", treePy(), "--children", "1");
    BufferedReader out = reader(jvm);
    List<Long> pids = readPids(out, 2);
    jvm.toHandle().destroy(); // SIGTERM, as docker stop (Process.destroy would close our pipes)
    List<String> after = readAll(out);
    assertEquals(143, jvm.waitFor());
    assertTrue(after.contains("got SIGTERM in pid " + pids.get(0)), after.toString());
    assertNoneAlive(pids);
  }

  @Test
  void exec_jvmGetsSigintWithoutTerminal_forwardsItOnce() throws Exception {
    Process jvm = startJvm("exec", "5000", "python3", treePy());
    BufferedReader out = reader(jvm);
    List<Long> pids = readPids(out, 1);
    Process kill = new ProcessBuilder("kill", "-s", "INT", Long.toString(jvm.pid())).start();
    assertEquals(0, kill.waitFor());
    List<String> after = readAll(out);
    assertEquals(130, jvm.waitFor());
    assertEquals(List.of("got SIGINT in pid " + pids.get(0)), after);
    assertNoneAlive(pids);
  }

  @Test
  void exec_ctrlCOnATerminal_reachesTheChildOnceNotTwice() throws Exception {
    // util-linux script(1) gives the JVM a pseudo-terminal; ETX (Ctrl-C) written to it makes the
    // terminal send SIGINT to the whole foreground group: the JVM and its child
    assumeTrue(commandWorks("script", "--version"), "script(1) from util-linux is not installed");
    String java = ProcessHandle.current().info().command().orElseThrow();
    String jvm =
        String.join(
            " ",
            java,
            "--enable-native-access=ALL-UNNAMED",
            // keep the JVM's log lines off the terminal the test reads
            "-Dorg.slf4j.simpleLogger.logFile=" + temp.resolve("jvm.log"),
            "-cp",
            System.getProperty("java.class.path"),
            ChildProcessTestMain.class.getName(),
            "exec",
            "5000",
            "python3",
            treePy(),
            "--linger",
            "2");
    Process script =
        new ProcessBuilder("script", "-qfec", jvm, "/dev/null")
            .redirectError(temp.resolve("script.stderr").toFile())
            .start();
    jvms.add(script);
    BufferedReader out = reader(script);
    List<Long> pids = readPids(out, 1);
    try (OutputStream in = script.getOutputStream()) {
      in.write(3);
      in.flush();
      List<String> after = readAll(out);
      assertEquals(
          1,
          after.stream().filter(l -> l.contains("got SIGINT in pid " + pids.get(0))).count(),
          after.toString());
    }
    assertEquals(130, script.waitFor());
    assertNoneAlive(pids);
  }

  @Test
  void exec_childExitCode_isTheJvmExitCode() throws Exception {
    Process jvm = startJvm("exec", "5000", "sh", "-c", "exit 42");
    readAll(reader(jvm));
    assertEquals(42, jvm.waitFor());
  }

  @Test
  void jvmExit_mainReturns_childTreeIsStopped() throws Exception {
    assertJvmExitStopsTree("piped-return", false, 0);
  }

  @Test
  void jvmExit_uncaughtException_childTreeIsStopped() throws Exception {
    assertJvmExitStopsTree("piped-throw", false, 1);
  }

  @Test
  void jvmExit_systemExit_childTreeIsStopped() throws Exception {
    assertJvmExitStopsTree("piped-exit", false, 3);
  }

  @Test
  void jvmExit_sigtermToServiceJvm_childTreeIsStopped() throws Exception {
    assertJvmExitStopsTree("piped-return", true, 143);
  }

  @Test
  void jvmExit_grandchildIgnoresSigterm_isKilledAfterTheGracePeriod() throws Exception {
    Process jvm =
        startJvm("piped-return", "500", "python3", treePy(), "--children", "1", "--ignore-term");
    BufferedReader out = reader(jvm);
    List<Long> pids = readPids(out, 2);
    jvm.getOutputStream().close();
    readAll(out);
    assertEquals(0, jvm.waitFor());
    assertNoneAlive(pids);
  }

  // --- helpers -----------------------------------------------------------------------------

  private void assertJvmExitStopsTree(String mode, boolean sigterm, int expectedJvmCode)
      throws Exception {
    Process jvm = startJvm(mode, "5000", "python3", treePy(), "--children", "1");
    BufferedReader out = reader(jvm);
    List<Long> pids = readPids(out, 2);
    if (sigterm) {
      jvm.toHandle().destroy();
    } else {
      try (OutputStream in = jvm.getOutputStream()) {
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
      }
    }
    readAll(out);
    assertEquals(expectedJvmCode, jvm.waitFor());
    assertNoneAlive(pids);
  }

  private ChildProcess piped(List<String> command, List<String> lines) throws IOException {
    ChildProcess child =
        ChildProcess.builder(command)
            .gracePeriod(Duration.ofSeconds(5))
            .pipeLines((output, line) -> lines.add(line))
            .start();
    children.add(child);
    created.add(child.pid());
    return child;
  }

  private Process startJvm(String... mainArgs) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> command = new ArrayList<>();
    command.addAll(List.of("python3", "-c", EXEC_WITH_DEFAULT_SIGNALS, java));
    command.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            ChildProcessTestMain.class.getName()));
    command.addAll(List.of(mainArgs));
    Process jvm =
        new ProcessBuilder(command)
            .redirectError(temp.resolve("jvm-" + jvms.size() + ".stderr").toFile())
            .start();
    jvms.add(jvm);
    created.add(jvm.pid());
    return jvm;
  }

  private static BufferedReader reader(Process jvm) {
    return new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Reads {@code pid N} lines until {@code count} were seen. */
  private List<Long> readPids(BufferedReader out, int count) throws IOException {
    List<Long> pids = new ArrayList<>();
    while (pids.size() < count) {
      String line = out.readLine();
      if (line == null) {
        throw new AssertionError("the child JVM ended its output after pids " + pids);
      }
      Matcher m = PID_LINE.matcher(line.strip());
      if (m.matches()) {
        long pid = Long.parseLong(m.group(1));
        pids.add(pid);
        created.add(pid);
      }
    }
    return pids;
  }

  private static List<String> readAll(BufferedReader out) throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = out.readLine()) != null) {
      lines.add(line);
    }
    return lines;
  }

  private List<Long> awaitPids(List<String> lines, int count) throws InterruptedException {
    while (true) {
      List<Long> pids =
          lines.stream()
              .filter(l -> l.startsWith("pid "))
              .map(l -> Long.parseLong(l.substring(4).strip()))
              .toList();
      if (pids.size() >= count) {
        created.addAll(pids);
        return pids;
      }
      Thread.sleep(20);
    }
  }

  private static boolean commandWorks(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void assertNoneAlive(List<Long> pids) {
    for (long pid : pids) {
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      assertFalse(p.isPresent() && p.get().isAlive(), "pid " + pid + " is still running");
    }
  }

  private static String treePy() {
    return LaunchResources.path("tree.py").toString();
  }
}
