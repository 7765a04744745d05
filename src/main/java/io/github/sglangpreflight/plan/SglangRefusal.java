package io.github.sglangpreflight.plan;

import java.util.Map;
import java.util.Objects;

/**
 * One start-up check of SGLang's that a launch fails: SGLang would stop before it serves.
 *
 * @param ruleId a stable id of the rule, e.g. {@code attention-heads-vs-tp}
 * @param input the flag or variable the user would change, as written ({@code --tp 3})
 * @param message SGLang's rule in our words, with the numbers and the fix
 * @param source where SGLang checks it: file, lines and version
 * @param values the numbers the rule compared, by name
 */
public record SglangRefusal(
    String ruleId, String input, String message, String source, Map<String, String> values) {

  public SglangRefusal {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(source, "source");
    values = Map.copyOf(values);
  }

  /** The sentence a report gives as a reason: {@code REJECT: SGLang <version> refuses ...}. */
  public String reason(String version) {
    return "REJECT: SGLang " + version + " refuses this launch: " + message + " [" + source + "]";
  }
}
