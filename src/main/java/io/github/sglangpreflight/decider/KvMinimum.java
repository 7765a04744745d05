package io.github.sglangpreflight.decider;

/**
 * The smallest KV pool the launch must get, and where that limit comes from.
 *
 * @param tokens the tokens
 * @param source {@link Source#FLAG} for {@code --min-kv-tokens}, else SGLang's own floor
 */
public record KvMinimum(long tokens, Source source) {
  /** Where the limit comes from. */
  public enum Source {
    /** {@code --min-kv-tokens} (the builder's {@code minKvTokens}). */
    FLAG,
    /**
     * SGLang's own floor: one page. SGLang stops only on an empty pool ("Not enough memory") and
     * otherwise clamps the longest request to the pool; a pool below one full-context request is a
     * warning, not a reason to refuse the launch (issue 10).
     */
    SGLANG_FLOOR
  }

  public KvMinimum {
    java.util.Objects.requireNonNull(source, "source");
  }
}
