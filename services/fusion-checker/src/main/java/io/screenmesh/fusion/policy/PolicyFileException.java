package io.screenmesh.fusion.policy;

import java.util.List;

/**
 * A policies file that cannot be used: unreadable, not YAML, or breaking the schema. The
 * message names the file and lists every problem with its path in the file
 * ({@code policies.strict.thresholds.flag: ...}), so one start-up attempt shows them all.
 */
public final class PolicyFileException extends RuntimeException {

  private final List<String> problems;

  /**
   * Creates an exception listing {@code problems} found in {@code source}.
   *
   * @param source the file or resource name
   * @param problems one line per problem, each starting with its path in the file
   */
  public PolicyFileException(String source, List<String> problems) {
    super(source + " is not a valid policies file:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * Creates an exception for a file that could not be read or parsed at all.
   *
   * @param source the file or resource name
   * @param problem what went wrong
   * @param cause the underlying failure
   */
  public PolicyFileException(String source, String problem, Throwable cause) {
    super(source + " is not a valid policies file: " + problem, cause);
    this.problems = List.of(problem);
  }

  /** The problems, one line each. */
  public List<String> problems() {
    return problems;
  }
}
