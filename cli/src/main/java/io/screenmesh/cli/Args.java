package io.screenmesh.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Minimal {@code --flag value} parsing: repeatable flags keep every value, switches have none. */
final class Args {

  private final Map<String, List<String>> values = new HashMap<>();

  Args(String[] argv, int from, Set<String> switches) {
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String v;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        v = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (switches.contains(name)) {
        v = "true";
      } else {
        if (i + 1 >= argv.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        v = argv[++i];
      }
      values.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    }
  }

  String get(String name, String dflt) {
    List<String> v = values.get(name);
    return v == null ? dflt : v.get(v.size() - 1);
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return values.containsKey(name);
  }
}
