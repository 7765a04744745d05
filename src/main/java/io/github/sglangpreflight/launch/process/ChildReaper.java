package io.github.sglangpreflight.launch.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps track of running children so that none outlives the JVM: refreshes each child's known
 * descendants every half second (so that processes re-parented when their parent dies are still
 * found), and stops every child that is still running from a shutdown hook, which runs on normal
 * exit, {@code System.exit}, an uncaught exception ending the last thread, SIGTERM, SIGINT and
 * SIGHUP. A JVM killed with SIGKILL runs no hook: nothing in Java can cover that case.
 */
final class ChildReaper {
  private static final Logger LOG = LoggerFactory.getLogger(ChildReaper.class);
  private static final Set<ChildProcess> LIVE = ConcurrentHashMap.newKeySet();
  private static final Object LOCK = new Object();
  private static final Duration START_WAIT = Duration.ofSeconds(10);
  private static ScheduledExecutorService scanner;
  private static boolean hookInstalled;
  private static boolean shuttingDown;
  private static int starting;

  private ChildReaper() {}

  /**
   * Called before a child is started: installs the shutdown hook and counts the start, so that the
   * hook waits for it and then stops the child too.
   *
   * @throws IllegalStateException when the JVM is already shutting down
   */
  static void beginStart(String name) {
    synchronized (LOCK) {
      if (shuttingDown) {
        throw new IllegalStateException(name + " - not started: the JVM is shutting down");
      }
      if (!hookInstalled) {
        try {
          Runtime.getRuntime()
              .addShutdownHook(
                  Thread.ofPlatform()
                      .name("sglang-preflight-child-reaper")
                      .unstarted(ChildReaper::onJvmExit));
        } catch (IllegalStateException e) {
          throw new IllegalStateException(name + " - not started: the JVM is shutting down", e);
        }
        hookInstalled = true;
      }
      if (scanner == null) {
        scanner =
            Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("sglang-preflight-descendant-scan").factory());
        scanner.scheduleWithFixedDelay(ChildReaper::scan, 500, 500, TimeUnit.MILLISECONDS);
      }
      starting++;
    }
  }

  /** The child {@link #beginStart} was called for is running. */
  static void track(ChildProcess child) {
    synchronized (LOCK) {
      starting--;
      LIVE.add(child);
      LOCK.notifyAll();
    }
  }

  /** The start {@link #beginStart} was called for failed. */
  static void abandonStart() {
    synchronized (LOCK) {
      starting--;
      LOCK.notifyAll();
    }
  }

  static void untrack(ChildProcess child) {
    LIVE.remove(child);
  }

  private static void scan() {
    for (ChildProcess child : LIVE) {
      try {
        child.refreshDescendants();
      } catch (RuntimeException e) {
        LOG.debug("{} - descendant scan failed: {}", child.name(), e.toString());
      }
    }
  }

  private static void onJvmExit() {
    List<ChildProcess> children;
    synchronized (LOCK) {
      shuttingDown = true;
      long deadline = System.nanoTime() + START_WAIT.toNanos();
      while (starting > 0 && System.nanoTime() - deadline < 0) {
        try {
          LOCK.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      children = new ArrayList<>(LIVE);
    }
    if (children.isEmpty()) {
      return;
    }
    Duration longest = Duration.ZERO;
    List<Thread> stoppers = new ArrayList<>();
    for (ChildProcess child : children) {
      LOG.info("{} - JVM exiting; stopping pid {} and its descendants", child.name(), child.pid());
      if (child.gracePeriod().compareTo(longest) > 0) {
        longest = child.gracePeriod();
      }
      stoppers.add(Thread.ofPlatform().name(child.name() + "-exit-stop").start(child::stop));
    }
    long deadline = System.nanoTime() + longest.plusSeconds(15).toNanos();
    for (Thread stopper : stoppers) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        stopper.join(Duration.ofNanos(left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
