package io.github.sglangpreflight.sglang.args;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Which flag values and environment variables carry secrets, and how they are masked in logs. */
final class LaunchSecrets {
  static final String MASK = "***";

  /** The spellings of the secret-bearing flags, for argvs that do not parse as a launch. */
  static final Set<String> SECRET_FLAGS =
      Set.of("--api-key", "--admin-api-key", "--ssl-keyfile-password");

  /**
   * Destinations of SGLang flags whose value is a secret: {@code --api-key} (every snapshot),
   * {@code --admin-api-key} and {@code --ssl-keyfile-password} (main).
   */
  static final Set<String> SECRET_DESTS =
      Set.of("api_key", "admin_api_key", "ssl_keyfile_password");

  private static final Set<String> SECRET_WORDS =
      Set.of(
          "TOKEN",
          "SECRET",
          "PASSWORD",
          "PASSWD",
          "PASSPHRASE",
          "CREDENTIAL",
          "CREDENTIALS",
          "APIKEY");

  /** {@code scheme://user:password@host}: the password part of a URL's user info. */
  private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@:\\s]*:)([^/@\\s]+)(@)");

  private LaunchSecrets() {}

  /**
   * Whether an environment variable's name marks a secret: one of its {@code _}-separated words is
   * TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, CREDENTIAL(S) or APIKEY, or the name ends in
   * {@code _KEY} ({@code HF_TOKEN}, {@code HUGGING_FACE_HUB_TOKEN}, {@code AWS_SECRET_ACCESS_KEY},
   * {@code OPENAI_API_KEY}). {@code ..._TOKENS_...} counts are not secrets.
   */
  static boolean isSecretVariable(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (upper.endsWith("_KEY") || upper.equals("KEY")) {
      return true;
    }
    for (String word : upper.split("_")) {
      if (SECRET_WORDS.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** {@code value} with a URL password (if any) replaced by the mask. */
  static String maskUrlPassword(String value) {
    Matcher m = URL_PASSWORD.matcher(value);
    return m.find() ? m.replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3") : value;
  }
}
