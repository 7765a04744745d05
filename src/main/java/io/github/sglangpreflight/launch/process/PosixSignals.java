package io.github.sglangpreflight.launch.process;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SIGINT, which {@link ProcessHandle} cannot (it has SIGTERM and SIGKILL only), and tells
 * whether this JVM is in its terminal's foreground process group.
 */
final class PosixSignals {
  private static final Logger LOG = LoggerFactory.getLogger(PosixSignals.class);
  private static final int SIGINT = 2;

  private PosixSignals() {}

  /**
   * Sends SIGINT to a process: through libc {@code kill(2)} when this module may call native code,
   * else by running {@code kill -s INT <pid>} (no shell).
   *
   * @return whether the signal was sent
   */
  static boolean interrupt(long pid) {
    Optional<MethodHandle> kill = libcKill();
    if (kill.isPresent()) {
      try {
        int rc = (int) kill.get().invokeExact((int) pid, SIGINT);
        return rc == 0;
      } catch (Throwable t) {
        LOG.debug("kill(2) through java.lang.foreign failed for pid {}: {}", pid, t.toString());
      }
    }
    try {
      Process p = new ProcessBuilder("kill", "-s", "INT", Long.toString(pid)).inheritIO().start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      LOG.warn("cannot send SIGINT to pid {}: {}", pid, e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Whether this JVM is in the foreground process group of its controlling terminal, so that a
   * Ctrl-C there reaches every process of the group, a child started without a new group included.
   * Reads {@code /proc/self/stat}; elsewhere answers whether a terminal is attached.
   */
  static boolean inTerminalForeground() {
    try {
      return isForeground(Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      java.io.Console console = System.console();
      return console != null && console.isTerminal();
    }
  }

  /**
   * From a {@code /proc/<pid>/stat} line: true when the process has a controlling terminal ({@code
   * tty_nr} not 0) whose foreground group ({@code tpgid}) is its own ({@code pgrp}).
   *
   * @throws IllegalArgumentException when the line does not have the proc(5) layout
   */
  static boolean isForeground(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    if (f.length < 6) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    // after "(comm)": state ppid pgrp session tty_nr tpgid
    long pgrp = Long.parseLong(f[2]);
    long ttyNr = Long.parseLong(f[4]);
    long tpgid = Long.parseLong(f[5]);
    return ttyNr != 0 && tpgid == pgrp;
  }

  @SuppressWarnings("restricted") // kill(2) of libc; only when native access is enabled
  private static Optional<MethodHandle> libcKill() {
    Module module = PosixSignals.class.getModule();
    if (!module.isNativeAccessEnabled()) {
      return Optional.empty();
    }
    try {
      Linker linker = Linker.nativeLinker();
      return linker
          .defaultLookup()
          .find("kill")
          .map(
              address ->
                  linker.downcallHandle(
                      address,
                      FunctionDescriptor.of(
                          ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
