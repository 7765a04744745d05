package io.github.sglangpreflight.launch.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Terminates a process with its descendants: SIGTERM to all, then SIGKILL after a grace period. */
final class ProcessTree {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);
  private static final long POLL_MILLIS = 50;
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);
  private static final Path PROC = Path.of("/proc");

  private ProcessTree() {}

  /**
   * The alive members of a tree: the root, its descendants, and processes known to have been its
   * descendants (re-parented when their parent died) with theirs.
   */
  static List<ProcessHandle> aliveMembers(ProcessHandle root, Collection<ProcessHandle> known) {
    Set<ProcessHandle> members = new LinkedHashSet<>();
    List<ProcessHandle> tops = new ArrayList<>();
    tops.add(root);
    tops.addAll(known);
    for (ProcessHandle top : tops) {
      if (top.isAlive()) {
        members.add(top);
      }
      top.descendants().filter(ProcessHandle::isAlive).forEach(members::add);
    }
    return new ArrayList<>(members);
  }

  /**
   * SIGTERM to every alive member (the root first), waits up to {@code grace} for all to exit
   * (descendants spawned meanwhile included), then SIGKILL to the survivors. An interrupt cuts the
   * grace period short but not the SIGKILL; the interrupt flag is restored.
   *
   * @return the pids that needed SIGKILL
   */
  static List<Long> terminate(
      String name, ProcessHandle root, Collection<ProcessHandle> known, Duration grace) {
    boolean interrupted = false;
    List<ProcessHandle> members = aliveMembers(root, known);
    for (ProcessHandle p : members) {
      p.destroy();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    List<ProcessHandle> alive = members;
    while (!alive.isEmpty() && System.nanoTime() - deadline < 0 && !interrupted) {
      interrupted = sleep();
      alive = stillAlive(alive);
    }
    List<Long> killed = new ArrayList<>();
    if (!alive.isEmpty()) {
      Set<ProcessHandle> survivors = new LinkedHashSet<>(alive);
      for (ProcessHandle p : alive) {
        p.descendants().filter(ProcessHandle::isAlive).forEach(survivors::add);
      }
      for (ProcessHandle p : survivors) {
        if (p.destroyForcibly()) {
          killed.add(p.pid());
        }
      }
      long killDeadline = System.nanoTime() + KILL_WAIT.toNanos();
      List<ProcessHandle> left = new ArrayList<>(survivors);
      while (!left.isEmpty() && System.nanoTime() - killDeadline < 0) {
        interrupted |= sleep();
        left = left.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
      }
      if (!left.isEmpty()) {
        LOG.warn(
            "{} - processes {} are still listed {} s after SIGKILL (zombies whose parent has not"
                + " reaped them, or in uninterruptible I/O)",
            name,
            left.stream().map(ProcessHandle::pid).toList(),
            KILL_WAIT.toSeconds());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return killed;
  }

  /**
   * Processes whose environment holds the variable {@code marker} (Linux: {@code
   * /proc/<pid>/environ}; processes of other users are not readable and skipped). Empty where there
   * is no {@code /proc}.
   */
  static List<ProcessHandle> withMarker(String marker) {
    if (!Files.isDirectory(PROC)) {
      return List.of();
    }
    byte[] needle = (marker + "=").getBytes(StandardCharsets.US_ASCII);
    long self = ProcessHandle.current().pid();
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      return all.filter(p -> p.pid() != self && environHas(p.pid(), needle)).toList();
    }
  }

  private static boolean environHas(long pid, byte[] needle) {
    byte[] env;
    try {
      env = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
    for (int start = 0; start + needle.length <= env.length; ) {
      if (Arrays.equals(env, start, start + needle.length, needle, 0, needle.length)) {
        return true;
      }
      int end = start;
      while (end < env.length && env[end] != 0) {
        end++;
      }
      start = end + 1;
    }
    return false;
  }

  /** The members still alive, plus descendants they spawned since. */
  private static List<ProcessHandle> stillAlive(List<ProcessHandle> members) {
    Set<ProcessHandle> alive = new LinkedHashSet<>();
    for (ProcessHandle p : members) {
      if (p.isAlive()) {
        alive.add(p);
        p.descendants()
            .filter(ProcessHandle::isAlive)
            .filter(d -> !members.contains(d))
            .forEach(
                d -> {
                  d.destroy();
                  alive.add(d);
                });
      }
    }
    return new ArrayList<>(alive);
  }

  /** Sleeps one poll interval; true when interrupted. */
  private static boolean sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
      return false;
    } catch (InterruptedException e) {
      return true;
    }
  }
}
