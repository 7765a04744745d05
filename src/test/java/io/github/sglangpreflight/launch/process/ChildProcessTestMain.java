package io.github.sglangpreflight.launch.process;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Run by {@link ChildProcessTest} in a child JVM, as the CLI or a service would use {@link
 * ChildProcess}.
 *
 * <p>{@code ChildProcessTestMain MODE GRACE_MILLIS PROGRAM [ARGS...]}, MODE one of:
 *
 * <ul>
 *   <li>{@code exec}: inherited stdio, signals forwarded; exits with the child's exit code.
 *   <li>{@code piped-return}, {@code piped-throw}, {@code piped-exit}: piped child whose lines are
 *       echoed on stdout; after a line on stdin (or its end) main returns, throws, or calls {@code
 *       System.exit(3)}.
 * </ul>
 */
final class ChildProcessTestMain {
  private ChildProcessTestMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Duration grace = Duration.ofMillis(Long.parseLong(args[1]));
    List<String> command = Arrays.asList(args).subList(2, args.length);
    if (mode.equals("exec")) {
      ChildProcess child = ChildProcess.builder(command).inheritIo().gracePeriod(grace).start();
      System.exit(child.waitFor());
    }
    ChildProcess.builder(command)
        .gracePeriod(grace)
        .pipeLines(
            (output, line) -> {
              synchronized (System.out) {
                System.out.println(line);
                System.out.flush();
              }
            })
        .start();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    switch (mode) {
      case "piped-throw" -> throw new IllegalStateException("the test main fails on purpose");
      case "piped-exit" -> System.exit(3);
      case "piped-return" -> {
        // returning ends the last non-daemon thread: the JVM exits and runs its shutdown hooks
      }
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }
}
