package io.github.sglangpreflight.launch.process;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards SIGINT and SIGTERM received by the JVM to the children that run with inherited stdio
 * (the CLI's {@code exec}). Handlers are installed through {@code sun.misc.Signal} (module {@code
 * jdk.unsupported}, looked up reflectively so that a runtime without it, or a JVM started with
 * {@code -Xrs}, only loses forwarding: the shutdown hook of {@link ChildReaper} still stops the
 * children when the JVM exits). They replace the JVM's own handlers from just before a child starts
 * (a signal during the start is delivered once the child is registered) until the last one ends,
 * when the JVM's handlers are restored.
 *
 * <ul>
 *   <li>SIGINT: not forwarded when this JVM is in its terminal's foreground process group, since a
 *       Ctrl-C there reaches the child, which shares the group, directly; forwarded otherwise (a
 *       {@code kill -INT} to the JVM, no terminal).
 *   <li>SIGTERM ({@code docker stop}): the child and its descendants get SIGTERM, then SIGKILL
 *       after the grace period; the JVM keeps running until the child has exited, so the caller can
 *       return its exit code.
 * </ul>
 */
final class SignalForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(SignalForwarder.class);
  private static final List<String> SIGNALS = List.of("INT", "TERM");
  private static final Object LOCK = new Object();
  private static final List<ChildProcess> TARGETS = new ArrayList<>();
  private static final List<String> PENDING = new ArrayList<>();
  private static final Map<String, Object> PREVIOUS = new HashMap<>();
  private static final Optional<SignalApi> API = SignalApi.load();
  private static int starting;

  private SignalForwarder() {}

  /**
   * Installs the handlers before a child is started, so that no signal falls between the start and
   * {@link #register}: one arriving meanwhile is kept and delivered by {@link #register}.
   *
   * @return false when the JVM offers no way to handle signals (then call neither {@link #register}
   *     nor {@link #abandon})
   */
  static boolean prepare(String name) {
    if (API.isEmpty()) {
      LOG.debug("{} - sun.misc.Signal is not available; signals reach it only at JVM exit", name);
      return false;
    }
    synchronized (LOCK) {
      if (TARGETS.isEmpty() && starting == 0) {
        for (String signal : SIGNALS) {
          try {
            PREVIOUS.put(signal, API.get().install(signal, SignalForwarder::dispatch));
          } catch (RuntimeException | ReflectiveOperationException e) {
            LOG.debug(
                "{} - cannot handle SIG{} ({}); it reaches it only at JVM exit", name, signal, e);
          }
        }
      }
      starting++;
      return true;
    }
  }

  /** Starts forwarding to a child {@link #prepare prepared} for; delivers what came meanwhile. */
  static void register(ChildProcess child) {
    List<String> pending;
    synchronized (LOCK) {
      starting--;
      TARGETS.add(child);
      pending = List.copyOf(PENDING);
      PENDING.clear();
    }
    for (String signal : pending) {
      dispatch(signal);
    }
  }

  /** The start {@link #prepare prepared} for failed; signals that came meanwhile are dropped. */
  static void abandon(String name) {
    synchronized (LOCK) {
      starting--;
      if (TARGETS.isEmpty() && starting == 0) {
        if (!PENDING.isEmpty()) {
          LOG.info("{} - SIG{} arrived while it was starting, and it did not start", name, PENDING);
          PENDING.clear();
        }
        restoreHandlers();
      }
    }
  }

  /** Stops forwarding to this child; restores the JVM's handlers after the last one. */
  static void unregister(ChildProcess child) {
    synchronized (LOCK) {
      if (TARGETS.remove(child) && TARGETS.isEmpty() && starting == 0) {
        restoreHandlers();
      }
    }
  }

  private static void restoreHandlers() {
    for (Map.Entry<String, Object> previous : PREVIOUS.entrySet()) {
      try {
        API.orElseThrow().restore(previous.getKey(), previous.getValue());
      } catch (RuntimeException | ReflectiveOperationException e) {
        LOG.debug("cannot restore the handler of SIG{}: {}", previous.getKey(), e.toString());
      }
    }
    PREVIOUS.clear();
  }

  /** What the handler does for SIG{@code signal} ({@code INT} or {@code TERM}). */
  static void dispatch(String signal) {
    List<ChildProcess> targets;
    synchronized (LOCK) {
      if (TARGETS.isEmpty() && starting > 0) {
        PENDING.add(signal);
        return;
      }
      targets = List.copyOf(TARGETS);
    }
    if (signal.equals("INT")) {
      if (PosixSignals.inTerminalForeground()) {
        LOG.debug("SIGINT from the terminal also reached the children of this process group");
        return;
      }
      for (ChildProcess child : targets) {
        LOG.info("{} - forwarding SIGINT to pid {}", child.name(), child.pid());
        PosixSignals.interrupt(child.pid());
      }
    } else {
      for (ChildProcess child : targets) {
        LOG.info(
            "{} - SIGTERM received; stopping pid {} and its descendants (SIGKILL after {})",
            child.name(),
            child.pid(),
            DurationFormat.seconds(child.gracePeriod()));
        Thread.ofPlatform().daemon().name(child.name() + "-sigterm").start(child::stop);
      }
    }
  }

  /** The reflective view of {@code sun.misc.Signal}. */
  private record SignalApi(Constructor<?> signal, Method handle, Class<?> handlerType) {
    static Optional<SignalApi> load() {
      try {
        Class<?> signal = Class.forName("sun.misc.Signal");
        Class<?> handler = Class.forName("sun.misc.SignalHandler");
        return Optional.of(
            new SignalApi(
                signal.getConstructor(String.class),
                signal.getMethod("handle", signal, handler),
                handler));
      } catch (ReflectiveOperationException | LinkageError e) {
        return Optional.empty();
      }
    }

    /** Installs a handler; returns the one it replaces. */
    Object install(String name, java.util.function.Consumer<String> action)
        throws ReflectiveOperationException {
      InvocationHandler invocation =
          (proxy, method, args) ->
              switch (method.getName()) {
                case "handle" -> {
                  action.accept(name);
                  yield null;
                }
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "SignalForwarder(SIG" + name + ")";
                default -> throw new UnsupportedOperationException(method.getName());
              };
      Object handler =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(), new Class<?>[] {handlerType}, invocation);
      return invoke(name, handler);
    }

    void restore(String name, Object previous) throws ReflectiveOperationException {
      invoke(name, previous);
    }

    private Object invoke(String name, Object handler) throws ReflectiveOperationException {
      try {
        return handle.invoke(null, signal.newInstance(name), handler);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw e;
      }
    }
  }
}
