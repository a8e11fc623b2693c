package io.screenmesh.fusion.policy;

import io.screenmesh.common.v1.Category;
import io.screenmesh.common.v1.Decision;
import io.screenmesh.common.v1.Modality;
import io.screenmesh.common.v1.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates a policies YAML file (schema in the service README, section
 * "Policies"). Validation is strict: unknown keys, unknown category or severity names,
 * scores outside [0, 1], thresholds out of order and duplicate keys are all errors, because
 * a typo in a security policy that silently falls back to a default is worse than a
 * service that refuses to start. Every problem found is reported at once.
 */
public final class PolicyLoader {

  /** Name of the policies file bundled on the class path. */
  public static final String BUNDLED_RESOURCE = "policies.yaml";

  /** Base scores used for severities a policy does not list. */
  static final Map<Severity, Double> DEFAULT_SEVERITY_SCORES = Map.of(
      Severity.SEVERITY_INFO, 0.0,
      Severity.SEVERITY_LOW, 0.25,
      Severity.SEVERITY_MEDIUM, 0.5,
      Severity.SEVERITY_HIGH, 0.8,
      Severity.SEVERITY_CRITICAL, 1.0);

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Set<String> POLICY_KEYS = Set.of(
      "description", "severity-scores", "category-weights", "thresholds", "actions", "unavailable");
  private static final Set<String> ACTION_KEYS = Set.of("category", "min-severity", "action");
  private static final String DEFAULT_WEIGHT_KEY = "default";

  private PolicyLoader() {}

