package io.github.sglangpreflight.decider;

/**
 * The smallest KV pool the launch must get, and where that limit comes from.
 *
 * @param tokens the tokens
 * @param source {@link Source#FLAG} for {@code --min-kv-tokens}, else one request of the full
 *     context length
 */
public record KvMinimum(long tokens, Source source) {
  /** Where the limit comes from. */
  public enum Source {
    /** {@code --min-kv-tokens} (the builder's {@code minKvTokens}). */
    FLAG,
    /** One request of the full context length. */
    CONTEXT_LENGTH
  }

  public KvMinimum {
    java.util.Objects.requireNonNull(source, "source");
  }
}
