/**
 * Runs an SGLang launch as a child process and follows its start-up.
 *
 * <ul>
 *   <li>{@link io.github.sglangpreflight.launch.SglangServer}: for Java services that wrap SGLang:
 *       start the checked command, stream its lines to SLF4J, follow its start-up log, wait for
 *       {@code /health}, fail fast on SGLang's memory errors, stop it gracefully. The child is
 *       started by {@code launch.process.ChildProcess} (inside the module): an argv, never a shell;
 *       SIGINT/SIGTERM forwarded; no orphan (SIGTERM, then SIGKILL after a grace period, to the
 *       child and its descendants on stop and at JVM exit).
 *   <li>{@link io.github.sglangpreflight.launch.StartupObservation} (pure): folds SGLang's output
 *       lines, one at a time, into per-rank figures, failures and the stage reached (the parser and
 *       its event records stay inside the package), and compares them with a prediction.
 *   <li>{@link io.github.sglangpreflight.launch.RetryPlanner} (pure): after a start-up OOM, the
 *       next fraction from the measured shortfall, or a clear stop.
 * </ul>
 *
 * <p>SGLang prints "GB" where it divides by 2^30: every GB figure of its log is read as GiB.
 */
package io.github.sglangpreflight.launch;