  /**
   * Loads the policies file at {@code path}.
   *
   * @throws PolicyFileException when the file is missing, unreadable or invalid
   */
  public static Map<String, Policy> load(Path path) {
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return parse(path.toString(), r);
    } catch (NoSuchFileException e) {
      throw new PolicyFileException(path.toString(), "file not found", e);
    } catch (IOException | UncheckedIOException e) {
      throw new PolicyFileException(path.toString(), "cannot read it: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the policies file bundled on the class path as {@value #BUNDLED_RESOURCE}.
   *
   * @throws PolicyFileException when the resource is missing or invalid
   */
  public static Map<String, Policy> loadBundled() {
    String source = "classpath:" + BUNDLED_RESOURCE;
    try (InputStream in = PolicyLoader.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE)) {
      if (in == null) {
        throw new PolicyFileException(source, "resource not found", null);
      }
      return parse(source, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PolicyFileException(source, "cannot read it: " + e.getMessage(), e);
    }
  }

  /**
   * Parses policies from YAML text.
   *
   * @param source a name for messages (file path or resource name)
   * @param yaml the YAML document
   * @return the policies by name, in file order
   * @throws PolicyFileException when the document is not YAML or breaks the schema
   */
  public static Map<String, Policy> parse(String source, String yaml) {
    return parse(source, new StringReader(yaml));
  }

  private static Map<String, Policy> parse(String source, Reader reader) {
    Object root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      // Policies are small; a file with thousands of aliases is an attack or a mistake.
      options.setMaxAliasesForCollections(10);
      root = new Yaml(new SafeConstructor(options)).load(reader);
    } catch (YAMLException e) {
      throw new PolicyFileException(source, "not valid YAML: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      // SnakeYAML's YAML 1.1 scalars escape as plain Java exceptions: "._" matches its float
      // pattern and then fails Double.parseDouble (NumberFormatException), found by fuzzing.
      throw new PolicyFileException(source, "not valid YAML: a scalar that cannot be read (" + e.getMessage() + ")", e);
    }
    List<String> problems = new ArrayList<>();
    Map<String, Policy> policies = new LinkedHashMap<>();
    if (!(root instanceof Map<?, ?> top)) {
      throw new PolicyFileException(source, List.of("the document must be a mapping with a 'policies' key"));
    }
    for (Object key : top.keySet()) {
      if (!"policies".equals(key)) {
        problems.add(key + ": unknown key (expected: policies)");
      }
    }
    Object all = top.get("policies");
    if (!(all instanceof Map<?, ?> named) || named.isEmpty()) {
      problems.add("policies: must be a non-empty mapping of policy names to policies");
    } else {
      for (Map.Entry<?, ?> e : named.entrySet()) {
        String name = String.valueOf(e.getKey());
        String path = "policies." + name;
        if (!NAME.matcher(name).matches()) {
          problems.add(path + ": a policy name is 1-63 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
          continue;
        }
        Policy p = policy(name, path, e.getValue(), problems);
        if (p != null) {
          policies.put(name, p);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new PolicyFileException(source, problems);
    }
    return Map.copyOf(policies);
  }

  private static Policy policy(String name, String path, Object node, List<String> problems) {
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + ": must be a mapping");
      return null;
    }
    int before = problems.size();
    unknownKeys(path, m, POLICY_KEYS, problems);
    String description = m.get("description") == null ? "" : String.valueOf(m.get("description"));

    Map<Severity, Double> scores = new EnumMap<>(Severity.class);
    scores.putAll(DEFAULT_SEVERITY_SCORES);
    Map<?, ?> scoreNode = optionalMap(path + ".severity-scores", m.get("severity-scores"), problems);
    for (Map.Entry<?, ?> e : scoreNode.entrySet()) {
      String p = path + ".severity-scores." + e.getKey();
      Severity s = severity(p, e.getKey(), problems);
      Double v = number(p, e.getValue(), 0, 1, problems);
      if (s != null && v != null) {
        scores.put(s, v);
      }
    }
    Severity previous = null;
    for (Severity s : DEFAULT_SEVERITY_SCORES.keySet().stream().sorted().toList()) {
      if (previous != null && scores.get(s) < scores.get(previous)) {
        problems.add(path + ".severity-scores: scores must not decrease with severity, but "
            + shortName(s) + " " + scores.get(s) + " < " + shortName(previous) + " " + scores.get(previous));
      }
      previous = s;
    }

    Map<Category, Double> weights = new EnumMap<>(Category.class);
    double defaultWeight = 1.0;
    Map<?, ?> weightNode = optionalMap(path + ".category-weights", m.get("category-weights"), problems);
    for (Map.Entry<?, ?> e : weightNode.entrySet()) {
      String p = path + ".category-weights." + e.getKey();
      Double v = number(p, e.getValue(), 0, 10, problems);
      if (DEFAULT_WEIGHT_KEY.equals(e.getKey())) {
        if (v != null) {
          defaultWeight = v;
        }
        continue;
      }
      Category c = category(p, e.getKey(), problems);
      if (c != null && v != null) {
        weights.put(c, v);
      }
    }

    double flag = 0;
    double block = 0;
    Object thresholds = m.get("thresholds");
    if (!(thresholds instanceof Map<?, ?> t)) {
      problems.add(path + ".thresholds: required, a mapping with 'flag' and 'block' in (0, 1]");
    } else {
      unknownKeys(path + ".thresholds", t, Set.of("flag", "block"), problems);
      Double f = required(path + ".thresholds.flag", t.get("flag"), problems);
      Double b = required(path + ".thresholds.block", t.get("block"), problems);
      if (f != null && b != null) {
        flag = f;
        block = b;
        if (flag > block) {
          problems.add(path + ".thresholds: flag (" + flag + ") must not be above block (" + block + ")");
        }
      }
    }

    List<ForcedAction> actions = new ArrayList<>();
    Object actionNode = m.get("actions");
    if (actionNode != null && !(actionNode instanceof List<?>)) {
      problems.add(path + ".actions: must be a list");
    } else if (actionNode instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        ForcedAction a = action(path + ".actions[" + i + "]", list.get(i), problems);
        if (a != null) {
          actions.add(a);
        }
      }
    }

    Map<Modality, FailMode> failModes = new EnumMap<>(Modality.class);
    Map<?, ?> unavailable = optionalMap(path + ".unavailable", m.get("unavailable"), problems);
    for (Map.Entry<?, ?> e : unavailable.entrySet()) {
      String p = path + ".unavailable." + e.getKey();
      Modality mod = switch (String.valueOf(e.getKey())) {
        case "text" -> Modality.MODALITY_TEXT;
        case "image" -> Modality.MODALITY_IMAGE;
        case "audio" -> Modality.MODALITY_AUDIO;
        default -> null;
      };
      FailMode mode = switch (String.valueOf(e.getValue())) {
        case "fail-closed" -> FailMode.CLOSED;
        case "fail-open" -> FailMode.OPEN;
        default -> null;
      };
      if (mod == null) {
        problems.add(p + ": unknown modality (expected text, image or audio)");
      } else if (mode == null) {
        problems.add(p + ": '" + e.getValue() + "' is not fail-closed or fail-open");
      } else {
        failModes.put(mod, mode);
      }
    }

    if (problems.size() > before) {
      return null;
    }
    return new Policy(name, description, scores, weights, defaultWeight, flag, block, actions, failModes);
  }

  private static ForcedAction action(String path, Object node, List<String> problems) {
    if (!(node instanceof Map<?, ?> m)) {
      problems.add(path + ": must be a mapping with category, action and optionally min-severity");
      return null;
    }
    unknownKeys(path, m, ACTION_KEYS, problems);
    Category c = m.get("category") == null ? null : category(path + ".category", m.get("category"), problems);
    if (m.get("category") == null) {
      problems.add(path + ".category: required");
    }
    Severity min = Severity.SEVERITY_INFO;
    if (m.get("min-severity") != null) {
      min = severity(path + ".min-severity", m.get("min-severity"), problems);
    }
    Decision d = null;
    Object action = m.get("action");
    if (action == null) {
      problems.add(path + ".action: required (ALLOW, FLAG or BLOCK)");
    } else {
      d = switch (String.valueOf(action).toUpperCase(Locale.ROOT)) {
        case "ALLOW" -> Decision.DECISION_ALLOW;
        case "FLAG" -> Decision.DECISION_FLAG;
        case "BLOCK" -> Decision.DECISION_BLOCK;
        default -> null;
      };
      if (d == null) {
        problems.add(path + ".action: '" + action + "' is not ALLOW, FLAG or BLOCK");
      }
    }
    return c == null || min == null || d == null ? null : new ForcedAction(c, min, d);
  }

  private static Category category(String path, Object key, List<String> problems) {
    String n = String.valueOf(key).toUpperCase(Locale.ROOT);
    String full = n.startsWith("CATEGORY_") ? n : "CATEGORY_" + n;
    for (Category c : Category.values()) {
      if (c != Category.UNRECOGNIZED && c != Category.CATEGORY_UNSPECIFIED && c.name().equals(full)) {
        return c;
      }
    }
    problems.add(path + ": unknown category '" + key + "' (categories are the names of screenmesh.common.v1.Category, such as PROMPT_INJECTION)");
    return null;
  }

  private static Severity severity(String path, Object key, List<String> problems) {
    String n = String.valueOf(key).toUpperCase(Locale.ROOT);
    String full = n.startsWith("SEVERITY_") ? n : "SEVERITY_" + n;
    for (Severity s : DEFAULT_SEVERITY_SCORES.keySet()) {
      if (s.name().equals(full)) {
        return s;
      }
    }
    problems.add(path + ": unknown severity '" + key + "' (expected INFO, LOW, MEDIUM, HIGH or CRITICAL)");
    return null;
  }

  private static Double required(String path, Object value, List<String> problems) {
    if (value == null) {
      problems.add(path + ": required, a number in (0, 1]");
      return null;
    }
    Double v = number(path, value, 0, 1, problems);
    if (v != null && v == 0) {
      problems.add(path + ": must be above 0, or every item would be acted on");
      return null;
    }
    return v;
  }

  private static Double number(String path, Object value, double min, double max, List<String> problems) {
    if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      problems.add(path + ": '" + value + "' is not a number");
      return null;
    }
    double v = n.doubleValue();
    if (v < min || v > max) {
      problems.add(path + ": " + v + " is outside [" + min + ", " + max + "]");
      return null;
    }
    return v;
  }

  private static Map<?, ?> optionalMap(String path, Object node, List<String> problems) {
    if (node == null) {
      return Map.of();
    }
    if (node instanceof Map<?, ?> m) {
      return m;
    }
    problems.add(path + ": must be a mapping");
    return Map.of();
  }

  private static void unknownKeys(String path, Map<?, ?> m, Set<String> allowed, List<String> problems) {
    for (Object k : m.keySet()) {
      if (!allowed.contains(String.valueOf(k))) {
        problems.add(path + "." + k + ": unknown key (expected one of " + allowed.stream().sorted().toList() + ")");
      }
    }
  }

  private static String shortName(Severity s) {
    return s.name().substring("SEVERITY_".length());
  }
}
