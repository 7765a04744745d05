package io.github.sglangpreflight.decision;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One reason of a decision, structured: its id, the numbers and texts it speaks of by name, and the
 * remedies that address it. The report's sentences ({@code PreflightReport.reasons()}) are rendered
 * from the same reason in one place; the JSON's {@code reasonDetails} holds these fields as they
 * are (docs/report-schema.md lists every id's fields).
 *
 * @param id the stable id of this kind of reason
 * @param fields the reason's values by name, in the schema's order: numbers ({@code Long}, {@code
 *     Integer} or {@code Double}), strings, booleans, lists, nested maps of the same kinds, or
 *     {@code null} where a value is unknown
 * @param remedies the remedies that address this reason, best first; empty where none applies
 */
public record ReasonDetail(ReasonId id, Map<String, Object> fields, List<RemedyId> remedies) {
  public ReasonDetail {
    Objects.requireNonNull(id, "id");
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    remedies = List.copyOf(remedies);
  }

  /** The number named {@code field}, or NaN where the reason has no such number. */
  public double number(String field) {
    return fields.get(field) instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
