package io.github.sglangpreflight.model.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.jr.ob.JSON;
import io.github.sglangpreflight.errors.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads the JSON files of a model (config.json, the safetensors index, headers). */
final class JsonFiles {
  /**
   * Python's json module writes NaN and Infinity; accept them as Hugging Face configs may hold
   * them.
   */
  static final JSON JSON_READER =
      JSON.builder(JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build())
          .build();

  /** The largest config.json or index file read (real ones are below 1 MiB). */
  static final long MAX_FILE_BYTES = 64L << 20;

  private JsonFiles() {}

  /**
   * Reads a file that must hold one JSON object.
   *
   * @param file the file
   * @param what how messages name it, e.g. {@code config.json at /models/x}
   * @param fix what to do when it is unreadable, e.g. {@code re-download the model}
   */
  static Map<String, Object> readObject(Path file, String what, String fix) {
    String text;
    try {
      long bytes = Files.size(file);
      if (bytes > MAX_FILE_BYTES) {
        throw new InvalidInputException(
            what,
            String.format(
                java.util.Locale.ROOT,
                "%s is %,d bytes, above the %,d bytes a model's JSON file may have; %s",
                what,
                bytes,
                MAX_FILE_BYTES,
                fix));
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (InvalidInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(
          what, what + " cannot be read (" + e.getMessage() + "); " + fix, e);
    }
    return parseObject(text, what, fix);
  }

  /** Parses text that must hold one JSON object; the message gives line and column of an error. */
  static Map<String, Object> parseObject(String text, String what, String fix) {
    Object value;
    try {
      value = JSON_READER.anyFrom(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      String reason = e.getOriginalMessage();
      int nl = reason == null ? -1 : reason.indexOf('\n');
      if (nl >= 0) {
        reason = reason.substring(0, nl);
      }
      throw new InvalidInputException(
          what, what + " is not valid JSON" + where + " (" + reason + "); " + fix, e);
    } catch (IOException e) {
      throw new InvalidInputException(
          what, what + " is not valid JSON (" + e.getMessage() + "); " + fix, e);
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new InvalidInputException(
          what,
          what
              + " holds "
              + (value == null ? "nothing" : "a JSON " + kind(value))
              + ", not a JSON object; "
              + fix);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) map;
    return m;
  }

  private static String kind(Object value) {
    if (value instanceof java.util.List<?>) {
      return "array";
    }
    if (value instanceof String) {
      return "string";
    }
    if (value instanceof Number) {
      return "number";
    }
    return "value";
  }
}
