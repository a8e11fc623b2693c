package io.screenmesh.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonStreamParser;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Renders the Kustomize overlays under {@code deploy/} with {@code kubectl kustomize} and checks
 * the invariants the deployment relies on: hardened, probed, sized pods; headless modality
 * Services with round-robin clients; NetworkPolicies that keep image and audio behind the
 * front door; the GPU overlay's explicit CUDA backend; the Indexed batch Job. Skipped, with
 * the reason, where kubectl is not installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KustomizeRenderTest {

  private static final List<String> SERVICES = List.of("text-screening", "image-screening", "audio-screening", "fusion-checker");
  private static final List<String> MODALITIES = List.of("text-screening", "image-screening", "audio-screening");

  private static String kubectl;
  private static Path root;

  @BeforeAll
  static void findKubectl() {
    kubectl = findOnPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not installed: the Kustomize render checks are skipped");
    root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isRegularFile(root.resolve("deploy/base/kustomization.yaml"))) {
      root = root.getParent();
    }
    assertNotNull(root, "deploy/base/kustomization.yaml not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void cpuOverlayIsHardenedProbedAndChoosesTheNativeBackend() throws Exception {
    Rendered r = render("deploy/overlays/cpu");
    checkMesh(r);
    assertEquals("native", r.configMap("screenmesh-env").get("SCREENMESH_BACKEND").getAsString());
    for (String s : SERVICES) {
      assertFalse(r.deployment(s).toString().contains("nvidia.com/gpu"), s + " asks for a GPU on the cpu overlay");
      assertEquals("native", r.env(s).get("SCREENMESH_BACKEND"), s);
    }
  }

  @Test
  void gpuOverlayGivesImageAndAudioOneGpuEachAndAnExplicitCudaBackend() throws Exception {
    Rendered r = render("deploy/overlays/gpu");
    checkMesh(r);
    for (String s : List.of("image-screening", "audio-screening")) {
      JsonObject pod = r.deployment(s).getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
      JsonObject c = container(r.deployment(s));
      assertEquals("1", c.getAsJsonObject("resources").getAsJsonObject("limits").get("nvidia.com/gpu").getAsString(), s);
      assertEquals("cuda", r.env(s).get("SCREENMESH_BACKEND"), s + " must name its backend so a missing GPU fails start-up");
      assertEquals("true", pod.getAsJsonObject("nodeSelector").get("nvidia.com/gpu.present").getAsString(), s);
      assertTrue(pod.getAsJsonArray("tolerations").toString().contains("nvidia.com/gpu"), s);
      assertTrue(c.get("image").getAsString().endsWith("-cuda"), s + " runs the CUDA image");
    }
    for (String s : List.of("text-screening", "fusion-checker")) {
      assertFalse(r.deployment(s).toString().contains("nvidia.com/gpu"), s);
      assertEquals("native", r.env(s).get("SCREENMESH_BACKEND"), s);
    }
  }

  @Test
  void batchJobIsIndexedWithOneShardPerCompletion() throws Exception {
    Rendered r = render("deploy/batch");
    JsonObject job = r.one("Job", "screenmesh-batch");
    JsonObject spec = job.getAsJsonObject("spec");
    assertEquals("Indexed", spec.get("completionMode").getAsString());
    JsonObject c = container(job);
    List<String> args = strings(c.getAsJsonArray("args"));
    assertEquals("batch", args.get(0));
    assertEquals(spec.get("completions").getAsInt(), Integer.parseInt(args.get(args.indexOf("--shards") + 1)),
        "--shards must equal completions, or items are lost or screened twice");
    assertEquals("$(JOB_COMPLETION_INDEX)", args.get(args.indexOf("--shard") + 1));
    assertTrue(args.get(args.indexOf("--out") + 1).contains("$(JOB_COMPLETION_INDEX)"), "one results file per shard");
    assertEquals("Never", spec.getAsJsonObject("template").getAsJsonObject("spec").get("restartPolicy").getAsString());
    checkHardened("screenmesh-batch", job);
    assertNotNull(r.one("PersistentVolumeClaim", "screenmesh-batch-data"));
  }

  /** What both overlays must hold. */
  private static void checkMesh(Rendered r) {
    for (String s : SERVICES) {
      JsonObject d = r.deployment(s);
      checkHardened(s, d);
      JsonObject c = container(d);
      for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
        JsonObject p = c.getAsJsonObject(probe);
        assertNotNull(p, s + " has no " + probe);
        // The gRPC port requires TLS (and client certificates on modality services): a kubelet
        // grpc or plain-HTTP probe there would never succeed.
        assertFalse(p.has("grpc"), s + " " + probe + " cannot speak TLS as a grpc probe");
        JsonObject get = p.getAsJsonObject("httpGet");
        assertEquals("management", get.get("port").getAsString(), s + " " + probe);
        assertEquals("HTTPS", get.get("scheme").getAsString(), s + " " + probe);
      }
      JsonObject res = c.getAsJsonObject("resources");
      for (String kind : List.of("requests", "limits")) {
        for (String what : List.of("cpu", "memory")) {
          assertTrue(res.has(kind) && res.getAsJsonObject(kind).has(what), s + " has no " + kind + "." + what);
        }
      }
      Map<String, String> env = r.env(s);
      assertEquals("8443", env.get("QUARKUS_HTTP_SSL_PORT"), s);
      assertEquals("disabled", env.get("QUARKUS_HTTP_INSECURE_REQUESTS"), s + " must not open a plain port");
      assertTrue(env.get("JDK_JAVA_OPTIONS").contains("--enable-native-access=ALL-UNNAMED"), s);
      JsonObject hpa = r.one("HorizontalPodAutoscaler", s);
      assertEquals("autoscaling/v2", hpa.get("apiVersion").getAsString());
      assertEquals(s, hpa.getAsJsonObject("spec").getAsJsonObject("scaleTargetRef").get("name").getAsString());
      assertTrue(hpa.getAsJsonObject("spec").getAsJsonArray("metrics").toString().contains("\"name\":\"cpu\""), s);
      JsonObject pdb = r.one("PodDisruptionBudget", s);
      assertEquals(s, pdb.getAsJsonObject("spec").getAsJsonObject("selector").getAsJsonObject("matchLabels")
          .get("app.kubernetes.io/name").getAsString());
    }
    for (String s : MODALITIES) {
      JsonObject spec = r.one("Service", s).getAsJsonObject("spec");
      assertEquals("None", spec.has("clusterIP") ? spec.get("clusterIP").getAsString() : "unset", s + " must be headless");
    }
    assertFalse(r.one("Service", "fusion-checker").getAsJsonObject("spec").has("clusterIP"), "the front door keeps a ClusterIP");

    // Every gRPC client resolves a headless Service and balances round-robin over its pods.
    Map<String, List<String>> clients = Map.of("fusion-checker", List.of("TEXT", "IMAGE", "AUDIO"),
        "image-screening", List.of("TEXT"), "audio-screening", List.of("TEXT"));
    for (var e : clients.entrySet()) {
      Map<String, String> env = r.env(e.getKey());
      for (String client : e.getValue()) {
        String host = env.get("QUARKUS_GRPC_CLIENTS_" + client + "_HOST");
        assertTrue(MODALITIES.contains(host), e.getKey() + " client " + client + " host " + host);
        assertEquals("round_robin", env.get("QUARKUS_GRPC_CLIENTS_" + client + "_LOAD_BALANCING_POLICY"));
        assertEquals("false", env.get("QUARKUS_GRPC_CLIENTS_" + client + "_USE_QUARKUS_GRPC_CLIENT"),
            "round-robin needs the grpc-java channel");
        assertEquals("false", env.get("QUARKUS_GRPC_CLIENTS_" + client + "_PLAIN_TEXT"));
        assertNotNull(env.get("QUARKUS_GRPC_CLIENTS_" + client + "_SSL_CERTIFICATE"), "mutual TLS");
      }
    }

    Map<String, String> front = r.env("fusion-checker");
    // Callers are principals: JWTs verified with the mounted keys, issuer and audience from screenmesh-auth.
    assertTrue(mountedFrom(r.deployment("fusion-checker"), "secret", "screenmesh-jwt-keys", front.get("SCREENMESH_AUTH_JWT_KEYS")));
    assertTrue(envFromConfigMap(r.deployment("fusion-checker"), "screenmesh-auth"), "issuer and audience");
    // Mesh identities: each client presents its own certificate; each modality service admits its callers only.
    for (String client : List.of("fusion-checker", "image-screening", "audio-screening")) {
      assertTrue(mountedFrom(r.deployment(client), "secret", "screenmesh-" + client + "-client-tls",
          "/etc/screenmesh/tls/client/tls.crt"), client + " presents its own identity");
    }
    assertEquals("spiffe://screenmesh/fusion-checker", r.env("image-screening").get("SCREENMESH_AUTH_ALLOWED_CLIENTS"));
    assertEquals("spiffe://screenmesh/fusion-checker", r.env("audio-screening").get("SCREENMESH_AUTH_ALLOWED_CLIENTS"));
    assertEquals(Set.of("spiffe://screenmesh/fusion-checker", "spiffe://screenmesh/image-screening",
        "spiffe://screenmesh/audio-screening"), Set.of(r.env("text-screening").get("SCREENMESH_AUTH_ALLOWED_CLIENTS").split(",")));
    assertTrue(mountedFrom(r.deployment("fusion-checker"), "configMap", "screenmesh-fusion-policies",
        front.get("SCREENMESH_FUSION_POLICY_FILE")));

    // Ingress: default deny, then only the front door reaches image and audio.
    JsonObject deny = r.one("NetworkPolicy", "screenmesh-default-deny-ingress").getAsJsonObject("spec");
    assertEquals("screenmesh", deny.getAsJsonObject("podSelector").getAsJsonObject("matchLabels")
        .get("app.kubernetes.io/part-of").getAsString());
    assertFalse(deny.has("ingress"));
    for (String s : SERVICES) {
      assertTrue(r.podHasLabel(s, "app.kubernetes.io/part-of", "screenmesh"), s + " falls under the default deny");
    }
    assertEquals(Set.of("fusion-checker"), allowedFrom(r, "image-screening"));
    assertEquals(Set.of("fusion-checker"), allowedFrom(r, "audio-screening"));
    assertEquals(Set.of("fusion-checker", "image-screening", "audio-screening"), allowedFrom(r, "text-screening"));
  }

  private static void checkHardened(String name, JsonObject workload) {
    JsonObject pod = workload.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    assertTrue(pod.getAsJsonObject("securityContext").get("runAsNonRoot").getAsBoolean(), name + " runAsNonRoot");
    JsonObject c = container(workload);
    JsonObject sc = c.getAsJsonObject("securityContext");
    assertNotNull(sc, name + " container securityContext");
    assertTrue(sc.get("readOnlyRootFilesystem").getAsBoolean(), name + " readOnlyRootFilesystem");
    assertFalse(sc.get("allowPrivilegeEscalation").getAsBoolean(), name + " allowPrivilegeEscalation");
    assertEquals(List.of("ALL"), strings(sc.getAsJsonObject("capabilities").getAsJsonArray("drop")), name);
    assertTrue(mountedFrom(workload, "emptyDir", null, "/tmp/x"), name + " needs a writable emptyDir /tmp");
  }

  /** The pods (by app.kubernetes.io/name) that the NetworkPolicy selecting {@code target} lets in. */
  private static Set<String> allowedFrom(Rendered r, String target) {
    Set<String> from = new HashSet<>();
    int policies = 0;
    for (JsonObject np : r.all("NetworkPolicy")) {
      JsonObject spec = np.getAsJsonObject("spec");
      JsonObject labels = spec.getAsJsonObject("podSelector").getAsJsonObject("matchLabels");
      if (labels == null || !target.equals(labels.has("app.kubernetes.io/name") ? labels.get("app.kubernetes.io/name").getAsString() : null)) {
        continue;
      }
      policies++;
      for (JsonElement rule : spec.getAsJsonArray("ingress")) {
        for (JsonElement peer : rule.getAsJsonObject().getAsJsonArray("from")) {
          JsonObject p = peer.getAsJsonObject();
          assertFalse(p.has("namespaceSelector") || p.has("ipBlock"), target + " admits traffic from outside the mesh: " + p);
          JsonObject m = p.getAsJsonObject("podSelector").getAsJsonObject("matchLabels");
          assertNotNull(m, target + " admits every pod: " + p);
          from.add(m.get("app.kubernetes.io/name").getAsString());
        }
      }
    }
    assertEquals(1, policies, "one NetworkPolicy for " + target);
    return from;
  }

  /** Whether {@code file} lies under a mount of a volume of that type (and name, for Secrets and ConfigMaps). */
  private static boolean envFromConfigMap(JsonObject workload, String prefix) {
    for (JsonElement e : container(workload).getAsJsonArray("envFrom")) {
      JsonObject ref = e.getAsJsonObject().getAsJsonObject("configMapRef");
      // Generated ConfigMaps carry a content hash suffix.
      if (ref != null && ref.get("name").getAsString().startsWith(prefix + "-")) {
        return true;
      }
    }
    return false;
  }

  private static boolean mountedFrom(JsonObject workload, String type, String source, String file) {
    if (file == null) {
      return false;
    }
    JsonObject pod = workload.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    Map<String, JsonObject> volumes = new HashMap<>();
    for (JsonElement v : pod.getAsJsonArray("volumes")) {
      volumes.put(v.getAsJsonObject().get("name").getAsString(), v.getAsJsonObject());
    }
    for (JsonElement m : container(workload).getAsJsonArray("volumeMounts")) {
      JsonObject mount = m.getAsJsonObject();
      JsonObject v = volumes.get(mount.get("name").getAsString());
      if (v == null || !v.has(type) || !file.startsWith(mount.get("mountPath").getAsString() + "/")) {
        continue;
      }
      if (source == null) {
        return true;
      }
      JsonObject src = v.getAsJsonObject(type);
      String name = type.equals("secret") ? src.get("secretName").getAsString() : src.get("name").getAsString();
      // Generated ConfigMaps carry a content hash suffix.
      if (name.equals(source) || name.startsWith(source + "-")) {
        return true;
      }
    }
    return false;
  }

  private static JsonObject container(JsonObject workload) {
    JsonArray cs = workload.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec").getAsJsonArray("containers");
    assertEquals(1, cs.size());
    return cs.get(0).getAsJsonObject();
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsString()));
    return out;
  }

  /** The objects of one rendered kustomization. */
  private record Rendered(List<JsonObject> objects) {

    List<JsonObject> all(String kind) {
      return objects.stream().filter(o -> o.get("kind").getAsString().equals(kind)).toList();
    }

    JsonObject one(String kind, String name) {
      List<JsonObject> found = all(kind).stream()
          .filter(o -> o.getAsJsonObject("metadata").get("name").getAsString().equals(name)).toList();
      assertEquals(1, found.size(), kind + "/" + name);
      return found.get(0);
    }

    JsonObject deployment(String name) {
      return one("Deployment", name);
    }

    /** A ConfigMap made by a configMapGenerator, found by its name without the hash suffix. */
    JsonObject configMap(String generatorName) {
      List<JsonObject> found = all("ConfigMap").stream().filter(o -> o.getAsJsonObject("metadata").get("name").getAsString()
          .matches(java.util.regex.Pattern.quote(generatorName) + "(-[a-z0-9]{10})?")).toList();
      assertEquals(1, found.size(), "ConfigMap " + generatorName);
      return found.get(0).getAsJsonObject("data");
    }

    boolean podHasLabel(String deployment, String key, String value) {
      JsonObject labels = deployment(deployment).getAsJsonObject("spec").getAsJsonObject("template")
          .getAsJsonObject("metadata").getAsJsonObject("labels");
      return labels.has(key) && labels.get(key).getAsString().equals(value);
    }

    /** The container's environment as the kubelet builds it: envFrom ConfigMaps, then env on top. */
    Map<String, String> env(String deployment) {
      JsonObject c = container(deployment(deployment));
      Map<String, String> env = new HashMap<>();
      if (c.has("envFrom")) {
        for (JsonElement from : c.getAsJsonArray("envFrom")) {
          String name = from.getAsJsonObject().getAsJsonObject("configMapRef").get("name").getAsString();
          JsonObject cm = one("ConfigMap", name);
          cm.getAsJsonObject("data").entrySet().forEach(e -> env.put(e.getKey(), e.getValue().getAsString()));
        }
      }
      if (c.has("env")) {
        for (JsonElement e : c.getAsJsonArray("env")) {
          JsonObject v = e.getAsJsonObject();
          env.put(v.get("name").getAsString(), v.has("value") ? v.get("value").getAsString() : null);
        }
      }
      return env;
    }
  }

  /**
   * Renders a kustomization and turns the YAML into JSON with kubectl itself ({@code patch
   * --local} with an empty patch: offline, no cluster), so no YAML parser is needed here.
   */
  private static Rendered render(String kustomization) throws IOException, InterruptedException {
    Path yaml = Files.createTempFile("kustomize-", ".yaml");
    try {
      run(List.of(kubectl, "kustomize", root.resolve(kustomization).toString()), yaml);
      String json = Files.readString(run(List.of(kubectl, "patch", "--local", "-f", yaml.toString(), "--type", "merge",
          "-p", "{}", "-o", "json"), null), StandardCharsets.UTF_8);
      List<JsonObject> objects = new ArrayList<>();
      JsonStreamParser p = new JsonStreamParser(new StringReader(json));
      while (p.hasNext()) {
        JsonObject o = p.next().getAsJsonObject();
        if (o.has("items") && "List".equals(o.get("kind").getAsString())) {
          o.getAsJsonArray("items").forEach(i -> objects.add(i.getAsJsonObject()));
        } else {
          objects.add(o);
        }
      }
      assertFalse(objects.isEmpty(), kustomization + " rendered nothing");
      return new Rendered(objects);
    } finally {
      Files.deleteIfExists(yaml);
    }
  }

  /** Runs a command with a bounded wait; its stdout goes to {@code out} (a new temp file when null). */
  private static Path run(List<String> cmd, Path out) throws IOException, InterruptedException {
    Path target = out != null ? out : Files.createTempFile("kubectl-", ".json");
    target.toFile().deleteOnExit();
    Path err = Files.createTempFile("kubectl-", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectOutput(target.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
      }
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed: " + Files.readString(err));
      return target;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static String findOnPath(String exe) {
    String path = System.getenv().getOrDefault("PATH", "") + java.io.File.pathSeparator + "/usr/bin:/usr/local/bin";
    for (String d : path.split(java.io.File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) {
        return Path.of(d, exe).toString();
      }
    }
    return null;
  }
}
