package io.github.sglangpreflight.launch;

import io.github.sglangpreflight.errors.InvalidInputException;
import io.github.sglangpreflight.launch.process.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * An SGLang server launch for Java services: the (checked) command, how to reach it, how long to
 * wait. Immutable and thread-safe; each {@link #start()} starts a new process.
 *
 * <pre>{@code
 * SglangServer server = SglangServer.builder(checkedArgv).build();
 * try (RunningSglangServer running = server.start()) {
 *   running.awaitHealthy();
 *   // serve; at the end:
 *   LOG.info("memory\n{}", running.observation().compare(predicted).toText());
 * }
 * }</pre>
 */
public final class SglangServer {

  /** SGLang's default {@code --port} (server_args.py:66@v0.4.5.post3, :1254@8761b971). */
  public static final int DEFAULT_PORT = 30000;

  /** SGLang's default {@code --host} (server_args.py:65@v0.4.5.post3, :1253@8761b971). */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** SGLang's health endpoint: 200 when serving, 503 while starting on recent versions. */
  public static final String DEFAULT_HEALTH_PATH = "/health";

  /** Default bound of {@link RunningSglangServer#awaitHealthy()}: large models take long. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(30);

  /** Default time between two {@code /health} requests. */
  public static final Duration DEFAULT_HEALTH_POLL_INTERVAL = Duration.ofSeconds(1);

  private final List<String> command;
  private final Map<String, String> environment;
  private final Optional<Path> directory;
  private final int port;
  private final String healthHost;
  private final String bindHost;
  private final String healthPath;
  private final Duration startupTimeout;
  private final Duration gracePeriod;
  private final Duration healthPollInterval;
  private final Optional<ChildProcess.LineConsumer> lineConsumer;
  private final Logger outputLogger;
  private final Level outputLevel;
  private final String name;
  private final OptionalDouble memFractionStatic;

  private SglangServer(Builder b, int port, String healthHost, String bindHost) {
    this.command = b.command;
    this.environment = Map.copyOf(b.environment);
    this.directory = b.directory;
    this.port = port;
    this.healthHost = healthHost;
    this.bindHost = bindHost;
    this.healthPath = b.healthPath;
    this.startupTimeout = b.startupTimeout;
    this.gracePeriod = b.gracePeriod;
    this.healthPollInterval = b.healthPollInterval;
    this.lineConsumer = b.lineConsumer;
    this.name = b.name.orElse("sglang-" + port);
    this.outputLogger = b.logger.orElseGet(() -> LoggerFactory.getLogger("sglang." + port));
    this.outputLevel = b.outputLevel;
    this.memFractionStatic = flagDouble(command, "--mem-fraction-static");
  }

  /**
   * A builder for this argv, e.g. {@code [python3, -m, sglang.launch_server, --model-path, …]}.
   *
   * @throws IllegalArgumentException when the command is empty
   */
  public static Builder builder(List<String> command) {
    return new Builder(command);
  }

  /**
   * Starts SGLang with piped output: each line is parsed for start-up events, logged (API keys
   * masked) and handed to the line consumer.
   *
   * @throws InvalidInputException when another process already listens on the port, whose {@code
   *     /health} would then be taken for SGLang's
   * @throws IOException when the program cannot be started
   */
  public RunningSglangServer start() throws IOException {
    return RunningSglangServer.start(this);
  }

  public List<String> command() {
    return command;
  }

  /** The port {@code /health} is polled on: the builder's, else {@code --port}, else 30000. */
  public int port() {
    return port;
  }

  /** {@code http://HOST:PORT/health}; a wildcard {@code --host} is reached on loopback. */
  public URI healthUri() {
    String host = healthHost.contains(":") ? "[" + healthHost + "]" : healthHost;
    return URI.create("http://" + host + ":" + port + healthPath);
  }

  public Duration startupTimeout() {
    return startupTimeout;
  }

  public Duration gracePeriod() {
    return gracePeriod;
  }

  /** The address SGLang binds: {@code --host} of the command, else {@link #DEFAULT_HOST}. */
  String bindHost() {
    return bindHost;
  }

  Map<String, String> environment() {
    return environment;
  }

  Optional<Path> directory() {
    return directory;
  }

  Duration healthPollInterval() {
    return healthPollInterval;
  }

  Optional<ChildProcess.LineConsumer> lineConsumer() {
    return lineConsumer;
  }

  Logger outputLogger() {
    return outputLogger;
  }

  Level outputLevel() {
    return outputLevel;
  }

  String name() {
    return name;
  }

  /** {@code --mem-fraction-static} of the command, when it has a numeric one. */
  OptionalDouble memFractionStatic() {
    return memFractionStatic;
  }

  /** The value of {@code --flag v} or {@code --flag=v}, the last one when repeated. */
  static Optional<String> flagValue(List<String> argv, String flag) {
    Optional<String> value = Optional.empty();
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg.equals(flag) && i + 1 < argv.size()) {
        value = Optional.of(argv.get(i + 1));
      } else if (arg.startsWith(flag + "=")) {
        value = Optional.of(arg.substring(flag.length() + 1));
      }
    }
    return value;
  }

  private static OptionalDouble flagDouble(List<String> argv, String flag) {
    Optional<String> value = flagValue(argv, flag);
    if (value.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      return OptionalDouble.of(Double.parseDouble(value.get()));
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /** Configures an {@link SglangServer}; not thread-safe. */
  public static final class Builder {
    private final List<String> command;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Optional<Path> directory = Optional.empty();
    private OptionalInt port = OptionalInt.empty();
    private Optional<String> host = Optional.empty();
    private String healthPath = DEFAULT_HEALTH_PATH;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration gracePeriod = ChildProcess.DEFAULT_GRACE_PERIOD;
    private Duration healthPollInterval = DEFAULT_HEALTH_POLL_INTERVAL;
    private Optional<ChildProcess.LineConsumer> lineConsumer = Optional.empty();
    private Optional<Logger> logger = Optional.empty();
    private Level outputLevel = Level.INFO;
    private Optional<String> name = Optional.empty();

    private Builder(List<String> command) {
      Objects.requireNonNull(command, "command");
      this.command = List.copyOf(command);
      if (this.command.isEmpty() || this.command.get(0).isBlank()) {
        throw new IllegalArgumentException("command must start with a program, was " + command);
      }
    }

    /** Sets one environment variable on top of the JVM's. */
    public Builder environment(String name, String value) {
      environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Sets these environment variables on top of the JVM's. */
    public Builder environment(Map<String, String> overrides) {
      overrides.forEach(this::environment);
      return this;
    }

    public Builder directory(Path directory) {
      this.directory = Optional.of(directory);
      return this;
    }

    /**
     * The port to poll; default {@code --port} of the command, else {@link #DEFAULT_PORT}.
     *
     * @throws IllegalArgumentException when outside 1..65535
     */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be from 1 to 65535, was " + port);
      }
      this.port = OptionalInt.of(port);
      return this;
    }

    /**
     * The host to poll; default {@code --host} of the command ({@code 0.0.0.0} and {@code ::} are
     * polled on loopback), else {@link #DEFAULT_HOST}.
     */
    public Builder host(String host) {
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      this.host = Optional.of(host);
      return this;
    }

    /**
     * The health path; default {@link #DEFAULT_HEALTH_PATH}.
     *
     * @throws IllegalArgumentException when it does not start with {@code /}
     */
    public Builder healthPath(String path) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("healthPath must start with /, was '" + path + "'");
      }
      this.healthPath = path;
      return this;
    }

    /** Bound of {@link RunningSglangServer#awaitHealthy()}; default 30 minutes. */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = positive("startupTimeout", timeout);
      return this;
    }

    /** Time between SIGTERM and SIGKILL when stopping; default 10 s. */
    public Builder gracePeriod(Duration gracePeriod) {
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod must not be negative, was " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /** Time between two {@code /health} requests; default 1 s. */
    public Builder healthPollInterval(Duration interval) {
      this.healthPollInterval = positive("healthPollInterval", interval);
      return this;
    }

    /** Also hands every output line, as printed, to this consumer. */
    public Builder lineConsumer(ChildProcess.LineConsumer consumer) {
      this.lineConsumer = Optional.of(consumer);
      return this;
    }

    /** The logger SGLang's lines go to; default {@code sglang.<port>}. */
    public Builder logger(Logger logger) {
      this.logger = Optional.of(logger);
      return this;
    }

    /** The level SGLang's lines are logged at; default INFO. */
    public Builder outputLevel(Level level) {
      this.outputLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** The name in this library's log lines and thread names; default {@code sglang-<port>}. */
    public Builder name(String name) {
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = Optional.of(name);
      return this;
    }

    /**
     * @throws InvalidInputException when the command's {@code --port} is not a port number
     * @throws IllegalStateException when {@link #port(int)} differs from the command's {@code
     *     --port}
     */
    public SglangServer build() {
      Optional<String> argvPort = flagValue(command, "--port");
      OptionalInt commandPort = OptionalInt.empty();
      if (argvPort.isPresent()) {
        try {
          int p = Integer.parseInt(argvPort.get());
          if (p < 1 || p > 65535) {
            throw new NumberFormatException();
          }
          commandPort = OptionalInt.of(p);
        } catch (NumberFormatException e) {
          throw new InvalidInputException(
              "--port",
              "--port value was '" + argvPort.get() + "', must be a whole number from 1 to 65535");
        }
      }
      if (port.isPresent()
          && commandPort.isPresent()
          && port.getAsInt() != commandPort.getAsInt()) {
        throw new IllegalStateException(
            "port "
                + port.getAsInt()
                + " differs from --port "
                + commandPort.getAsInt()
                + " in the command; SGLang listens on the command's port");
      }
      int effectivePort = port.orElse(commandPort.orElse(DEFAULT_PORT));
      String bindHost = unbracketed(flagValue(command, "--host").orElse(DEFAULT_HOST));
      String healthHost = host.orElseGet(() -> reachable(bindHost));
      return new SglangServer(this, effectivePort, healthHost, bindHost);
    }

    private static String unbracketed(String host) {
      return host.startsWith("[") && host.endsWith("]")
          ? host.substring(1, host.length() - 1)
          : host;
    }

    private static String reachable(String bindHost) {
      return switch (bindHost) {
        case "0.0.0.0", "" -> "127.0.0.1";
        case "::" -> "::1";
        default -> bindHost;
      };
    }

    private static Duration positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
